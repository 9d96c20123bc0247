"""A check's stable id, derived from where its test lives.

``tests/provision/test_networks.py::test_dns_redis`` is the check
``networks.dns_redis`` of mode ``provision``: the module names the lab's part,
the function the behaviour. Reports and the rubric use these ids.
"""

from __future__ import annotations

from dataclasses import dataclass

from grading.context import MODES, module_part


@dataclass(frozen=True)
class CheckRef:
    mode: str
    part: str
    name: str

    @property
    def id(self) -> str:
        return f"{self.part}.{self.name}"


def parse_nodeid(nodeid: str) -> CheckRef | None:
    """The check behind a pytest node id, or None when the item is not a graded check."""
    path, sep, rest = nodeid.partition("::")
    if not sep:
        return None
    parts = path.replace("\\", "/").split("/")
    if len(parts) < 3 or parts[-3] != "tests" or parts[-2] not in MODES:
        return None
    part = module_part(parts[-1])
    if part is None:
        return None
    func = rest.split("::")[-1].split("[")[0]
    if not func.startswith("test_"):
        return None
    return CheckRef(mode=parts[-2], part=part, name=func[len("test_") :])

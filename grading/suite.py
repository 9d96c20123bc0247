"""Where the installed suite lives, and the pytest arguments that run it from anywhere.

The suite is the directory that holds ``conftest.py``, ``tests/``, ``fixtures/`` and
``grading/``: the checkout for a source or editable install, ``site-packages`` for a
wheel (the wheel ships ``conftest.py`` and ``tests/`` beside the two packages, so the
node ids, ``tests/<mode>/test_<part>.py::test_<name>``, and the suite fingerprint are
the same either way).

A wheel has no ``pyproject.toml`` at that root; it carries the project's pytest
settings as :data:`INSTALLED_INI` instead, and :func:`pytest_args` names the one that
exists with ``-c``, so no ini file of the current directory or of a project above
the virtualenv is ever read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
INSTALLED_INI = PACKAGE_DIR / "suite-pytest.toml"  # written into the wheel by hatch


class SuiteNotFound(RuntimeError):
    """The grading package is installed without the suite's conftest.py and tests/."""


@dataclass(frozen=True)
class Suite:
    root: Path
    ini: Path

    def tests(self, mode: str) -> Path:
        """The graded checks of one mode: ``<root>/tests/<mode>``."""
        return self.root / "tests" / mode


def locate(package_dir: Path = PACKAGE_DIR) -> Suite:
    """The suite this ``grading`` package belongs to, or :class:`SuiteNotFound`."""
    root = package_dir.parent
    missing = [name for name in ("conftest.py", "tests") if not (root / name).exists()]
    if missing:
        raise SuiteNotFound(
            f"the suite's {' and '.join(missing)} are not beside {package_dir} "
            "(install mobygrade from its checkout or its wheel)"
        )
    installed = package_dir / INSTALLED_INI.name
    ini = installed if installed.is_file() else root / "pyproject.toml"
    if not ini.is_file():
        raise SuiteNotFound(f"no pytest settings for the suite at {root} (pyproject.toml)")
    return Suite(root=root, ini=ini)


def pytest_args(suite: Suite) -> list[str]:
    """Pin rootdir, ini file and conftest boundary to the suite, whatever the cwd."""
    return [f"--rootdir={suite.root}", "-c", str(suite.ini), f"--confcutdir={suite.root}"]

"""Fault injection for self-tests: build the lab wrong, the way a student or a host could.

    python -m pytest tests -p selftest.faults --lab-fault=no_alias,rw_share ...

Implements ``pytest_mobygrade_lab_spec`` (``fixtures.provision``): the lab's
spec with each named fault applied. Faults of different parts never touch the
same object, so several can run in one session (see ``FAULTS`` for what each does).
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

import pytest

from fixtures.provision.spec import LabSpec

# name -> (what a student or host did, the spec fields it changes)
FAULTS: dict[str, tuple[str, dict[str, Any]]] = {
    "redis_misnamed": (
        "redis started as `--name redis-db`: no `redis` on moby-counter",
        {"redis_alias": False},
    ),
    "app_hostname": (
        "moby-counter started with `--hostname moby`",
        {"app_hostname": "moby"},
    ),
    "hosts_override": (
        "moby-counter started with `--add-host redis:127.0.0.2`",
        {"app_extra_hosts": (("redis", "127.0.0.2"),)},
    ),
    "app2_on_net1": (
        "moby-counter2 started on moby-counter instead of moby-counter2",
        {"app2_network": "first"},
    ),
    "app2_default_bridge": (
        "moby-counter2 started without `--network` (default bridge)",
        {"app2_network": "bridge"},
    ),
    "no_alias": (
        "redis2 started without `--network-alias redis`",
        {"redis2_alias": False},
    ),
    "bridge_link": (
        "the default-bridge containers joined with the legacy `--link`",
        {"bridge_link": True},
    ),
    "no_volume": (
        "redis has no volume at /data (an image without VOLUME, no `-v /data`)",
        {"anonymous_volume": False},
    ),
    "recreate_same_volume": (
        "redis re-created on its old volume instead of a new one",
        {"recreate_fresh": False},
    ),
    "no_save": (
        "a redis that never saves (`--save ''`, SAVE disabled)",
        {"redis_saves": False},
    ),
    "rw_share": (
        "redis2 shares redis_data read-write (no `:ro`)",
        {"share_mode": "rw"},
    ),
    "keep_running": (
        "moby-counter2 left running before the prunes",
        {"stop_all_before_prune": False},
    ),
}

def fault_list(value: str) -> tuple[str, ...]:
    """``a,b`` -> ('a', 'b'); unknown names are a usage error naming the known ones."""
    names = tuple(name.strip() for name in value.split(",") if name.strip())
    unknown = [name for name in names if name not in FAULTS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown fault(s) {', '.join(unknown)}; known: {', '.join(sorted(FAULTS))}"
        )
    return names


def apply(spec: LabSpec, names: tuple[str, ...]) -> LabSpec:
    """``spec`` with the fields of every named fault replaced."""
    changes: dict[str, Any] = {}
    for name in names:
        changes.update(FAULTS[name][1])
    return dataclasses.replace(spec, **changes)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mobygrade-faults", "mobygrade self-tests: fault injection")
    group.addoption(
        "--lab-fault",
        type=fault_list,
        default=(),
        metavar="NAME[,NAME...]",
        help="build the provision lab with these faults: " + ", ".join(sorted(FAULTS)),
    )
    group.addoption(
        "--reverse-checks",
        action="store_true",
        default=False,
        help="run the checks in reverse order (each must still find the state it needs)",
    )
    group.addoption(
        "--lab-redis-image",
        default="",
        metavar="IMAGE",
        help="run the lab's redis from IMAGE (e.g. one without VOLUME /data, like today's "
        "redis:alpine)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``--reverse-checks``: run the checks in reverse order (state, not order)."""
    if config.getoption("reverse_checks", False):
        items.reverse()


def _names(config: pytest.Config) -> tuple[str, ...]:
    return tuple(config.getoption("lab_fault", None) or ())


def pytest_mobygrade_lab_spec(config: pytest.Config) -> LabSpec | None:
    names = _names(config)
    image = str(config.getoption("lab_redis_image", None) or "")
    if not names and not image:
        return None
    spec = apply(LabSpec(), names)
    return dataclasses.replace(spec, redis_image=image) if image else spec


def pytest_report_header(config: pytest.Config) -> str | None:
    names = _names(config)
    if not names:
        return None
    return "lab faults: " + "; ".join(f"{n} ({FAULTS[n][0]})" for n in names)

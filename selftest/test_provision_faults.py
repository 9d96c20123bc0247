"""Every provision check can fail: the lab built wrong fails exactly the checks it should.

Each case runs the whole provision suite in a subprocess with some faults from
``selftest.faults`` (faults of different parts never share an object) and
asserts the exact set of checks that do not pass, all others passing, and that
the run left nothing behind. Two cases run at the same time on the engine,
which also shows that concurrent runs do not collide.
"""

from __future__ import annotations

from pathlib import Path

import docker
import pytest

from selftest.provision_run import Suite, SuiteRun, leftovers

pytestmark = pytest.mark.selftest_docker

# fault -> the checks it must fail (every other check passes)
BREAKS: dict[str, set[str]] = {
    "redis_misnamed": {
        "networks.dns_redis", "networks.ping_ip", "networks.app_connected", "networks.dns_alias",
    },
    "app_hostname": {"networks.embedded_dns"},
    "hosts_override": {"networks.ping_ip", "networks.app_connected"},
    "app2_on_net1": {
        "networks.unresolved_before_alias", "networks.dns_alias", "networks.ipam",
        "networks.isolation",
    },
    "app2_default_bridge": {
        "networks.nameserver", "networks.unresolved_before_alias", "networks.dns_alias",
        "networks.ipam", "networks.isolation",
    },
    "no_alias": {"networks.dns_alias"},
    "bridge_link": {"networks.default_bridge_no_dns"},
    "no_volume": {"volumes.anonymous_volume", "volumes.anonymous_reattach"},
    "recreate_same_volume": {"volumes.recreate_loses_data"},
    "no_save": {"volumes.anonymous_reattach", "volumes.named_persists", "volumes.same_pattern"},
    "rw_share": {"volumes.readonly", "volumes.ro_no_divergence_on_disk"},
    "keep_running": {"cleanup.prune_scoped"},
}

# faults that can share a run; pairs of groups run at the same time
GROUPS: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (
        ("redis_misnamed", "no_volume", "keep_running", "bridge_link"),
        ("app2_on_net1", "rw_share", "app_hostname"),
    ),
    (
        ("no_alias", "no_save"),
        ("app2_default_bridge", "recreate_same_volume", "hosts_override"),
    ),
]

ALL_CHECKS = {
    "networks.dns_redis", "networks.ping_ip", "networks.embedded_dns", "networks.app_connected",
    "networks.nameserver", "networks.unresolved_before_alias", "networks.dns_alias",
    "networks.ipam", "networks.isolation", "networks.default_bridge_no_dns",
    "volumes.anonymous_volume", "volumes.recreate_loses_data", "volumes.anonymous_reattach",
    "volumes.named_persists", "volumes.readonly", "volumes.same_pattern",
    "volumes.ro_no_divergence_on_disk", "cleanup.prune_scoped",
}


def expected_failing(faults: tuple[str, ...]) -> set[str]:
    return set().union(*(BREAKS[name] for name in faults))


def test_every_check_is_broken_by_some_fault_in_the_groups() -> None:
    """Pure: the groups cover every check, and faults in one run never overlap in a check."""
    covered: set[str] = set()
    for pair in GROUPS:
        for faults in pair:
            sets = [BREAKS[name] for name in faults]
            for i, one in enumerate(sets):
                for other in sets[i + 1 :]:
                    assert not one & other, f"faults of {faults} overlap on {one & other}"
            covered |= expected_failing(faults)
    assert covered == ALL_CHECKS
    assert set(BREAKS) == {name for pair in GROUPS for faults in pair for name in faults}


def _assert_run(faults: tuple[str, ...], run: SuiteRun, client: docker.DockerClient) -> None:
    assert set(run.statuses) == ALL_CHECKS, run.describe()
    failing = run.failing()
    expected = expected_failing(faults)
    assert failing == expected, (
        f"faults {faults}: expected failing {sorted(expected)}, found {sorted(failing)}; "
        f"{run.describe()}"
    )
    assert all(run.statuses[c] == "failed" for c in expected), run.describe()
    assert run.returncode == 1, run.describe()
    assert leftovers(client, run) == [], f"faults {faults} left objects behind"


@pytest.mark.parametrize("pair", GROUPS, ids=lambda pair: "+".join(pair[0] + pair[1]))
def test_faults_fail_exactly_their_checks(
    pair: tuple[tuple[str, ...], tuple[str, ...]], tmp_path: Path
) -> None:
    client = docker.from_env(timeout=60)
    suites = [
        (faults, Suite(["tests", f"--lab-fault={','.join(faults)}"], tmp_path / f"{i}.json"))
        for i, faults in enumerate(pair)
    ]
    runs = [(faults, suite.wait()) for faults, suite in suites]
    for faults, run in runs:
        _assert_run(faults, run, client)

"""Provision runs clean up after themselves: on success, on Ctrl-C/SIGTERM, and after a crash.

- a healthy run passes every check and leaves no object behind;
- a run interrupted mid-way (SIGINT as Ctrl-C, or SIGTERM) removes what it made;
- ``--lab-keep`` leaves the lab, marks it kept and prints how to remove it;
- the next run sweeps the objects of a dead run on this host, and only those:
  not a kept run's, not a live process's.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from pathlib import Path

import docker
import pytest

from fixtures.provision.ledger import KEEP_LABEL, SCENARIO_LABEL
from fixtures.labels import RUN_LABEL, RunIdentity
from fixtures.provision.plugin import remove_run
from fixtures.wait import wait_until
from selftest.provision_run import Suite, labelled_of, leftovers, run_suite
from selftest.test_provision_faults import ALL_CHECKS

pytestmark = pytest.mark.selftest_docker

INTERRUPTED = 2  # pytest's exit status after KeyboardInterrupt


@pytest.fixture(scope="module")
def client() -> docker.DockerClient:
    return docker.from_env(timeout=60)


def _mid_run(client: docker.DockerClient, suite: Suite, scenario: str, count: int = 2) -> None:
    """Wait until the run has ``count`` containers of ``scenario`` (net, vol or clean)."""
    def inside() -> bool:
        if suite.proc.poll() is not None:
            raise AssertionError("the run ended before it could be interrupted")
        scope = {"label": [f"mobygrade.pid={suite.pid}", f"{SCENARIO_LABEL}={scenario}"]}
        found = client.containers.list(all=True, filters=scope, ignore_removed=True)
        return len(found) >= count

    wait_until(inside, timeout=180, what=f"the run to reach its {scenario} scenario")


@pytest.mark.parametrize(
    ("signum", "scenario"),
    [(signal.SIGINT, "vol"), (signal.SIGTERM, "net")],
    ids=["SIGINT-in-volumes", "SIGTERM-in-networks"],
)
def test_interrupted_run_leaves_nothing(
    client: docker.DockerClient, tmp_path: Path, signum: signal.Signals, scenario: str
) -> None:
    suite = Suite(["tests"], tmp_path / "report.json")
    _mid_run(client, suite, scenario)
    suite.proc.send_signal(signum)
    run = suite.wait(timeout=180)
    assert run.returncode == INTERRUPTED, run.describe()
    assert leftovers(client, run) == [], run.describe()


def test_killed_run_is_swept_by_the_next(client: docker.DockerClient, tmp_path: Path) -> None:
    """SIGKILL leaves the lab behind (no code runs); the next run on this host sweeps it."""
    suite = Suite(["tests/provision/test_volumes.py"], tmp_path / "killed.json")
    _mid_run(client, suite, "vol", count=3)
    suite.proc.kill()
    killed = suite.wait(timeout=60)
    left = leftovers(client, killed)
    try:
        assert left, "a SIGKILLed run left nothing: the leftovers check sees nothing"
        after = run_suite(
            ["tests/provision/test_networks.py", "-k", "ping_ip"], tmp_path / "after.json"
        )
        assert after.returncode == 0, after.describe()
        assert leftovers(client, killed) == [], after.output
    finally:
        for line in left:
            if line.startswith("container "):
                run_id = line.split()[1].split("-")[0]
                remove_run(client, run_id)
                break


def test_healthy_run_passes_every_check_and_leaves_nothing(
    client: docker.DockerClient, tmp_path: Path
) -> None:
    """In reverse order: each check brings the lab into the state it needs."""
    run = run_suite(["tests", "--reverse-checks"], tmp_path / "report.json")
    assert run.returncode == 0, run.describe()
    assert run.statuses == {check: "passed" for check in ALL_CHECKS}, run.describe()
    assert leftovers(client, run) == [], run.describe()


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_keep_then_sweep(client: docker.DockerClient, tmp_path: Path) -> None:
    """A kept run survives the next run's sweep; a dead run's objects do not; a live one's stay."""
    host = socket.gethostname()
    dead = RunIdentity(host=host, pid=_dead_pid(), started=int(time.time()) - 3600)
    live = RunIdentity(host=host)  # this process: alive
    other_host = RunIdentity(host=host + "-elsewhere", pid=_dead_pid())
    kept_run_id = ""
    try:
        kept = run_suite(
            ["tests/provision/test_networks.py", "-k", "dns_redis", "--lab-keep"],
            tmp_path / "kept.json",
        )
        assert kept.returncode == 0, kept.describe()
        kept_objects = labelled_of(client, kept.pid)
        assert kept_objects, kept.describe()
        kept_run_id = client.containers.list(
            all=True, filters={"label": [f"mobygrade.pid={kept.pid}"]}, ignore_removed=True
        )[0].labels[RUN_LABEL]
        assert f"docker rm -f -v $(docker ps -aq --filter label={RUN_LABEL}={kept_run_id})" in (
            kept.output
        ), kept.output
        for run_id in (kept_run_id,):
            scope = {"label": [f"{RUN_LABEL}={run_id}"]}
            kept_now = client.containers.list(all=True, filters=scope, ignore_removed=True)
            assert all(KEEP_LABEL in c.labels for c in kept_now)

        planted = {}
        for name, identity in (("dead", dead), ("live", live), ("elsewhere", other_host)):
            planted[name] = (
                client.networks.create(identity.name("planted"), labels=identity.labels("planted")),
                client.volumes.create(identity.name("planted"), labels=identity.labels("planted")),
            )
        after = run_suite(["tests/provision/test_networks.py", "-k", "dns_redis"], tmp_path / "a.json")
        assert after.returncode == 0, after.describe()

        networks = {n.name for n in client.networks.list(filters={"label": [RUN_LABEL]})}
        volumes = {v.name for v in client.volumes.list(filters={"label": [RUN_LABEL]})}
        assert dead.name("planted") not in networks | volumes, after.output
        assert f"swept network {dead.name('planted')}" in after.output, after.output
        for identity in (live, other_host):
            assert identity.name("planted") in networks and identity.name("planted") in volumes
        assert labelled_of(client, kept.pid) == kept_objects, "the sweep touched a kept run"
        assert leftovers(client, after) == []
    finally:
        for identity in (dead, live, other_host):
            remove_run(client, identity.run_id)
        if kept_run_id:
            assert remove_run(client, kept_run_id) == []

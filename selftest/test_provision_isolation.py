"""``networks.isolation`` fails on a host without isolation between networks.

Such a host: an engine started with ``--iptables=false`` while the FORWARD
policy is ACCEPT (``selftest.engines``: its own bridge, data-root and
exec-root, beside the main engine). The check runs there alone (``-k``) and
must fail because the other network's redis answered, not because its
controls did; the same check passes on the main engine (the healthy run).
"""

from __future__ import annotations

from pathlib import Path

import docker
import pytest

from selftest.engines import lab_image_refs, secondary_engine
from selftest.provision_run import leftovers, run_suite

pytestmark = pytest.mark.selftest_docker


def test_isolation_fails_on_an_engine_without_iptables(tmp_path: Path) -> None:
    with secondary_engine(iptables=False, load_images=lab_image_refs()) as docker_host:
        run = run_suite(
            ["tests/provision/test_networks.py", "-k", "isolation"],
            tmp_path / "report.json",
            env={"DOCKER_HOST": docker_host},
        )
        assert run.statuses == {"networks.isolation": "failed"}, run.describe()
        message = run.messages["networks.isolation"]
        assert message.startswith("expected the two networks to be isolated, found reachable"), (
            message
        )
        client = docker.DockerClient(base_url=docker_host, timeout=60)
        try:
            assert leftovers(client, run) == []
        finally:
            client.close()

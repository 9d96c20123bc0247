"""The secondary-engine harness really produces the hosts it promises.

- the main engine isolates two user-defined networks (the baseline);
- ``secondary_engine(iptables=False)`` is a host *without* isolation: a container
  reaches a container of another network by IP (TCP and ICMP), and the host's
  FORWARD policy is back to what it was afterwards;
- ``secondary_engine(iptables=True)`` runs in its own network namespace: it
  isolates like a normal engine and leaves the main engine's rules alone;
- ``version="26"`` / ``"28"`` report Engine 26 / API 1.45 and Engine 28 / API 1.51,
  resolve a peer by name on a user-defined network (embedded DNS) and isolate too.

Each case has a control (a peer on the server's own network reaches it), so a
"not reached" never comes from a broken probe or a server that is not up.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import docker
import pytest
from docker.models.containers import Container

from fixtures.images.lab import LabImages
from fixtures.labels import RunIdentity
from fixtures.probes import KEEPALIVE, Prober
from fixtures.wait import wait_until
from selftest import engines_host as host
from selftest.engines import started_engine

pytestmark = pytest.mark.selftest_docker

PORT = 8080
SERVE = ["python3", "-m", "http.server", str(PORT), "--bind", "0.0.0.0"]


@dataclass(frozen=True)
class Reach:
    """What a container of network A sees of a server on network B, and the control."""

    tcp_across: bool
    ping_across: bool
    tcp_control: bool
    dns_peer: tuple[str, ...] = ()  # the server's name as its own network's peer resolves it
    server_ip: str = ""

    @property
    def isolated(self) -> bool:
        return not self.tcp_across and not self.ping_across


def measure(client: docker.DockerClient, image: str) -> Reach:
    """Server on net-b; a client on net-a and a peer on net-b try to reach it."""
    identity = RunIdentity()
    prober = Prober(client, image, identity)
    with contextlib.ExitStack() as undo:
        undo.callback(prober.close)

        def network(suffix: str) -> str:
            net = client.networks.create(identity.name(suffix), driver="bridge",
                                         labels=identity.labels("selftest"))
            undo.callback(net.remove)
            return str(net.name)

        def container(suffix: str, net: str, command: list[str]) -> Container:
            made = client.containers.run(image, command, name=identity.name(suffix),
                                         labels=identity.labels("selftest"), network=net,
                                         detach=True)
            undo.callback(lambda: made.remove(force=True, v=True))
            return made

        net_a, net_b = network("net-a"), network("net-b")
        server = container("server", net_b, SERVE)
        client_a = container("client-a", net_a, KEEPALIVE)
        peer_b = container("peer-b", net_b, KEEPALIVE)
        server.reload()
        server_ip = server.attrs["NetworkSettings"]["Networks"][net_b]["IPAddress"]
        wait_until(lambda: prober.tcp_connect(server, "127.0.0.1", PORT), timeout=20,
                   what=f"the test server listening on :{PORT}",
                   evidence=lambda: server.logs(tail=20).decode(errors="replace"))
        return Reach(
            tcp_across=prober.tcp_connect(client_a, server_ip, PORT),
            ping_across=prober.ping(client_a, server_ip),
            tcp_control=prober.tcp_connect(peer_b, server_ip, PORT),
            dns_peer=prober.resolve(peer_b, str(server.name)),
            server_ip=server_ip,
        )
    raise AssertionError("unreachable")  # for mypy: ExitStack may swallow exceptions


@pytest.fixture(scope="module")
def probe_image(lab_images: LabImages) -> str:
    """The suite's probe image (python3 + busybox), built on the main engine if needed."""
    return lab_images.probe


def nat_docker_jump() -> bool:
    """The main engine's port-mapping hook is in place in the host's nat table."""
    rules = host.run("iptables", "-w", "10", "-t", "nat", "-S", "PREROUTING")
    return "-j DOCKER" in rules


def test_main_engine_isolates_user_networks(docker_client: docker.DockerClient,
                                            probe_image: str) -> None:
    reach = measure(docker_client, probe_image)
    assert reach.tcp_control, "control failed: a peer on the server's own network must reach it"
    assert reach.isolated, f"the main engine should isolate two user networks: {reach}"


def test_secondary_engine_without_iptables_is_a_host_without_isolation(
    probe_image: str,
) -> None:
    policy_before = host.forward_policy()
    with started_engine(iptables=False, load=[probe_image]) as engine:
        assert engine.netns is None and engine.bridge
        assert host.link_exists(engine.bridge)
        assert host.forward_policy() == "ACCEPT"
        client = docker.DockerClient(base_url=engine.docker_host, timeout=30)
        try:
            reach = measure(client, probe_image)
        finally:
            client.close()
        bridge, workdir = engine.bridge, engine.log.parent
    assert reach.tcp_control
    assert reach.tcp_across and reach.ping_across, f"expected no isolation, got {reach}"
    assert host.forward_policy() == policy_before, "FORWARD policy not restored"
    assert not host.link_exists(bridge), f"bridge {bridge} left behind"
    assert not workdir.exists(), f"{workdir} left behind"


def test_secondary_engine_with_iptables_isolates_in_its_own_netns(probe_image: str) -> None:
    assert nat_docker_jump(), "precondition: the main engine's nat hook is missing already"
    with started_engine(iptables=True, load=[probe_image]) as engine:
        assert engine.netns and host.netns_exists(engine.netns)
        assert nat_docker_jump(), "starting a second engine wiped the main engine's nat rules"
        client = docker.DockerClient(base_url=engine.docker_host, timeout=30)
        try:
            reach = measure(client, probe_image)
        finally:
            client.close()
        netns, workdir = engine.netns, engine.log.parent
    assert reach.tcp_control
    assert reach.isolated, f"an engine with iptables should isolate: {reach}"
    assert nat_docker_jump(), "stopping the second engine wiped the main engine's nat rules"
    assert not host.netns_exists(netns), f"netns {netns} left behind"
    assert not workdir.exists(), f"{workdir} left behind"


@pytest.mark.parametrize(("version", "api"), [("26", "1.45"), ("28", "1.51")])
def test_newer_engine_reports_its_version_resolves_and_isolates(
    version: str, api: str, probe_image: str
) -> None:
    with started_engine(version=version, load=[probe_image]) as engine:
        assert engine.version.startswith(f"{version}."), engine.version
        assert engine.api_version == api, engine.api_version
        client = docker.DockerClient(base_url=engine.docker_host, timeout=30)
        try:
            reach = measure(client, probe_image)
        finally:
            client.close()
    assert reach.tcp_control
    assert reach.dns_peer == (reach.server_ip,), f"embedded DNS on Engine {version}: {reach}"
    assert reach.isolated, f"Engine {version} should isolate two user networks: {reach}"

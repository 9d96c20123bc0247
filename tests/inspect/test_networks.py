"""Inspect mode, networking part: the student's host at "Arrêtons nos conteneurs".

Both networks, both apps, ``redis`` and ``redis2`` with its alias. Objects are
found by the lab's names; the first docstring line of each check is its rubric
line. Nothing on the host is changed: reads, GETs and probe containers only.
"""

from __future__ import annotations

import ipaddress

from fixtures.inspect.http import AppReader
from fixtures.inspect.plugin import connected_view, fail_on, netns_target, probing, require_pattern
from fixtures.inspect.probe import HostProbe
from fixtures.inspect.rules import (
    bridge_problem,
    carries_alias,
    image_problem,
    port_problem,
    published,
    require_container,
    require_network,
    require_on,
    run_problem,
)
from fixtures.inspect.snapshot import HostSnapshot
from grading.api import CheckBlocked, CheckFailed


def _address(lab_host: HostSnapshot, name: str, network: str) -> str:
    c = require_container(lab_host, name)
    ep = c.endpoint(network)
    if ep is None or not ep.ip:
        raise CheckFailed(f"container {name} has no address on network {network} ({c.status})")
    return ep.ip


def test_moby_counter_network(lab_host: HostSnapshot) -> None:
    """Network moby-counter exists: a user-defined bridge."""
    fail_on(bridge_problem(require_network(lab_host, "moby-counter")))


def test_redis_container(lab_host: HostSnapshot) -> None:
    """Container redis runs a redis image on network moby-counter."""
    c = require_container(lab_host, "redis")
    fail_on(image_problem(c, "redis"), run_problem(c))
    require_on(c, "moby-counter")


def test_app_container(lab_host: HostSnapshot) -> None:
    """Container moby-counter runs the app on network moby-counter, port 80 published."""
    c = require_container(lab_host, "moby-counter")
    fail_on(image_problem(c, "moby-counter"), run_problem(c), port_problem(c))
    require_on(c, "moby-counter")


def test_app_connected(lab_host: HostSnapshot, app_reader: AppReader, docker_ip: str) -> None:
    """The app's page answers on its published port and /v1/ping says connected."""
    connected_view(require_container(lab_host, "moby-counter"), app_reader, docker_ip)


def test_pattern(lab_host: HostSnapshot, app_reader: AppReader, docker_ip: str) -> None:
    """The app holds a pattern: at least 3 whales."""
    require_pattern(require_container(lab_host, "moby-counter"), app_reader, docker_ip)


def test_dns_redis(lab_host: HostSnapshot, host_probe: HostProbe) -> None:
    """From moby-counter, redis resolves through 127.0.0.11 to redis's address."""
    app = require_container(lab_host, "moby-counter")
    expected = _address(lab_host, "redis", "moby-counter")
    with probing("query the DNS of moby-counter"):
        answer = host_probe.dns(app.image_id, netns_target(app), ["redis"])[0]
    if answer.addresses != (expected,):
        # Several addresses: another container on moby-counter also answers to redis,
        # and the app may talk to either.
        raise CheckFailed(
            f"from moby-counter, redis resolves to {answer}, expected {expected} only "
            "(redis's address on moby-counter)"
        )


def test_moby_counter2_network(lab_host: HostSnapshot) -> None:
    """Network moby-counter2 exists: a user-defined bridge."""
    fail_on(bridge_problem(require_network(lab_host, "moby-counter2")))


def test_app2_container(lab_host: HostSnapshot) -> None:
    """Container moby-counter2 runs the app on moby-counter2 only, port 80 on host port 9090."""
    c = require_container(lab_host, "moby-counter2")
    binding = published(c)
    wrong_port = None
    if binding is not None and binding.host_port != "9090":
        wrong_port = f"moby-counter2 publishes port 80 on host port {binding.host_port}, expected 9090"
    others = [n for n in c.network_names if n != "moby-counter2"]
    extra = f"moby-counter2 is also on {', '.join(others)}: expected moby-counter2 only" if others else None
    fail_on(image_problem(c, "moby-counter"), run_problem(c), port_problem(c), wrong_port, extra)
    require_on(c, "moby-counter2")


def test_alias(lab_host: HostSnapshot) -> None:
    """Container redis2 on moby-counter2 carries the network alias redis."""
    c = require_container(lab_host, "redis2")
    require_on(c, "moby-counter2")
    if not carries_alias(c, "moby-counter2", "redis"):
        ep = c.endpoint("moby-counter2")
        aliases = ", ".join(a for a in (ep.aliases if ep else ()) if a != c.id[:12]) or "none"
        raise CheckFailed(f"redis2 has no alias redis on moby-counter2 (aliases: {aliases})")


def test_dns_alias(lab_host: HostSnapshot, host_probe: HostProbe) -> None:
    """From moby-counter2, redis resolves to redis2's address on moby-counter2."""
    app2 = require_container(lab_host, "moby-counter2")
    expected = _address(lab_host, "redis2", "moby-counter2")
    with probing("query the DNS of moby-counter2"):
        answer = host_probe.dns(app2.image_id, netns_target(app2), ["redis"])[0]
    own = {ep.ip for c in lab_host.on_network("moby-counter2") for ep in c.endpoints
           if ep.network == "moby-counter2"}
    strangers = [a for a in answer.addresses if a not in own]
    if expected not in answer.addresses or strangers:
        raise CheckFailed(
            f"from moby-counter2, redis resolves to {answer}, expected {expected} "
            "(redis2's address on moby-counter2)"
        )


def test_isolation(lab_host: HostSnapshot, host_probe: HostProbe) -> None:
    """moby-counter2 cannot reach redis on moby-counter by IP; the two subnets differ."""
    net1 = require_network(lab_host, "moby-counter")
    net2 = require_network(lab_host, "moby-counter2")
    nets1 = [ipaddress.ip_network(s, strict=False) for s in net1.subnets]
    nets2 = [ipaddress.ip_network(s, strict=False) for s in net2.subnets]
    overlap = [f"{a} / {b}" for a in nets1 for b in nets2 if a.overlaps(b)]
    if overlap or not nets1 or not nets2:
        raise CheckFailed(f"the subnets of moby-counter and moby-counter2 overlap: {overlap or 'unknown'}")
    redis_ip = _address(lab_host, "redis", "moby-counter")
    app1 = require_container(lab_host, "moby-counter")
    app2 = require_container(lab_host, "moby-counter2")
    with probing("test reachability"):
        # A control from its own network first: a redis that does not answer proves nothing.
        # ping, as the handout does (docker exec moby-counter ping -c 3 redis).
        if not host_probe.pings(app1.image_id, netns_target(app1), [redis_ip])[0]:
            raise CheckBlocked(
                f"cannot test isolation: redis ({redis_ip}) does not answer a ping "
                "even from moby-counter"
            )
        reached = host_probe.pings(app2.image_id, netns_target(app2), [redis_ip])[0]
    if reached:
        raise CheckFailed(
            f"moby-counter2 reaches redis on moby-counter ({redis_ip}): the networks are "
            f"not isolated (moby-counter2 is on {', '.join(app2.network_names)})"
        )


def test_app2_connected(lab_host: HostSnapshot, app_reader: AppReader, docker_ip: str) -> None:
    """The second app moby-counter2 answers and says connected."""
    connected_view(require_container(lab_host, "moby-counter2"), app_reader, docker_ip)

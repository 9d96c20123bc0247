"""Part 1 of the lab, "Docker networking": checks on the topology the suite stands up.

Each check asks the ``networks_lab`` for the state it needs and measures it
from inside the containers' network namespaces with the suite's own probe
(``prober``); none relies on a tool of the lab's images, except ``ping_ip``,
which runs the lab's own command (`docker exec moby-counter ping -c 3 redis`).
"""

from __future__ import annotations

import re
import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest

from fixtures.provision.files import (
    address_on,
    in_subnet,
    ipam_config,
    parse_hosts,
    parse_resolv_conf,
    read_file,
)
from fixtures.provision.networks import NetworksLab
from fixtures.probes import Prober
from grading.api import FACT_KEY, expect

EMBEDDED_DNS = "127.0.0.11"
PING_LINE = re.compile(r"^PING\s+\S+\s+\(([0-9.]+)\)", re.MULTILINE)


def test_dns_redis(networks_lab: NetworksLab, prober: Prober) -> None:
    """From moby-counter, `redis` resolves through 127.0.0.11 to redis's address, and ping works."""
    first = networks_lab.first()
    expected = address_on(first.redis, first.net_name)
    answer = prober.dns(first.app, "redis")
    expect(
        answer.rcode == "NOERROR" and answer.addresses == (expected,),
        f"expected `nslookup redis {EMBEDDED_DNS}` from {first.app.name} to answer {expected} "
        f"(redis on {first.net_name}), found {answer}",
    )
    expect(
        prober.ping(first.app, "redis", count=3, timeout=3.0),
        f"expected `ping -c 3 redis` from {first.app.name} to get replies, found none",
    )


def test_ping_ip(networks_lab: NetworksLab, request: pytest.FixtureRequest) -> None:
    """`docker exec moby-counter ping -c 3 redis` shows redis's address on moby-counter."""
    first = networks_lab.first()
    expected = address_on(first.redis, first.net_name)
    code, output = networks_lab.lab_ping()
    shown = PING_LINE.search(output)
    expect(
        shown is not None,
        f"expected `ping -c 3 redis` in {first.app.name} to show an address, "
        f"found (exit {code}): {output.strip()[-300:]!r}",
    )
    assert shown is not None
    request.node.user_properties.append((FACT_KEY, f"ping -c 3 redis shows {shown.group(1)}"))
    expect(
        shown.group(1) == expected,
        f"expected ping to show {expected} (redis on {first.net_name}), found {shown.group(1)}",
    )
    expect(code == 0, f"expected ping to get replies (exit 0), found exit {code}: {output[-300:]!r}")


def test_embedded_dns(networks_lab: NetworksLab) -> None:
    """resolv.conf names 127.0.0.11 (ndots:0); /etc/hosts maps the container's address to its id."""
    first = networks_lab.first()
    resolv = parse_resolv_conf(read_file(first.app, "/etc/resolv.conf") or "")
    expect(
        resolv.nameservers == (EMBEDDED_DNS,),
        f"expected /etc/resolv.conf of {first.app.name} to name only nameserver {EMBEDDED_DNS}, "
        f"found {list(resolv.nameservers)}",
    )
    expect(
        "ndots:0" in resolv.options,
        f"expected `options ndots:0` in /etc/resolv.conf, found options {list(resolv.options)}",
    )
    hosts = parse_hosts(read_file(first.app, "/etc/hosts") or "")
    own = address_on(first.app, first.net_name)
    short_id = str(first.app.id)[:12]
    expect(
        short_id in hosts.get(own, ()),
        f"expected /etc/hosts to map {own} to the container's short id {short_id} "
        f"(its hostname), found {own} -> {list(hosts.get(own, ()))}",
    )


def test_app_connected(networks_lab: NetworksLab) -> None:
    """The app answers on its published port, /v1/ping says connected, a POSTed whale comes back."""
    web = networks_lab.first().web
    web.wait_connected()
    whale = f"{secrets.randbelow(900) + 10}:{secrets.randbelow(600) + 10}"
    answer = web.post(whale)
    expect(answer == "ok", f"expected POST /v1/whales to answer 'ok', found {answer!r}")
    whales = web.whales()
    expect(whale in whales, f"expected GET /v1/whales to return {whale}, found {whales}")


def test_nameserver(
    networks_lab: NetworksLab, prober: Prober, request: pytest.FixtureRequest
) -> None:
    """moby-counter2's nameserver is 127.0.0.11 too, and it answers for moby-counter2's network."""
    first, second = networks_lab.first(), networks_lab.second()
    resolv2 = parse_resolv_conf(read_file(second.app, "/etc/resolv.conf") or "")
    resolv1 = parse_resolv_conf(read_file(first.app, "/etc/resolv.conf") or "")
    request.node.user_properties.append(
        (FACT_KEY, f"nameserver of moby-counter2: {', '.join(resolv2.nameservers) or 'none'}")
    )
    expect(
        resolv2.nameservers == (EMBEDDED_DNS,) and resolv2.nameservers == resolv1.nameservers,
        f"expected {second.app.name} to use the embedded server {EMBEDDED_DNS} like "
        f"{first.app.name}, found {list(resolv2.nameservers)}",
    )
    own = address_on(second.app, second.app_network)
    answer = prober.dns(second.app, str(second.app.name))
    expect(
        answer.rcode == "NOERROR" and own in answer.addresses,
        f"expected {EMBEDDED_DNS} in {second.app.name} to answer its own name with {own}, "
        f"found {answer}",
    )


def test_unresolved_before_alias(networks_lab: NetworksLab, prober: Prober) -> None:
    """Before redis2 exists, `redis` does not resolve from moby-counter2 (NXDOMAIN)."""
    second = networks_lab.without_redis2()
    answer = prober.dns(second.app, "redis")
    expect(
        answer.rcode == "NXDOMAIN" and not answer.addresses,
        f"expected `nslookup redis {EMBEDDED_DNS}` from {second.app.name} to find nothing "
        f"(NXDOMAIN): moby-counter2 is isolated from moby-counter; found {answer}",
    )


def test_dns_alias(networks_lab: NetworksLab, prober: Prober) -> None:
    """With `--network-alias redis` on redis2, each app resolves `redis` to its own network's."""
    first, second = networks_lab.first(), networks_lab.second()
    redis2 = networks_lab.with_redis2()
    expected2 = address_on(redis2, second.net_name)
    answer2 = prober.dns(second.app, "redis")
    expect(
        answer2.rcode == "NOERROR" and answer2.addresses == (expected2,),
        f"expected `redis` from {second.app.name} to resolve to redis2 ({expected2} on "
        f"{second.net_name}), found {answer2}",
    )
    expected1 = address_on(first.redis, first.net_name)
    answer1 = prober.dns(first.app, "redis")
    expect(
        answer1.rcode == "NOERROR" and answer1.addresses == (expected1,),
        f"expected `redis` from {first.app.name} to still resolve to redis ({expected1}), "
        f"found {answer1}",
    )


def test_ipam(networks_lab: NetworksLab) -> None:
    """`network inspect` shows IPAM subnets and gateways; each address lies in its network's."""
    first, second = networks_lab.first(), networks_lab.second()
    redis2 = networks_lab.with_redis2()
    subnets = {}
    for net in (first.net, second.net):
        net.reload()
        config = ipam_config(net.attrs)
        expect(
            config and all(subnet and gateway for subnet, gateway in config),
            f"expected `network inspect {net.name}` to show an IPAM subnet and gateway, "
            f"found {config}",
        )
        subnets[str(net.name)] = config[0][0]
    members = [
        (first.redis, first.net_name),
        (first.app, first.net_name),
        (redis2, second.net_name),
        (second.app, second.net_name),
    ]
    for container, net_name in members:
        address = address_on(container, net_name)
        expect(
            address and in_subnet(address, subnets[net_name]),
            f"expected {container.name} to have an address in {net_name}'s subnet "
            f"{subnets[net_name]}, found {address or 'no address on that network'}",
        )
    expect(
        subnets[first.net_name] != subnets[second.net_name],
        f"expected the two networks' subnets to differ, found {subnets}",
    )


def test_isolation(networks_lab: NetworksLab, prober: Prober) -> None:
    """Neither app reaches the other network's redis by IP (ICMP, TCP 6379): measured."""
    first, second = networks_lab.first(), networks_lab.second()
    redis2 = networks_lab.with_redis2()
    ip1 = address_on(first.redis, first.net_name)
    ip2 = address_on(redis2, second.net_name)
    # controls: the measurement works where the lab says it should
    controls = [
        (f"{first.app.name} cannot reach its own redis at {ip1}:6379", first.app, ip1),
        (f"{second.app.name} cannot reach redis2 at {ip2}:6379", second.app, ip2),
    ]
    attempts = [
        (f"{app.name} -> {other} {ip}:6379 (TCP)", prober.tcp_connect, (app, ip, 6379, 1.0))
        for app, other, ip in ((first.app, "redis2", ip2), (second.app, "redis", ip1))
    ] + [
        (f"{app.name} -> {other} {ip} (ping)", prober.ping, (app, ip, 1, 1.0))
        for app, other, ip in ((first.app, "redis2", ip2), (second.app, "redis", ip1))
    ]
    measures = [(prober.tcp_connect, (app, ip, 6379)) for _, app, ip in controls]
    measures += [(measure, args) for _, measure, args in attempts]
    # controls and attempts at the same time: the attempts wait out their timeouts together
    with ThreadPoolExecutor(max_workers=len(measures)) as pool:
        results = list(pool.map(lambda m: m[0](*m[1]), measures))
    for (what, _, _), ok in zip(controls, results, strict=False):
        expect(ok, f"control failed: {what}")
    reached = results[len(controls):]
    breaches = [what for (what, _, _), hit in zip(attempts, reached, strict=True) if hit]
    expect(
        not breaches,
        "expected the two networks to be isolated, found reachable: " + "; ".join(breaches),
    )


def test_default_bridge_no_dns(networks_lab: NetworksLab, prober: Prober) -> None:
    """On the default bridge, container names do not resolve (beyond the lab's text)."""
    peer, asker = networks_lab.bridge_pair()
    peer_ip = address_on(peer, "bridge")
    expect(
        prober.tcp_connect(asker, peer_ip, 6379),
        f"control failed: {asker.name} cannot reach {peer.name} at {peer_ip}:6379 "
        "on the default bridge",
    )
    found = prober.resolve(asker, str(peer.name))
    expect(
        not found,
        f"expected {peer.name} not to resolve from {asker.name} on the default bridge, "
        f"found {list(found)}",
    )

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
from grading.api import FACT_KEY, expect, joined, says

EMBEDDED_DNS = "127.0.0.11"
PING_LINE = re.compile(r"^PING\s+\S+\s+\(([0-9.]+)\)", re.MULTILINE)


def test_dns_redis(networks_lab: NetworksLab, prober: Prober) -> None:
    """From moby-counter, `redis` resolves through 127.0.0.11 to redis's address, and ping works."""
    first = networks_lab.first()
    expected = address_on(first.redis, first.net_name)
    answer = prober.dns(first.app, "redis")
    expect(
        answer.rcode == "NOERROR" and answer.addresses == (expected,),
        says("provision.dns_redis", server=EMBEDDED_DNS, app=first.app.name, expected=expected,
             network=first.net_name, answer=answer.said()),
    )
    expect(
        prober.ping(first.app, "redis", count=3, timeout=3.0),
        says("provision.ping_no_reply", app=first.app.name),
    )


def test_ping_ip(networks_lab: NetworksLab, request: pytest.FixtureRequest) -> None:
    """`docker exec moby-counter ping -c 3 redis` shows redis's address on moby-counter."""
    first = networks_lab.first()
    expected = address_on(first.redis, first.net_name)
    code, output = networks_lab.lab_ping()
    shown = PING_LINE.search(output)
    expect(
        shown is not None,
        says("provision.ping_no_address", app=first.app.name, code=code,
             output=repr(output.strip()[-300:])),
    )
    assert shown is not None
    request.node.user_properties.append((FACT_KEY, says("provision.ping_shows",
                                                        address=shown.group(1))))
    expect(
        shown.group(1) == expected,
        says("provision.ping_wrong_address", expected=expected, network=first.net_name,
             found=shown.group(1)),
    )
    expect(code == 0, says("provision.ping_exit", code=code, output=repr(output[-300:])))


def test_embedded_dns(networks_lab: NetworksLab) -> None:
    """resolv.conf names 127.0.0.11 (ndots:0); /etc/hosts maps the container's address to its id."""
    first = networks_lab.first()
    resolv = parse_resolv_conf(read_file(first.app, "/etc/resolv.conf") or "")
    expect(
        resolv.nameservers == (EMBEDDED_DNS,),
        says("provision.resolv_nameserver", app=first.app.name, server=EMBEDDED_DNS,
             found=str(list(resolv.nameservers))),
    )
    expect(
        "ndots:0" in resolv.options,
        says("provision.resolv_ndots", found=str(list(resolv.options))),
    )
    hosts = parse_hosts(read_file(first.app, "/etc/hosts") or "")
    own = address_on(first.app, first.net_name)
    short_id = str(first.app.id)[:12]
    expect(
        short_id in hosts.get(own, ()),
        says("provision.hosts_short_id", address=own, short_id=short_id,
             found=str(list(hosts.get(own, ())))),
    )


def test_app_connected(networks_lab: NetworksLab) -> None:
    """The app answers on its published port, /v1/ping says connected, a POSTed whale comes back."""
    web = networks_lab.first().web
    web.wait_connected()
    whale = f"{secrets.randbelow(900) + 10}:{secrets.randbelow(600) + 10}"
    answer = web.post(whale)
    expect(answer == "ok", says("provision.post_answer", answer=repr(answer)))
    whales = web.whales()
    expect(whale in whales, says("provision.get_whales", whale=whale, whales=str(whales)))


def test_nameserver(
    networks_lab: NetworksLab, prober: Prober, request: pytest.FixtureRequest
) -> None:
    """moby-counter2's nameserver is 127.0.0.11 too, and it answers for moby-counter2's network."""
    first, second = networks_lab.first(), networks_lab.second()
    resolv2 = parse_resolv_conf(read_file(second.app, "/etc/resolv.conf") or "")
    resolv1 = parse_resolv_conf(read_file(first.app, "/etc/resolv.conf") or "")
    request.node.user_properties.append(
        (FACT_KEY, says("provision.nameserver_of",
                        servers=", ".join(resolv2.nameservers) or says("provision.none")))
    )
    expect(
        resolv2.nameservers == (EMBEDDED_DNS,) and resolv2.nameservers == resolv1.nameservers,
        says("provision.nameserver_same", app2=second.app.name, server=EMBEDDED_DNS,
             app1=first.app.name, found=str(list(resolv2.nameservers))),
    )
    own = address_on(second.app, second.app_network)
    answer = prober.dns(second.app, str(second.app.name))
    expect(
        answer.rcode == "NOERROR" and own in answer.addresses,
        says("provision.nameserver_own_name", server=EMBEDDED_DNS, app=second.app.name,
             address=own, answer=answer.said()),
    )


def test_unresolved_before_alias(networks_lab: NetworksLab, prober: Prober) -> None:
    """Before redis2 exists, `redis` does not resolve from moby-counter2 (NXDOMAIN)."""
    second = networks_lab.without_redis2()
    answer = prober.dns(second.app, "redis")
    expect(
        answer.rcode == "NXDOMAIN" and not answer.addresses,
        says("provision.unresolved_before_alias", server=EMBEDDED_DNS, app=second.app.name,
             answer=answer.said()),
    )


def test_dns_alias(networks_lab: NetworksLab, prober: Prober) -> None:
    """With `--network-alias redis` on redis2, each app resolves `redis` to its own network's."""
    first, second = networks_lab.first(), networks_lab.second()
    redis2 = networks_lab.with_redis2()
    expected2 = address_on(redis2, second.net_name)
    answer2 = prober.dns(second.app, "redis")
    expect(
        answer2.rcode == "NOERROR" and answer2.addresses == (expected2,),
        says("provision.dns_alias_second", app=second.app.name, address=expected2,
             network=second.net_name, answer=answer2.said()),
    )
    expected1 = address_on(first.redis, first.net_name)
    answer1 = prober.dns(first.app, "redis")
    expect(
        answer1.rcode == "NOERROR" and answer1.addresses == (expected1,),
        says("provision.dns_alias_first", app=first.app.name, address=expected1,
             answer=answer1.said()),
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
            says("provision.ipam_missing", network=net.name, config=str(config)),
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
            says("provision.ipam_address", container=container.name, network=net_name,
                 subnet=subnets[net_name],
                 address=address or says("provision.no_address_on_network")),
        )
    expect(
        subnets[first.net_name] != subnets[second.net_name],
        says("provision.ipam_same_subnets", subnets=str(subnets)),
    )


def test_isolation(networks_lab: NetworksLab, prober: Prober) -> None:
    """Neither app reaches the other network's redis by IP (ICMP, TCP 6379): measured."""
    first, second = networks_lab.first(), networks_lab.second()
    redis2 = networks_lab.with_redis2()
    ip1 = address_on(first.redis, first.net_name)
    ip2 = address_on(redis2, second.net_name)
    # controls: the measurement works where the lab says it should
    controls = [
        (says("provision.control_own_redis", app=first.app.name, address=ip1), first.app, ip1),
        (says("provision.control_redis2", app=second.app.name, address=ip2), second.app, ip2),
    ]
    attempts = [
        (says("provision.reached_tcp", app=app.name, other=other, address=ip),
         prober.tcp_connect, (app, ip, 6379, 1.0))
        for app, other, ip in ((first.app, "redis2", ip2), (second.app, "redis", ip1))
    ] + [
        (says("provision.reached_ping", app=app.name, other=other, address=ip),
         prober.ping, (app, ip, 1, 1.0))
        for app, other, ip in ((first.app, "redis2", ip2), (second.app, "redis", ip1))
    ]
    measures = [(prober.tcp_connect, (app, ip, 6379)) for _, app, ip in controls]
    measures += [(measure, args) for _, measure, args in attempts]
    # controls and attempts at the same time: the attempts wait out their timeouts together
    with ThreadPoolExecutor(max_workers=len(measures)) as pool:
        results = list(pool.map(lambda m: m[0](*m[1]), measures))
    for (what, _, _), ok in zip(controls, results, strict=False):
        expect(ok, what)
    reached = results[len(controls):]
    breaches = [what for (what, _, _), hit in zip(attempts, reached, strict=True) if hit]
    expect(
        not breaches,
        says("provision.not_isolated", breaches=joined(breaches)),
    )


def test_default_bridge_no_dns(networks_lab: NetworksLab, prober: Prober) -> None:
    """On the default bridge, container names do not resolve (beyond the lab's text)."""
    peer, asker = networks_lab.bridge_pair()
    peer_ip = address_on(peer, "bridge")
    expect(
        prober.tcp_connect(asker, peer_ip, 6379),
        says("provision.control_bridge", asker=asker.name, peer=peer.name, address=peer_ip),
    )
    found = prober.resolve(asker, str(peer.name))
    expect(
        not found,
        says("provision.bridge_resolves", peer=peer.name, asker=asker.name,
             found=str(list(found))),
    )

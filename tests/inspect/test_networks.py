"""Inspect mode, networking part: the student's host at "Arrêtons nos conteneurs".

Both networks, both apps, ``redis`` and ``redis2`` with its alias. Objects are
found by the lab's names or, when the student typed another one, by what they
made for it (``fixtures.inspect.rules.find_*``): the naming check deducts the
deviation once, the behaviour checks measure what was found. A check that
cannot observe (a stopped container, a probe that cannot run) is blocked with
the reason. The first docstring line of each check is its rubric line. Nothing
on the host is changed: reads, GETs and probe containers only.
"""

from __future__ import annotations

import ipaddress

from fixtures.inspect.http import AppReader
from fixtures.inspect.plugin import connected_view, netns_target, probing, require_pattern
from fixtures.inspect.probe import HostProbe
from fixtures.inspect.rules import (
    STEP_NET2,
    STEP_REDIS2,
    STEP_RUN,
    Problem,
    answers_to,
    bridge_problem,
    dns_text,
    fail,
    find_container,
    image_problem,
    is_app,
    isolation_vantage,
    measured_container,
    measured_network,
    named_problem,
    network_name,
    network_problem,
    placement_hint,
    port_problem,
    require_network,
    run_problem,
)
from fixtures.inspect.snapshot import ContainerFacts, HostSnapshot
from grading.api import CheckBlocked, CheckFailed, Text, engine_state, partial, says

NET1, NET2 = "moby-counter", "moby-counter2"


def _container(lab_host: HostSnapshot, name: str, role: str, network: str,
               alias: str | None = None, missing: Text | None = None) -> ContainerFacts:
    """For a container check: what the student made for ``name``, or a failure (``missing``:
    its hint, else run it as the handout does at its step)."""
    c = find_container(lab_host, name, role, network_name(lab_host, network), alias)
    if c is None:
        c = find_container(lab_host, name, role, None, None)  # on another network
    if c is None:
        raise CheckFailed(says("inspect.container_missing", name=name),
                          objects=[f"container:{name}"],
                          hint=missing or says("inspect.hint.run", name=name,
                                               step=STEP_RUN if network == NET1 else STEP_NET2))
    return c


def _run_redis2(net2: str) -> Text:
    """Run the second redis as the handout does: on moby-counter2, with the alias redis."""
    return says("inspect.hint.run_own_redis", name="redis2", network=net2, alias="redis",
                step=STEP_REDIS2)


def _grade_container(c: ContainerFacts, name: str, step: str, *problems: object) -> None:
    """Fail with every real problem; a wrong name alone costs half the check."""
    real = [p for p in problems if p is not None]
    naming = named_problem(c, name, step)
    if real:
        fail(*real, naming, objects=[f"container:{c.name}"])  # type: ignore[arg-type]
    if naming is not None:
        partial(0.5, naming.message, hint=naming.hint)


def _address(c: ContainerFacts, network: str) -> str:
    """``c``'s address on ``network``; not measurable while it is stopped or off that network."""
    problem = run_problem(c)
    if problem:
        raise CheckBlocked(says("inspect.blocked_not_running", what=says(
            "inspect.what_address", name=c.name, network=network), problem=problem.message),
            hint=problem.hint)
    ep = c.endpoint(network)
    if ep is None or not ep.ip:
        raise CheckBlocked(says("inspect.no_address", name=c.name, network=network,
                                status=engine_state(c.status)))
    return ep.ip


def test_moby_counter_network(lab_host: HostSnapshot) -> None:
    """Network moby-counter exists: a user-defined bridge."""
    fail(bridge_problem(require_network(lab_host, NET1)), objects=[f"network:{NET1}"])


def test_redis_container(lab_host: HostSnapshot) -> None:
    """Container redis runs a redis image on network moby-counter."""
    c = _container(lab_host, "redis", "redis", NET1, alias="redis")
    net = network_name(lab_host, NET1)
    _grade_container(c, "redis", STEP_RUN, image_problem(c, "redis"), run_problem(c),
                     network_problem(c, net, STEP_RUN))


def test_app_container(lab_host: HostSnapshot) -> None:
    """Container moby-counter runs the app on network moby-counter, port 80 published."""
    c = _container(lab_host, "moby-counter", "app", NET1)
    net = network_name(lab_host, NET1)
    _grade_container(c, "moby-counter", STEP_RUN, image_problem(c, "moby-counter"),
                     run_problem(c), port_problem(c), network_problem(c, net, STEP_RUN))


def _app1(lab_host: HostSnapshot) -> ContainerFacts:
    return measured_container(lab_host, "moby-counter", "app", network_name(lab_host, NET1))


def _app2(lab_host: HostSnapshot) -> ContainerFacts:
    c = find_container(lab_host, "moby-counter2", "app", network_name(lab_host, NET2))
    return c or measured_container(lab_host, "moby-counter2", "app")


def test_app_connected(lab_host: HostSnapshot, app_reader: AppReader, docker_ip: str) -> None:
    """The app's page answers on its published port and /v1/ping says connected."""
    connected_view(_app1(lab_host), app_reader, docker_ip, lab_host,
                   home=network_name(lab_host, NET1))


def test_pattern(lab_host: HostSnapshot, app_reader: AppReader, docker_ip: str) -> None:
    """The app holds a pattern: at least 3 whales."""
    require_pattern(_app1(lab_host), app_reader, docker_ip)


def test_dns_redis(lab_host: HostSnapshot, host_probe: HostProbe) -> None:
    """From moby-counter, redis resolves through 127.0.0.11 to redis's address."""
    net = measured_network(lab_host, NET1).name
    app = _app1(lab_host)
    redis = measured_container(lab_host, "redis", "redis", net, alias="redis")
    expected = _address(redis, net)
    with probing(says("inspect.what_dns", name=app.name)):
        answer = host_probe.dns(app.image_id, netns_target(app), ["redis"])[0]
    if answer.addresses != (expected,):
        # Several addresses: another container on the network also answers to redis,
        # and the app may talk to either.
        hint = None if answers_to(redis, net, "redis") else says(
            "inspect.hint.container_rename", name="redis", found=redis.name, step=STEP_RUN)
        raise CheckFailed(says("inspect.dns_redis_other", app=app.name, answer=dns_text(answer),
                               expected=expected, redis=redis.name, network=net),
                          objects=[f"container:{app.name}", f"container:{redis.name}"], hint=hint)


def test_moby_counter2_network(lab_host: HostSnapshot) -> None:
    """Network moby-counter2 exists: a user-defined bridge."""
    fail(bridge_problem(require_network(lab_host, NET2)), objects=[f"network:{NET2}"])


def test_app2_container(lab_host: HostSnapshot) -> None:
    """Container moby-counter2 runs the app on moby-counter2 only, port 80 on host port 9090."""
    c = _container(lab_host, "moby-counter2", "app", NET2)
    net2 = network_name(lab_host, NET2)
    others = [n for n in c.network_names if n != net2]
    extra = None
    if others and c.endpoint(net2) is not None:
        extra = Problem(says("inspect.also_on", name=c.name, others=", ".join(others), network=net2),
                        placement_hint(c, net2, STEP_NET2))
    # off moby-counter2: the hint connects it there and takes it off the others, at once
    _grade_container(c, "moby-counter2", STEP_NET2, image_problem(c, "moby-counter"),
                     run_problem(c), port_problem(c, "9090"),
                     network_problem(c, net2, STEP_NET2, only=True), extra)


def test_alias(lab_host: HostSnapshot) -> None:
    """Container redis2 on moby-counter2 carries the network alias redis."""
    net2 = network_name(lab_host, NET2)
    c = _container(lab_host, "redis2", "redis", NET2, alias="redis", missing=_run_redis2(net2))
    fail(network_problem(c, net2, STEP_REDIS2), objects=[f"container:{c.name}"])
    if not answers_to(c, net2, "redis"):
        ep = c.endpoint(net2)
        aliases = ", ".join(a for a in (ep.aliases if ep else ()) if a not in (c.id[:12], c.name))
        raise CheckFailed(says("inspect.no_alias", name=c.name, network=net2,
                               found=aliases or says("inspect.none")),
                          objects=[f"container:{c.name}"],
                          hint=says("inspect.hint.add_alias", name=c.name, network=net2,
                                    step=STEP_REDIS2))
    naming = named_problem(c, "redis2", STEP_REDIS2)
    if naming is not None:
        partial(0.5, naming.message, hint=naming.hint)


def test_dns_alias(lab_host: HostSnapshot, host_probe: HostProbe) -> None:
    """From moby-counter2, redis resolves to redis2's address on moby-counter2."""
    net2 = measured_network(lab_host, NET2).name
    app2 = _app2(lab_host)
    if net2 not in app2.network_names:
        # its resolver is another network's: what it answers says nothing of the alias
        # (app2_container already costs the wrong network); the hint puts it there alone
        raise CheckBlocked(says("inspect.blocked_app2_off_network", app=app2.name, network=net2,
                                found=", ".join(app2.network_names) or "-"),
                           hint=placement_hint(app2, net2, STEP_NET2))
    carriers = [c for c in lab_host.on_network(net2) if c.id != app2.id
                and answers_to(c, net2, "redis")]
    if not carriers:
        raise CheckBlocked(says("inspect.blocked_no_alias", network=net2))
    redis2 = min(carriers, key=lambda c: (c.name != "redis2", not c.running))
    expected = _address(redis2, net2)
    with probing(says("inspect.what_dns", name=app2.name)):
        answer = host_probe.dns(app2.image_id, netns_target(app2), ["redis"])[0]
    own = {ep.ip for c in lab_host.on_network(net2) for ep in c.endpoints if ep.network == net2}
    strangers = [a for a in answer.addresses if a not in own]
    others = [n for n in app2.network_names if n != net2]
    if (expected not in answer.addresses or strangers) and others:
        # On another network too, app2 asks that network's DNS as well: redis there (the first
        # redis) answers, whatever redis2's alias. The extra network is the fault, not the alias.
        who = sorted({c.name for n in others for c in lab_host.on_network(n) if c.id != app2.id
                      for ep in c.endpoints if ep.network == n and ep.ip in answer.addresses})
        message = says("inspect.dns_alias_extra_network", app=app2.name, answer=dns_text(answer),
                       expected=expected, redis=redis2.name, network=net2,
                       others=", ".join(others), found=", ".join(who)) if who else says(
            "inspect.dns_alias_other", app=app2.name, answer=dns_text(answer),
            expected=expected, redis=redis2.name, network=net2)
        raise CheckFailed(message, objects=[f"container:{app2.name}", f"container:{redis2.name}"],
                          hint=placement_hint(app2, net2, STEP_NET2))
    if expected not in answer.addresses or strangers:
        raise CheckFailed(says("inspect.dns_alias_other", app=app2.name, answer=dns_text(answer),
                               expected=expected, redis=redis2.name, network=net2),
                          objects=[f"container:{app2.name}", f"container:{redis2.name}"])


def _isolation_vantage(lab_host: HostSnapshot, net1: str, net2: str) -> ContainerFacts:
    """A container to look at moby-counter2's isolation from (see ``isolation_vantage``), or
    blocked naming why none is there: the second app misplaced costs app2_container, not this."""
    vantage = isolation_vantage(lab_host, net1, net2)
    if vantage is not None:
        return vantage
    app2 = _app2(lab_host)  # blocked when there is no second app at all
    raise CheckBlocked(says("inspect.blocked_isolation_no_vantage", app=app2.name, network=net2,
                            other=net1, found=", ".join(app2.network_names) or "-"),
                       by="networks.app2_container", hint=placement_hint(app2, net2, STEP_NET2))


def test_isolation(lab_host: HostSnapshot, host_probe: HostProbe) -> None:
    """moby-counter2 cannot reach redis on moby-counter by IP; the two subnets differ."""
    net1 = measured_network(lab_host, NET1)
    net2 = measured_network(lab_host, NET2)
    nets1 = [ipaddress.ip_network(s, strict=False) for s in net1.subnets]
    nets2 = [ipaddress.ip_network(s, strict=False) for s in net2.subnets]
    overlap = [f"{a} / {b}" for a in nets1 for b in nets2 if a.overlaps(b)]
    if overlap or not nets1 or not nets2:
        raise CheckFailed(says("inspect.subnets_overlap", net1=net1.name, net2=net2.name,
                               found=", ".join(overlap) or "?"),
                          objects=[f"network:{net1.name}", f"network:{net2.name}"])
    redis = measured_container(lab_host, "redis", "redis", net1.name, alias="redis")
    redis_ip = _address(redis, net1.name)
    app1 = _app1(lab_host)
    # From a container on moby-counter2 alone: the second app, as the handout pings from it,
    # or (the app misplaced, which app2_container deducts) another one there, redis2 first.
    vantage = _isolation_vantage(lab_host, net1.name, net2.name)
    # The app's image, whose ping the control proves, unless the vantage is an app itself.
    image = vantage.image_id if is_app(vantage) else app1.image_id
    with probing(says("inspect.what_reach")):
        # A control from its own network first: a redis that does not answer proves nothing.
        # ping, as the handout does (docker exec moby-counter ping -c 3 redis).
        if not host_probe.pings(app1.image_id, netns_target(app1), [redis_ip])[0]:
            raise CheckBlocked(says("inspect.isolation_no_control", redis=redis.name, ip=redis_ip,
                                    app=app1.name))
        reached = host_probe.pings(image, netns_target(vantage), [redis_ip])[0]
    if reached:
        raise CheckFailed(says("inspect.not_isolated", app=vantage.name, redis=redis.name,
                               ip=redis_ip, network=net1.name,
                               networks=", ".join(vantage.network_names)),
                          objects=[f"network:{net1.name}", f"network:{net2.name}"])


def test_app2_connected(lab_host: HostSnapshot, app_reader: AppReader, docker_ip: str) -> None:
    """The second app moby-counter2 answers and says connected."""
    # Never "connect it to moby-counter" (that redis is the first app's): with no redis
    # answering on moby-counter2, run redis2 there with its alias, as the handout does.
    connected_view(_app2(lab_host), app_reader, docker_ip, lab_host,
                   home=network_name(lab_host, NET2), step=STEP_NET2, alone=True,
                   own_redis="redis2")

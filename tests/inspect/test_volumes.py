"""Inspect mode, volumes part: the student's host at "Visitez la deuxième application".

``redis_data`` holds the first redis's data; a second redis (any name, reached
as ``redis`` or through the second app's ``USE_REDIS_HOST``) on
``moby-counter2`` shares it read-only (``-v``, ``--mount``, ``--volumes-from`` or a
bind mount of the volume's own directory) and a second app shows the same
pattern. A volume or network under a near name is deducted once, by its own
check; the others measure what was found. Nothing on the host is changed: the
volume is read through a read-only probe mount and the write test is undone if
it ever succeeds.
"""

from __future__ import annotations

import pytest

from fixtures.inspect.http import AppReader, common_prefix
from fixtures.inspect.plugin import (
    PATTERN,
    app_view,
    connected_view,
    probe_image,
    probing,
    require_pattern,
    whales_of,
)
from fixtures.inspect.probe import HostProbe
from fixtures.inspect.rules import (
    STEP_APP2,
    STEP_REDIS_VOLUME,
    STEP_SECOND_REDIS,
    STEP_VOLUME,
    ContainerFacts,
    apps_naming,
    data_mount,
    fail,
    find_container,
    find_volume,
    image_problem,
    measured_container,
    mount_problem,
    named_problem,
    network_name,
    network_problem,
    pattern_hint,
    run_problem,
    second_app,
    second_app_missing_hint,
    second_mount_problem,
    second_redis,
    second_redis_alias_problem,
    second_redis_missing_hint,
)
from fixtures.inspect.snapshot import LAB_VOLUME, HostSnapshot, VolumeFacts
from grading.api import FACT_KEY, CheckBlocked, CheckFailed, partial, says

NET1, NET2 = "moby-counter", "moby-counter2"


def _measured_volume(lab_host: HostSnapshot) -> VolumeFacts:
    volume = find_volume(lab_host)
    if volume is None:
        raise CheckBlocked(says("inspect.blocked_no_volume", name=LAB_VOLUME))
    return volume


def _redis2(lab_host: HostSnapshot) -> ContainerFacts:
    c = second_redis(lab_host, network_name(lab_host, NET2), find_volume(lab_host))
    if c is None:
        raise CheckBlocked(says("inspect.blocked_no_second_redis", network=network_name(lab_host, NET2)))
    return c


def _app2(lab_host: HostSnapshot) -> ContainerFacts:
    c = second_app(lab_host, network_name(lab_host, NET2))
    if c is None:
        raise CheckBlocked(says("inspect.blocked_no_second_app", network=network_name(lab_host, NET2)))
    return c


def _app1(lab_host: HostSnapshot) -> ContainerFacts:
    return measured_container(lab_host, "moby-counter", "app", network_name(lab_host, NET1))


def test_redis_data(lab_host: HostSnapshot) -> None:
    """Volume redis_data exists (local driver)."""
    volume = find_volume(lab_host)
    if volume is None:
        named = [v.name for v in lab_host.volumes if not v.anonymous]
        raise CheckFailed(says("inspect.volume_missing", name=LAB_VOLUME,
                               found=", ".join(named) or says("inspect.none")),
                          objects=[f"volume:{LAB_VOLUME}"],
                          hint=says("inspect.hint.volume_create", step=STEP_VOLUME))
    if volume.name != LAB_VOLUME:
        raise CheckFailed(says("inspect.did_you_mean_volume", name=LAB_VOLUME, found=volume.name),
                          objects=[f"volume:{volume.name}"],
                          hint=says("inspect.hint.volume_rename", found=volume.name,
                                    step=STEP_VOLUME))
    if volume.driver != "local":
        raise CheckFailed(says("inspect.volume_driver", name=volume.name, driver=volume.driver),
                          objects=[f"volume:{volume.name}"])


def test_redis_mount(lab_host: HostSnapshot) -> None:
    """Container redis on moby-counter mounts redis_data at /data, read-write."""
    volume = find_volume(lab_host)
    net = network_name(lab_host, NET1)
    c = find_container(lab_host, "redis", "redis", net, alias="redis")
    if c is None:
        raise CheckFailed(says("inspect.container_missing", name="redis"),
                          objects=["container:redis"],
                          hint=says("inspect.hint.mount", name="redis",
                                    volume=volume.name if volume else LAB_VOLUME))
    fail(network_problem(c, net, STEP_REDIS_VOLUME), mount_problem(c, volume),
         objects=[f"container:{c.name}", f"mount:{c.name}:/data"])
    mount = data_mount(c)
    if mount is not None and not mount.rw:
        raise CheckFailed(says("inspect.first_redis_readonly", name=c.name),
                          objects=[f"mount:{c.name}:/data"],
                          hint=says("inspect.hint.mount", name=c.name,
                                    volume=volume.name if volume else LAB_VOLUME))
    naming = named_problem(c, "redis", STEP_REDIS_VOLUME)
    if naming is not None:
        partial(0.5, naming.message, hint=naming.hint)


def test_app_connected(lab_host: HostSnapshot, app_reader: AppReader, docker_ip: str) -> None:
    """The app moby-counter answers and says connected."""
    connected_view(_app1(lab_host), app_reader, docker_ip, lab_host)


def test_pattern(lab_host: HostSnapshot, app_reader: AppReader, docker_ip: str) -> None:
    """The app moby-counter shows a pattern: at least 3 whales."""
    require_pattern(_app1(lab_host), app_reader, docker_ip)


def test_persisted(lab_host: HostSnapshot, host_probe: HostProbe) -> None:
    """Volume redis_data holds a dump.rdb with data."""
    volume = _measured_volume(lab_host)
    with probing(says("inspect.what_read_volume", name=volume.name)):
        files = host_probe.volume_files(probe_image(lab_host, host_probe), volume.name)
    size = files.get("dump.rdb", (None, ""))[0]
    if size is None:
        found = ", ".join(sorted(files)[:10])
        raise CheckFailed(says("inspect.no_dump", name=volume.name,
                               found=found or says("inspect.nothing")),
                          objects=[f"volume:{volume.name}"])
    if size == 0:
        raise CheckFailed(says("inspect.empty_dump", name=volume.name),
                          objects=[f"volume:{volume.name}"])


def test_second_redis(lab_host: HostSnapshot, request: pytest.FixtureRequest) -> None:
    """A redis container on moby-counter2 with the alias redis mounts redis_data at /data."""
    net2 = network_name(lab_host, NET2)
    volume = find_volume(lab_host)
    c = second_redis(lab_host, net2, volume)
    if c is None:
        on_net = ", ".join(x.name for x in lab_host.on_network(net2))
        raise CheckFailed(says("inspect.second_redis_missing", network=net2,
                               found=on_net or says("inspect.none")),
                          objects=[f"network:{net2}"],
                          hint=second_redis_missing_hint(lab_host, net2, volume))
    fail(image_problem(c, "redis"), run_problem(c), second_mount_problem(c, volume, net2),
         objects=[f"container:{c.name}", f"mount:{c.name}:/data"])
    mount = data_mount(c)
    if mount is not None and mount.type == "bind" and volume is not None:
        request.node.user_properties.append(
            (FACT_KEY, says("inspect.fact_bind_of_volume", name=c.name, volume=volume.name,
                            source=mount.source)))
    no_alias = second_redis_alias_problem(c, net2, volume)
    if no_alias is not None:
        # Reached all the same by an app that names it in USE_REDIS_HOST: it works, half the
        # points (the step asks for the alias); reached by nothing: the step is not done.
        apps = apps_naming(lab_host, c, net2)
        if apps:
            partial(0.5, says("inspect.second_redis_by_env", name=c.name, network=net2,
                              apps=", ".join(a.name for a in apps)), hint=no_alias.hint)
        fail(no_alias, objects=[f"container:{c.name}"])


def test_readonly(lab_host: HostSnapshot, host_probe: HostProbe) -> None:
    """The second redis mounts redis_data read-only: a write into its /data fails."""
    volume = find_volume(lab_host)
    c = _redis2(lab_host)
    problem = second_mount_problem(c, volume, network_name(lab_host, NET2))
    if problem is not None:  # second_redis deducts it; nothing of the lab's volume to protect
        raise CheckBlocked(problem.message, hint=problem.hint)
    mount = data_mount(c)
    if mount is not None and mount.rw:
        raise CheckFailed(says("inspect.second_redis_rw", name=c.name,
                               volume=volume.name if volume else LAB_VOLUME),
                          objects=[f"mount:{c.name}:/data"],
                          hint=says("inspect.hint.readonly", name=c.name,
                                    volume=volume.name if volume else LAB_VOLUME))
    with probing(says("inspect.what_write", name=c.name)):
        failed, _ = host_probe.write_fails(c.image_id, c.id)
    if not failed:
        raise CheckFailed(says("inspect.write_succeeded", name=c.name),
                          objects=[f"mount:{c.name}:/data"])


def test_app2(lab_host: HostSnapshot, app_reader: AppReader, docker_ip: str) -> None:
    """An app container on moby-counter2 answers and says connected."""
    net2 = network_name(lab_host, NET2)
    c = second_app(lab_host, net2)
    if c is None:
        on_net = ", ".join(x.name for x in lab_host.on_network(net2))
        raise CheckFailed(says("inspect.second_app_missing", network=net2,
                               found=on_net or says("inspect.none")),
                          objects=[f"network:{net2}"],
                          hint=second_app_missing_hint(lab_host, net2))
    connected_view(c, app_reader, docker_ip, lab_host, home=net2, step=STEP_APP2,
                   alias_step=STEP_SECOND_REDIS)


def test_same_pattern(lab_host: HostSnapshot, app_reader: AppReader, docker_ip: str) -> None:
    """The second app shows the first app's saved pattern."""
    app1 = _app1(lab_host)
    first = whales_of(app_view(app1, app_reader, docker_ip), app1.name)
    app2 = _app2(lab_host)
    second = whales_of(app_view(app2, app_reader, docker_ip), app2.name)
    shared = common_prefix(first, second)
    if shared < PATTERN:
        raise CheckFailed(says("inspect.patterns_differ", app2=app2.name, count2=len(second),
                               app1=app1.name, count1=len(first), shared=shared, wanted=PATTERN),
                          objects=[f"container:{app2.name}"],
                          hint=pattern_hint(lab_host, network_name(lab_host, NET1),
                                            network_name(lab_host, NET2), app2))

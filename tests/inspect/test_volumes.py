"""Inspect mode, volumes part: the student's host at "Visitez la deuxième application".

``redis_data`` holds the first redis's data; a second redis (any name, alias
``redis``) on ``moby-counter2`` mounts it read-only and a second app shows the
same pattern. Nothing on the host is changed: the volume is read through a
read-only probe mount and the write test is undone if it ever succeeds.
"""

from __future__ import annotations

from fixtures.inspect.http import AppReader, common_prefix
from fixtures.inspect.plugin import (
    PATTERN,
    app_view,
    connected_view,
    fail_on,
    probe_image,
    probing,
    require_pattern,
    whales_of,
)
from fixtures.inspect.probe import HostProbe
from fixtures.inspect.rules import (
    data_mount,
    image_problem,
    mount_problem,
    require_container,
    require_on,
    run_problem,
    second_app,
    second_redis,
)
from fixtures.inspect.snapshot import LAB_VOLUME, HostSnapshot
from grading.api import CheckFailed


def _volume(lab_host: HostSnapshot) -> None:
    if lab_host.volume(LAB_VOLUME) is None:
        named = [v.name for v in lab_host.volumes if not v.anonymous]
        raise CheckFailed(
            f"expected a volume named {LAB_VOLUME}, found none "
            f"(named volumes: {', '.join(named) or 'none'})"
        )


def test_redis_data(lab_host: HostSnapshot) -> None:
    """Volume redis_data exists (local driver)."""
    _volume(lab_host)
    volume = lab_host.volume(LAB_VOLUME)
    if volume is not None and volume.driver != "local":
        raise CheckFailed(f"volume {LAB_VOLUME} uses the {volume.driver} driver, expected local")


def test_redis_mount(lab_host: HostSnapshot) -> None:
    """Container redis on moby-counter mounts redis_data at /data, read-write."""
    c = require_container(lab_host, "redis")
    require_on(c, "moby-counter")
    fail_on(mount_problem(c))
    mount = data_mount(c)
    if mount is not None and not mount.rw:
        raise CheckFailed("redis mounts redis_data read-only: the first redis must write its data")


def test_app_connected(lab_host: HostSnapshot, app_reader: AppReader, docker_ip: str) -> None:
    """The app moby-counter answers and says connected."""
    connected_view(require_container(lab_host, "moby-counter"), app_reader, docker_ip)


def test_pattern(lab_host: HostSnapshot, app_reader: AppReader, docker_ip: str) -> None:
    """The app moby-counter shows a pattern: at least 3 whales."""
    require_pattern(require_container(lab_host, "moby-counter"), app_reader, docker_ip)


def test_persisted(lab_host: HostSnapshot, host_probe: HostProbe) -> None:
    """Volume redis_data holds a dump.rdb with data."""
    _volume(lab_host)
    with probing(f"read the volume {LAB_VOLUME}"):
        files = host_probe.volume_files(probe_image(lab_host, host_probe), LAB_VOLUME)
    size = files.get("dump.rdb", (None, ""))[0]
    if size is None:
        found = ", ".join(sorted(files)) or "nothing"
        raise CheckFailed(f"expected dump.rdb in volume {LAB_VOLUME}, found {found}")
    if size == 0:
        raise CheckFailed(f"dump.rdb in volume {LAB_VOLUME} is empty")


def test_second_redis(lab_host: HostSnapshot) -> None:
    """A redis container on moby-counter2 with the alias redis mounts redis_data at /data."""
    c = second_redis(lab_host)
    fail_on(image_problem(c, "redis"), run_problem(c), mount_problem(c))


def test_readonly(lab_host: HostSnapshot, host_probe: HostProbe) -> None:
    """The second redis mounts redis_data read-only: a write into its /data fails."""
    c = second_redis(lab_host)
    fail_on(mount_problem(c))
    mount = data_mount(c)
    if mount is not None and mount.rw:
        raise CheckFailed(f"{c.name} mounts {LAB_VOLUME} at /data read-write, expected :ro")
    with probing(f"test a write into {c.name}'s /data"):
        failed, _ = host_probe.write_fails(c.image_id, c.id)
    if not failed:
        raise CheckFailed(f"a write into {c.name}'s /data succeeded (undone): it is not read-only")


def test_app2(lab_host: HostSnapshot, app_reader: AppReader, docker_ip: str) -> None:
    """An app container on moby-counter2 answers and says connected."""
    connected_view(second_app(lab_host), app_reader, docker_ip)


def test_same_pattern(lab_host: HostSnapshot, app_reader: AppReader, docker_ip: str) -> None:
    """The second app shows the first app's saved pattern."""
    first = whales_of(
        app_view(require_container(lab_host, "moby-counter"), app_reader, docker_ip), "moby-counter"
    )
    app2 = second_app(lab_host)
    second = whales_of(app_view(app2, app_reader, docker_ip), app2.name)
    shared = common_prefix(first, second)
    if shared < PATTERN:
        raise CheckFailed(
            f"{app2.name} shows {len(second)} whale(s) and moby-counter {len(first)}; they share "
            f"{shared} from the start, expected the saved pattern (at least {PATTERN})"
        )

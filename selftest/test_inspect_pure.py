"""Inspect mode's pure parts, without Docker: snapshot parsing, the lab's rules, app reading."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from fixtures.facts import prune_drift
from fixtures.inspect.http import AppReader, common_prefix, look
from fixtures.inspect.rules import (
    app_url,
    bridge_problem,
    carries_alias,
    image_problem,
    is_app,
    is_redis,
    mount_problem,
    port_problem,
    published,
    run_problem,
    second_app,
    second_redis,
)
from fixtures.inspect.snapshot import (
    HostSnapshot,
    PortBinding,
    container_facts,
    facts_from_api,
    is_relevant,
    network_facts,
    normalise_repository,
)
from grading.api import CheckFailed


def _inspect(name: str, image: str = "redis:alpine", *, status: str = "running",
             networks: dict[str, list[str]] | None = None, mounts: list[dict[str, Any]] | None = None,
             ports: dict[str, Any] | None = None, restarts: int = 0,
             labels: dict[str, str] | None = None) -> dict[str, Any]:
    cid = (name.encode().hex() + "0" * 64)[:64]
    nets = {
        net: {"NetworkID": f"id-{net}", "IPAddress": f"172.{18 + i}.0.{len(name)}",
              "Aliases": [*aliases, cid[:12]]}
        for i, (net, aliases) in enumerate((networks or {}).items())
    }
    return {
        "Id": cid, "Name": f"/{name}", "Image": f"sha256:{image}", "RestartCount": restarts,
        "Config": {"Image": image, "Labels": labels or {}},
        "State": {"Status": status, "ExitCode": 0 if status == "running" else 1},
        "NetworkSettings": {"Networks": nets, "Ports": ports or {}},
        "HostConfig": {"PortBindings": {}},
        "Mounts": mounts or [],
    }


def _volume_mount(name: str, rw: bool = True, dest: str = "/data") -> dict[str, Any]:
    return {"Type": "volume", "Name": name, "Source": f"/v/{name}", "Destination": dest, "RW": rw}


def _snapshot(*inspects: dict[str, Any]) -> HostSnapshot:
    return facts_from_api([], inspects, {}, [], [])


@pytest.mark.parametrize(
    ("ref", "repo"),
    [
        ("redis:alpine", "redis"),
        ("redis", "redis"),
        ("docker.io/library/redis:7-alpine", "redis"),
        ("redis@sha256:" + "a" * 64, "redis"),
        ("localhost:5000/redis:7", "redis"),
        ("russmckendrick/moby-counter:latest", "russmckendrick/moby-counter"),
        ("registry.example.org:443/russmckendrick/moby-counter", "russmckendrick/moby-counter"),
    ],
)
def test_normalise_repository(ref: str, repo: str) -> None:
    assert normalise_repository(ref) == repo


def test_image_roles_by_repository_or_stand_in_label() -> None:
    images = {"sha256:abc": {"RepoTags": ["redis:7-alpine"], "RepoDigests": []}}
    by_id = container_facts({**_inspect("redis", "abc"), "Image": "sha256:abc"}, images["sha256:abc"])
    assert is_redis(by_id) and not is_app(by_id)
    stand_in = container_facts(_inspect("x", "mobygrade/redis:local",
                                        labels={"mobygrade.image": "redis"}), {})
    assert is_redis(stand_in)
    other = container_facts(_inspect("y", "nginx"), {})
    assert not is_redis(other)
    assert image_problem(other, "redis") == "container y runs the image nginx, expected redis:alpine"
    app = container_facts(_inspect("a", "russmckendrick/moby-counter"), {})
    assert is_app(app) and image_problem(app, "moby-counter") is None


def test_run_problems_name_the_state() -> None:
    ok = container_facts(_inspect("redis"), {})
    assert run_problem(ok) is None
    stopped = container_facts(_inspect("redis", status="exited"), {})
    assert "exited" in (run_problem(stopped) or "")
    looping = container_facts(_inspect("redis", restarts=5), {})
    assert "restarts in a loop" in (run_problem(looping) or "")
    restarting = container_facts(_inspect("redis", status="restarting", restarts=1), {})
    assert "docker logs redis" in (run_problem(restarting) or "")


def test_ports_ipv4_first_and_wrong_container_port() -> None:
    app = container_facts(_inspect("moby-counter", ports={"80/tcp": [
        {"HostIp": "::", "HostPort": "32768"}, {"HostIp": "0.0.0.0", "HostPort": "32768"}]}), {})
    binding = published(app)
    assert binding == PortBinding("80/tcp", "0.0.0.0", "32768")
    assert app_url(binding, "127.0.0.1") == "http://127.0.0.1:32768"
    assert app_url(PortBinding("80/tcp", "127.0.0.2", "80"), "127.0.0.1") == "http://127.0.0.2:80"
    assert app_url(binding, "host.example") == "http://host.example:32768"
    wrong = container_facts(_inspect("m", ports={"8080/tcp": [
        {"HostIp": "0.0.0.0", "HostPort": "8080"}]}), {})
    assert published(wrong) is None
    assert "8080->8080/tcp" in (port_problem(wrong) or "")


def test_networks_user_defined_bridge() -> None:
    default = network_facts({"Name": "bridge", "Driver": "bridge",
                             "Options": {"com.docker.network.bridge.default_bridge": "true"}})
    assert "built-in" in (bridge_problem(default) or "")
    overlay = network_facts({"Name": "moby-counter", "Driver": "overlay"})
    assert "overlay" in (bridge_problem(overlay) or "")
    good = network_facts({"Name": "moby-counter", "Driver": "bridge",
                          "IPAM": {"Config": [{"Subnet": "172.18.0.0/16"}]}})
    assert bridge_problem(good) is None and good.subnets == ("172.18.0.0/16",)


def test_second_redis_found_by_alias_any_name() -> None:
    snap = _snapshot(
        _inspect("redis", networks={"moby-counter": []}, mounts=[_volume_mount("redis_data")]),
        _inspect("cache-ro", networks={"moby-counter2": ["redis"]},
                 mounts=[_volume_mount("redis_data", rw=False)]),
        _inspect("moby-counter2", "russmckendrick/moby-counter", networks={"moby-counter2": []}),
    )
    c = second_redis(snap)
    assert c.name == "cache-ro" and carries_alias(c, "moby-counter2", "redis")
    assert mount_problem(c) is None
    assert second_app(snap).name == "moby-counter2"
    without_alias = _snapshot(_inspect("redis2", networks={"moby-counter2": []}))
    with pytest.raises(CheckFailed, match="containers on moby-counter2: redis2"):
        second_redis(without_alias)


def test_mount_problems() -> None:
    anon = container_facts(_inspect("redis", mounts=[_volume_mount("a" * 64)]), {})
    assert f"the volume {'a' * 64}" in (mount_problem(anon) or "")
    bind = container_facts(_inspect("redis", mounts=[
        {"Type": "bind", "Source": "/srv/x", "Destination": "/data", "RW": True}]), {})
    assert "bind mount of /srv/x" in (mount_problem(bind) or "")
    none = container_facts(_inspect("redis"), {})
    assert "mounts nothing at /data" in (mount_problem(none) or "")


def test_relevance_and_used_volumes() -> None:
    other = {"Id": "1", "Names": ["/web"], "NetworkSettings": {"Networks": {"bridge": {}}},
             "Mounts": [{"Name": "webdata"}]}
    on_lab_net = {"Id": "2", "Names": ["/x"], "NetworkSettings": {"Networks": {"moby-counter2": {}}}}
    on_volume = {"Id": "3", "Names": ["/y"], "Mounts": [{"Name": "redis_data"}]}
    assert not is_relevant(other)
    assert is_relevant(on_lab_net) and is_relevant(on_volume)
    assert is_relevant({"Id": "4", "Names": ["/redis2"]})
    snap = facts_from_api([other, on_volume], [], {}, [],
                          [{"Name": "b" * 64, "Driver": "local", "Labels": None}])
    assert snap.used_volumes == {"webdata", "redis_data"}
    assert snap.all_container_names == ("web", "y")
    assert snap.volumes[0].anonymous


def test_common_prefix_tolerates_later_whales() -> None:
    assert common_prefix(("1:1", "2:2", "3:3", "9:9"), ("1:1", "2:2", "3:3", "7:7")) == 3
    assert common_prefix((), ("1:1",)) == 0


class _App(http.server.BaseHTTPRequestHandler):
    connected = True
    hang = False

    def do_GET(self) -> None:
        if self.hang:
            time.sleep(5)
        body = {"/v1/ping": {"connected": self.connected},
                "/v1/whales": ["1:1", "2:2"]}.get(self.path, "<html></html>")
        data = (json.dumps(body) if not isinstance(body, str) else body).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        raise AssertionError("inspect mode never POSTs to a student's app")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def app_server(request: pytest.FixtureRequest) -> Iterator[str]:
    handler = type("Handler", (_App,), dict(request.param))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("app_server", [{}], indirect=True)
def test_look_reads_page_ping_whales_once(app_server: str) -> None:
    reader = AppReader()
    view = reader.view("moby-counter", app_server)
    assert view.answers and view.connected and view.whales == ("1:1", "2:2")
    assert reader.view("moby-counter", app_server) is view


@pytest.mark.parametrize("app_server", [{"connected": False}], indirect=True)
def test_look_disconnected_is_bounded(app_server: str) -> None:
    start = time.monotonic()
    view = look(app_server)
    assert view.answers and view.connected is False
    assert time.monotonic() - start < 3


@pytest.mark.parametrize("app_server", [{"hang": True}], indirect=True)
def test_look_hanging_app_fails_fast(app_server: str) -> None:
    start = time.monotonic()
    view = look(app_server)
    assert not view.answers and "did not answer within 3 s" in view.error
    assert time.monotonic() - start < 4.5


def test_look_nothing_listening() -> None:
    view = look("http://127.0.0.1:9")
    assert not view.answers and "refused" in view.error


def test_prune_drift_from_engine_23() -> None:
    assert prune_drift("20.10.24+dfsg1", (1, 41)) is None
    note = str(prune_drift("26.1.5", (1, 45)) or "")
    assert "docker volume prune --all" in note and "26.1.5" in note
    assert prune_drift("?", (0, 0)) is None


def test_old_restarts_of_a_container_stable_since_are_not_a_loop() -> None:
    """Restarts long ago, running for an hour now: usable, not "restarts in a loop"."""
    from dataclasses import replace

    looping = container_facts(_inspect("redis", restarts=5), {})
    assert run_problem(replace(looping, up_s=3600.0)) is None
    assert "restarts in a loop" in (run_problem(replace(looping, up_s=5.0)) or "")


def test_up_seconds_reads_docker_timestamps() -> None:
    from fixtures.inspect.snapshot import _up_seconds

    assert _up_seconds("0001-01-01T00:00:00Z") is None
    assert _up_seconds("") is None
    assert (_up_seconds("2020-01-01T00:00:00.123456789Z") or 0) > 3600 * 24 * 365


def test_engine_29_inspect_answers_per_network_addresses_and_dns_names() -> None:
    """API 1.52 (Engine 29): no top-level NetworkSettings.IPAddress; Aliases without the short
    id, DNSNames with every name a peer resolves. The facts come from the per-network settings."""
    from fixtures.inspect.snapshot import container_facts

    inspect = {
        "Id": "f" * 64, "Name": "/redis2", "Image": "sha256:abc",
        "Config": {"Image": "redis:alpine", "Hostname": "ffffffffffff"},
        "State": {"Status": "running"},
        "NetworkSettings": {"Networks": {"moby-counter2": {
            "NetworkID": "n2", "IPAddress": "172.19.0.3", "Aliases": None,
            "DNSNames": ["redis2", "redis", "ffffffffffff"]}}},
        "Mounts": [],
    }
    facts = container_facts(inspect, {"RepoTags": ["redis:alpine"]})
    endpoint = facts.endpoint("moby-counter2")
    assert endpoint is not None and endpoint.ip == "172.19.0.3"
    assert endpoint.aliases == ("redis",)  # the alias, not its own name, id or hostname

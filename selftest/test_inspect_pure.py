"""Inspect mode's pure parts, without Docker: snapshot parsing, the lab's rules, app reading."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fixtures.facts import prune_drift
from fixtures.inspect.http import AppReader, common_prefix, look
from fixtures.inspect.evidence import lab_traces
from fixtures.inspect.rules import (
    app_url,
    apps_naming,
    data_mount,
    find_container,
    find_network,
    find_volume,
    bridge_problem,
    carries_alias,
    image_problem,
    is_app,
    is_redis,
    isolation_vantage,
    lab_containers_left,
    lab_networks_left,
    mount_problem,
    networks_held,


    pattern_hint,
    port_problem,
    published,
    run_problem,
    second_app,
    second_app_missing_hint,
    second_mount_problem,
    second_redis,
    second_redis_alias_problem,
    second_redis_missing_hint,
    shares_volume,
    volumes_held,
)
from fixtures.inspect.snapshot import (
    HostSnapshot,
    PortBinding,
    VolumeFacts,
    compose_base,
    near,
    container_facts,
    facts_from_api,
    is_relevant,
    network_facts,
    normalise_repository,
)
from grading.messages import engine_state, format_message, joined, load_messages

MESSAGES = load_messages(Path(__file__).resolve().parent.parent / "grading" / "catalog")


def en(value: object) -> str:
    """A Problem, a Message or None as the English reader sees it ("" for None)."""
    if value is None:
        return ""
    message = getattr(value, "message", value)
    return format_message(message, "en", MESSAGES)


def fr(value: object) -> str:
    return format_message(getattr(value, "message", value), "fr", MESSAGES)


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
    assert en(image_problem(other, "redis")) == "container y runs the image nginx, expected redis:alpine"
    assert fr(image_problem(other, "redis")) == (
        "le conteneur y exécute l'image nginx, attendu redis:alpine")
    app = container_facts(_inspect("a", "russmckendrick/moby-counter"), {})
    assert is_app(app) and image_problem(app, "moby-counter") is None


def test_run_problems_name_the_state() -> None:
    ok = container_facts(_inspect("redis"), {})
    assert run_problem(ok) is None
    stopped = container_facts(_inspect("redis", status="exited"), {})
    assert "exited" in en(run_problem(stopped))
    assert en(run_problem(stopped).hint).startswith("Container redis is stopped: docker container start redis")  # type: ignore[union-attr]
    looping = container_facts(_inspect("redis", restarts=5), {})
    assert "restarts in a loop" in en(run_problem(looping))
    restarting = container_facts(_inspect("redis", status="restarting", restarts=1), {})
    assert "docker logs redis" in en(run_problem(restarting).hint)  # type: ignore[union-attr]


def test_a_containers_state_is_said_in_the_runs_language() -> None:
    """The engine's word (``exited``) is data for the check, a word of the run's language in
    the sentence: « est arrêté », never « est exited », chosen when the sentence is shown."""
    stopped = container_facts(_inspect("moby-counter2", status="exited"), {})
    assert fr(run_problem(stopped)) == (
        "le conteneur moby-counter2 est arrêté (code de sortie 1), attendu en marche")
    assert en(run_problem(stopped)) == (
        "container moby-counter2 is exited (exit code 1), expected running")
    paused = container_facts(_inspect("redis", status="paused"), {})
    assert "est en pause" in fr(run_problem(paused)) and "paused" not in fr(run_problem(paused))
    restarting = container_facts(_inspect("redis", status="restarting", restarts=1), {})
    assert "(en redémarrage, 1 redémarrages)" in fr(run_problem(restarting))
    assert "(restarting, 1 restarts)" in en(run_problem(restarting))
    assert fr(engine_state("created")) == "créé" and fr(engine_state(None)) == "inconnu"
    assert fr(engine_state("hibernating")) == "hibernating"  # unknown: the engine's own word
    shown = joined((joined(("redis", " (", engine_state("exited"), ")"), ""),
                    joined(("redis2", " (", engine_state("running"), ")"), "")), ", ")
    assert fr(shown) == "redis (arrêté), redis2 (en marche)"
    assert en(shown) == "redis (exited), redis2 (running)"


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
    assert "8080->8080/tcp" in en(port_problem(wrong))
    on_9091 = container_facts(_inspect("moby-counter2", ports={"80/tcp": [
        {"HostIp": "0.0.0.0", "HostPort": "9091"}]}), {})
    assert port_problem(on_9091) is None
    assert "host port 9091, expected 9090" in en(port_problem(on_9091, "9090"))
    assert "-p 9090:80" in en(port_problem(on_9091, "9090").hint)  # type: ignore[union-attr]


def test_networks_user_defined_bridge() -> None:
    default = network_facts({"Name": "bridge", "Driver": "bridge",
                             "Options": {"com.docker.network.bridge.default_bridge": "true"}})
    assert "built-in" in en(bridge_problem(default))
    overlay = network_facts({"Name": "moby-counter", "Driver": "overlay"})
    assert "overlay" in en(bridge_problem(overlay))
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
    volume = VolumeFacts("redis_data", "local", ())
    c = second_redis(snap, "moby-counter2", volume)
    assert c is not None and c.name == "cache-ro" and carries_alias(c, "moby-counter2", "redis")
    assert mount_problem(c, volume) is None
    app2 = second_app(snap, "moby-counter2")
    assert app2 is not None and app2.name == "moby-counter2"
    without_alias = _snapshot(_inspect("redis2", networks={"moby-counter2": []}))
    assert second_redis(without_alias, "moby-counter2", volume) is None


def test_mount_problems() -> None:
    volume = VolumeFacts("redis_data", "local", (), mountpoint="/var/lib/docker/volumes/redis_data/_data")
    anon = container_facts(_inspect("redis", mounts=[_volume_mount("a" * 64)]), {})
    assert f"the volume {'a' * 24}" in en(mount_problem(anon, volume))
    bind = container_facts(_inspect("redis", mounts=[
        {"Type": "bind", "Source": "/srv/x", "Destination": "/data", "RW": True}]), {})
    assert "bind mount of /srv/x" in en(mount_problem(bind, volume))
    none = container_facts(_inspect("redis"), {})
    assert "mounts nothing at /data" in en(mount_problem(none, volume))
    own_dir = container_facts(_inspect("redis2", mounts=[
        {"Type": "bind", "Source": volume.mountpoint, "Destination": "/data", "RW": False}]), {})
    assert mount_problem(own_dir, volume) is None
    assert shares_volume(own_dir, volume)
    # the mount at /data, whatever it mounts, vs whether it shares the volume's files
    at_data = data_mount(bind)
    assert at_data is not None and at_data.source == "/srv/x"
    assert not shares_volume(bind, volume) and not shares_volume(none, volume)
    assert data_mount(none) is None


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
    assert not view.answers and "did not answer within 3 s" in en(view.error)
    assert time.monotonic() - start < 4.5


def test_look_nothing_listening() -> None:
    view = look("http://127.0.0.1:9")
    assert not view.answers and "refused" in en(view.error)


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
    assert "restarts in a loop" in en(run_problem(replace(looping, up_s=5.0)))


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


# -- near names: credit what works, deduct the deviation once --------------------------
@pytest.mark.parametrize(("name", "target", "is_near"), [
    ("moby-couter", "moby-counter", True), ("moby_counter", "moby-counter", True),
    ("moby-counter-2", "moby-counter2", True), ("redis-2", "redis2", True),
    ("lab-redis-1", "redis", True), ("redis", "redis", False), ("nginx", "redis", False),
    ("redis-data", "redis_data", True), ("webdata", "redis_data", False),
])
def test_near_names(name: str, target: str, is_near: bool) -> None:
    assert near(name, target) is is_near


def test_compose_names() -> None:
    assert compose_base("lab-redis-1") == "redis" and compose_base("lab_moby-counter") == "moby-counter"
    assert compose_base("redis") is None


def _net(name: str) -> dict[str, Any]:
    return {"Name": name, "Driver": "bridge", "Id": name}


def test_a_misspelt_network_is_found_and_never_the_other_lab_network() -> None:
    snap = facts_from_api([], [], {}, [_net("moby-couter"), _net("moby-counter2")], [])
    found = find_network(snap, "moby-counter")
    assert found is not None and found.name == "moby-couter"
    assert find_network(snap, "moby-counter2").name == "moby-counter2"  # type: ignore[union-attr]
    only2 = facts_from_api([], [], {}, [_net("moby-counter2")], [])
    assert find_network(only2, "moby-counter") is None  # moby-counter2 is not a misspelt moby-counter


def test_containers_found_by_near_name_alias_or_use_redis_host() -> None:
    snap = _snapshot(
        _inspect("moby-couter", "russmckendrick/moby-counter", networks={"moby-counter": []}),
        _inspect("cache", networks={"moby-counter": ["redis"]}),
        _inspect("redis-2", networks={"moby-counter2": ["redis"]}),
        _inspect("store", networks={"moby-counter2": []}),
        {**_inspect("app2", "russmckendrick/moby-counter", networks={"moby-counter2": []}),
         "Config": {"Image": "russmckendrick/moby-counter", "Labels": {},
                    "Env": ["USE_REDIS_HOST=store", "PATH=/bin"]}},
    )
    assert find_container(snap, "moby-counter", "app", "moby-counter").name == "moby-couter"  # type: ignore[union-attr]
    assert find_container(snap, "redis", "redis", "moby-counter", alias="redis").name == "cache"  # type: ignore[union-attr]
    assert find_container(snap, "redis2", "redis", "moby-counter2", alias="redis").name == "redis-2"  # type: ignore[union-attr]
    app2 = snap.container("app2")
    assert app2 is not None and app2.env_value("USE_REDIS_HOST") == "store"


def test_second_app_prefers_a_running_one_over_a_stopped_moby_counter2() -> None:
    snap = _snapshot(
        _inspect("moby-counter2", "russmckendrick/moby-counter", status="exited",
                 networks={"moby-counter2": []}),
        _inspect("web2", "russmckendrick/moby-counter", networks={"moby-counter2": []},
                 ports={"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "9090"}]}),
    )
    assert second_app(snap, "moby-counter2").name == "web2"  # type: ignore[union-attr]


def test_isolation_is_looked_at_from_a_container_on_moby_counter2_alone() -> None:
    """The second app as the handout does, when it is on moby-counter2 and not on moby-counter;
    misplaced (elsewhere, or on both), redis2 stands in; nothing placed so: None (blocked)."""
    app, n1, n2 = "russmckendrick/moby-counter", "moby-counter", "moby-counter2"

    def vantage(app2_nets: dict[str, list[str]], app2_status: str = "running",
                redis2_nets: dict[str, list[str]] | None = None,
                redis2_status: str = "running") -> str | None:
        found = isolation_vantage(_snapshot(
            _inspect("redis", networks={n1: []}),
            _inspect("moby-counter2", app, status=app2_status, networks=app2_nets),
            _inspect("redis2", status=redis2_status,
                     networks={n2: ["redis"]} if redis2_nets is None else redis2_nets)), n1, n2)
        return found.name if found is not None else None

    assert vantage({n2: []}) == "moby-counter2"
    assert vantage({n1: []}) == "redis2"
    assert vantage({"bridge": []}) == "redis2"
    assert vantage({n2: [], n1: []}) == "redis2"  # reaches redis through moby-counter itself
    assert vantage({n2: []}, "exited") == "redis2"
    assert vantage({n2: []}, "exited", redis2_status="exited") == "moby-counter2"  # blocked there
    assert vantage({n1: []}, redis2_status="exited") is None
    assert vantage({"bridge": []}, redis2_nets={n2: [], n1: []}) is None


def test_a_near_named_volume_is_found() -> None:
    snap = facts_from_api([], [], {}, [], [{"Name": "redis-data", "Driver": "local"},
                                            {"Name": "c" * 64, "Driver": "local"}])
    assert find_volume(snap).name == "redis-data"  # type: ignore[union-attr]


def test_relevance_reaches_near_names_and_the_lab_images_but_not_the_suites_own() -> None:
    assert is_relevant({"Id": "1", "Names": ["/moby-couter"]})
    assert is_relevant({"Id": "2", "Names": ["/web2"], "Image": "russmckendrick/moby-counter"})
    assert not is_relevant({"Id": "3", "Names": ["/mgab-probe1-dns"], "Image": "redis:alpine",
                            "Labels": {"mobygrade.run": "mgab"}})
    assert not is_relevant({"Id": "4", "Names": ["/web"], "Image": "nginx"})


def test_evidence_from_events_ignores_the_suites_probes() -> None:
    events = [
        {"Type": "container", "Action": "destroy", "Actor": {"ID": "1", "Attributes": {
            "name": "redis2", "image": "redis:alpine"}}},
        {"Type": "network", "Action": "destroy", "Actor": {"ID": "n", "Attributes": {
            "name": "moby-counter"}}},
        {"Type": "volume", "Action": "destroy", "Actor": {"ID": "redis_data", "Attributes": {}}},
        {"Type": "container", "Action": "destroy", "Actor": {"ID": "2", "Attributes": {
            "name": "mgab-probe1", "image": "redis:alpine", "mobygrade.run": "mgab"}}},
        {"Type": "container", "Action": "create", "Actor": {"ID": "3", "Attributes": {
            "name": "web", "image": "nginx"}}},
    ]
    assert lab_traces(events) == ["container:redis2", "network:moby-counter", "volume:redis_data"]
    assert lab_traces(events[3:]) == []


def test_auto_checkpoint_is_the_furthest_stop_the_host_shows() -> None:
    from fixtures.inspect.checkpoint import choose

    data = [{"Name": "redis_data", "Driver": "local"}]
    networks_part = facts_from_api([], [_inspect("redis", networks={"moby-counter": []})], {},
                                   [_net("moby-counter")], [])
    assert choose(networks_part)[0] == "networks"
    volumes_part = facts_from_api(
        [], [_inspect("redis", networks={"moby-counter": []}, mounts=[_volume_mount("redis_data")])],
        {}, [_net("moby-counter")], data)
    chosen, reason = choose(volumes_part)
    assert chosen == "volumes" and "redis_data" in en(reason)
    # after the prunes on Engine >= 23, redis_data stays (lab drift): still the cleanup
    assert choose(facts_from_api([], [], {}, [], data))[0] == "cleanup"
    assert choose(facts_from_api([], [], {}, [], []))[0] == "cleanup"
    # every lab container stopped, not yet pruned: the last part is under way
    stopped = facts_from_api(
        [], [_inspect("redis", status="exited", networks={"moby-counter": []},
                      mounts=[_volume_mount("redis_data")]),
             _inspect("redis2", status="exited", networks={"moby-counter2": []})],
        {}, [_net("moby-counter")], data)
    chosen, reason = choose(stopped)
    assert chosen == "cleanup" and "redis2" in en(reason)


# -- every word in the student's language (inspect mode) -----------------------------------
def test_inspect_sentences_exist_in_both_languages_and_differ() -> None:
    keys = [k for k in MESSAGES if k.startswith("inspect.")]
    assert len(keys) > 100
    same = [k for k in keys if MESSAGES[k]["fr"] == MESSAGES[k]["en"]]
    assert same == [], f"not translated: {same}"


def test_inspect_raises_catalog_sentences_only() -> None:
    """No CheckFailed/CheckBlocked/ProbeError/partial in tests/inspect or fixtures/inspect is
    given a literal or an f-string: a sentence is says("inspect.…") (data stays data)."""
    import ast

    root = Path(__file__).resolve().parent.parent
    files = [*(root / "tests" / "inspect").glob("*.py"), *(root / "fixtures" / "inspect").glob("*.py")]
    offenders = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in ("CheckFailed", "CheckBlocked", "ProbeError", "partial", "PartialCredit"):
                continue
            for arg in node.args:
                if isinstance(arg, ast.JoinedStr) or (
                        isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def test_batch_answers_without_a_final_newline_are_kept() -> None:
    """The app's JSON ends without a newline: the end marker follows on the same line."""
    from fixtures.inspect.probe import MARK, batch_script, parse_batch

    logs = (f"{MARK} 0 begin\n<html>\n{MARK} 0 end 0\n"
            f"{MARK} 1 begin\n{{\"connected\": true}}{MARK} 1 end 0\n"
            f"{MARK} 2 begin\nwget: bad address{MARK} 2 end 1\n")
    answers = parse_batch(logs, 3)
    assert [a.output for a in answers] == ["<html>", '{"connected": true}', "wget: bad address"]
    assert [a.rc for a in answers] == [0, 0, 1]
    assert "timeout" not in batch_script([["wget", "-T", "3"]])  # argv quoted as given


# -- cleanup: what a leftover lab container keeps the prunes from removing -----------------
def _stopped(inspect: dict[str, Any]) -> dict[str, Any]:
    """A stopped container as the engine reports it: its networks named, with no address."""
    for ep in inspect["NetworkSettings"]["Networks"].values():
        ep["IPAddress"] = ""
    return inspect


def test_a_stopped_container_holds_its_volumes_but_not_its_networks() -> None:
    anon = "ab" * 32
    volumes = [{"Name": "redis_data", "Driver": "local"}, {"Name": anon, "Driver": "local"},
               {"Name": "cd" * 32, "Driver": "local"}]
    nets = [_net("moby-counter"), _net("moby-counter2")]
    # the playtest's host: everything stopped, `docker container prune` skipped
    snap = facts_from_api([], [
        _stopped(_inspect("redis", status="exited", networks={"moby-counter": []},
                          mounts=[_volume_mount("redis_data")])),
        _stopped(_inspect("redis2", status="exited", networks={"moby-counter2": ["redis"]},
                          mounts=[_volume_mount("redis_data", rw=False)])),
        _stopped(_inspect("redis3", status="exited", mounts=[_volume_mount(anon)])),
        _stopped(_inspect("old-redis", status="exited", mounts=[_volume_mount("cd" * 32)])),
        _stopped(_inspect("moby-counter2", "russmckendrick/moby-counter", status="exited",
                          networks={"moby-counter2": []})),
    ], {}, nets, volumes)
    left = lab_containers_left(snap)
    assert [c.name for c in left] == ["redis", "redis2", "redis3", "moby-counter2"]
    assert lab_networks_left(snap) == ["moby-counter", "moby-counter2"]
    assert networks_held(snap, left) == {}  # `docker network prune` removes them: measured
    held = volumes_held(snap, left)
    assert {k: [c.name for c in v] for k, v in held.items()} == {
        "redis_data": ["redis", "redis2"], anon: ["redis3"]}  # not another project's old-redis
    # a running container holds its networks; an unused anonymous volume is nobody's
    running = facts_from_api([], [
        _inspect("counter-b", "russmckendrick/moby-counter", networks={"moby-counter2": []}),
        _stopped(_inspect("redis", status="exited", networks={"moby-counter": []})),
    ], {}, nets, volumes)
    left = lab_containers_left(running)
    assert {k: [c.name for c in v] for k, v in networks_held(running, left).items()} == {
        "moby-counter2": ["counter-b"]}
    assert volumes_held(running, left) == {}
    # a container of another project using an anonymous volume is not the lab's
    other = facts_from_api([], [_inspect("web", "nginx", mounts=[_volume_mount(anon)])],
                           {}, [], volumes)
    assert volumes_held(other, lab_containers_left(other)) == {}


def test_cleanup_blocked_sentences_and_hints_read_in_both_languages() -> None:
    from grading.api import says

    for key, extra in (("inspect.blocked_networks_held", {}), ("inspect.blocked_volumes_held", {}),
                       ("inspect.hint.cleanup_containers_first_stop", {"names": "redis"}),
                       ("inspect.hint.cleanup_containers_first", {"names": "redis"})):
        message = says(key, found="redis_data (redis)", prune="docker volume prune",
                       step="Lancez trois prune", **extra)
        assert "{" not in en(message) and "{" not in fr(message), key
        assert en(message) != fr(message), key


# -- networks: the second app's hints never undo the isolation the lab teaches (playtest 2) ----
def _networks_check(name: str) -> Any:
    """A check of tests/inspect/test_networks.py, called on a snapshot without pytest."""
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "tests" / "inspect" / "test_networks.py"
    spec = importlib.util.spec_from_file_location("_inspect_networks_checks", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, f"test_{name}")


APP_IMAGE = "russmckendrick/moby-counter"
N1, N2 = "moby-counter", "moby-counter2"


def _lab(app2_nets: dict[str, list[str]] | None, redis2_nets: dict[str, list[str]] | None
         ) -> HostSnapshot:
    """The networks part with the second app and redis2 where given (None: not run)."""
    def port(p: str) -> dict[str, Any]:
        return {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": p}]}

    inspects = [_inspect("redis", networks={N1: []}),
                _inspect("moby-counter", APP_IMAGE, networks={N1: []}, ports=port("8080"))]
    if app2_nets is not None:
        inspects.append(_inspect("moby-counter2", APP_IMAGE, networks=app2_nets, ports=port("9090")))
    if redis2_nets is not None:
        inspects.append(_inspect("redis2", networks=redis2_nets))
    return facts_from_api([], inspects, {}, [_net(N1), _net(N2)], [])


class _Probe:
    """Answers every DNS question with ``addresses``."""

    def __init__(self, *addresses: str) -> None:
        from fixtures.probes import DnsAnswer

        self.answer = DnsAnswer("NOERROR" if addresses else "NXDOMAIN", addresses, "127.0.0.11")
        self.asked = 0

    def dns(self, image: str, target: str, names: list[str]) -> list[Any]:
        self.asked += 1
        return [self.answer for _ in names]


class _Reader:
    """Every app answers, disconnected from its redis."""

    def view(self, name: str, base: str, image: str = "", engine_base: str = "") -> Any:
        from fixtures.inspect.http import AppView

        return AppView(base, 200, connected=False, whales=())


def _raised(check: str, snap: HostSnapshot, *args: object) -> tuple[str, str, str, str]:
    """(status, English message, English hint, French hint) of a check that does not pass."""
    from grading.api import CheckBlocked, CheckFailed

    try:
        _networks_check(check)(snap, *args)
    except CheckFailed as exc:
        return "failed", en(exc.message), en(exc.hint), fr(exc.hint)
    except CheckBlocked as exc:
        return "blocked", en(exc.message), en(exc.hint), fr(exc.hint)
    raise AssertionError(f"{check} passed")


MOVE = "docker network connect moby-counter2 moby-counter2 && docker network disconnect moby-counter moby-counter2"
RUN_REDIS2 = "docker container run -d --name redis2 --network moby-counter2 --network-alias redis redis:alpine"


def test_second_app_on_the_first_network_is_told_both_steps_at_once() -> None:
    """`docker run ... --network moby-counter` for the second app: connecting it to moby-counter2
    alone leaves it on moby-counter (app2_container fails again): the hint gives both commands;
    dns_alias, blocked, says container and network apart (they share the name)."""
    snap = _lab({N1: []}, {N2: ["redis"]})
    status, message, hint, hint_fr = _raised("app2_container", snap)
    assert status == "failed" and MOVE in hint and MOVE in hint_fr, hint
    status, message, hint, _ = _raised("dns_alias", snap, _Probe())
    assert status == "blocked" and MOVE in hint, hint
    assert "container moby-counter2 is not on network moby-counter2" in message, message
    # on no network but the default bridge: the same, off bridge
    status, _, hint, _ = _raised("app2_container", _lab({"bridge": []}, {N2: ["redis"]}))
    assert "docker network connect moby-counter2 moby-counter2 && docker network disconnect " \
           "bridge moby-counter2" in hint, hint


def test_second_app_on_both_networks_blames_its_extra_network_not_the_alias() -> None:
    """The hint followed halfway: on both networks, moby-counter's DNS answers redis with the
    first redis. dns_alias fails naming the extra network and its disconnect, not the alias."""
    snap = _lab({N2: [], N1: []}, {N2: ["redis"]})
    first = snap.container("redis")
    assert first is not None and first.endpoint(N1) is not None
    status, message, hint, _ = _raised("app2_container", snap)
    assert status == "failed" and "docker network disconnect moby-counter moby-counter2" in hint
    status, message, hint, hint_fr = _raised("dns_alias", snap, _Probe(first.endpoint(N1).ip))  # type: ignore[union-attr]
    assert status == "failed", message
    assert "also connected to network moby-counter" in message and "address of redis" in message, message
    assert "docker network disconnect moby-counter moby-counter2" in hint, hint
    assert "--network-alias" not in hint and "--network-alias" not in hint_fr, hint
    # the right answer through both networks: measured, and passed (app2_container costs it)
    redis2 = snap.container("redis2")
    assert redis2 is not None and redis2.endpoint(N2) is not None
    _networks_check("dns_alias")(snap, _Probe(redis2.endpoint(N2).ip))  # type: ignore[union-attr]


@pytest.mark.parametrize("redis2_nets", [None, {N1: ["redis"]}], ids=["no_redis2", "redis2_on_first"])
def test_second_app_without_its_redis_is_told_to_run_redis2_never_to_join_moby_counter(
        redis2_nets: dict[str, list[str]] | None) -> None:
    """No redis answers redis on moby-counter2: the second app is told to run redis2 there with
    its alias (the handout's command, at its step), never `docker network connect moby-counter
    moby-counter2` (that would undo the isolation, and app2_container would deduct it)."""
    snap = _lab({N2: []}, redis2_nets)
    status, message, hint, hint_fr = _raised("app2_connected", snap, _Reader(), "127.0.0.1")
    assert status == "failed", message
    assert RUN_REDIS2 in hint and RUN_REDIS2 in hint_fr, hint
    assert "Créons un deuxième redis avec le même domaine" in hint_fr, hint_fr
    assert "network connect moby-counter " not in hint + hint_fr, hint
    if redis2_nets is None:  # networks.alias: the same command, at the step that runs redis2
        status, message, hint, hint_fr = _raised("alias", snap)
        assert status == "failed" and RUN_REDIS2 in hint, hint
        assert "« Créons un deuxième redis avec le même domaine »" in hint_fr, hint_fr
        assert "Créez un deuxième réseau" not in hint_fr, hint_fr


def test_networks_quotes_are_the_handouts_words() -> None:
    """Every lab step the networks checks quote, in the catalog and in their hints, can be found
    as written in the handout (its backticks aside): a student searches for it."""
    import tomllib

    from fixtures.inspect import rules

    handout = Path("/work/shared/lab/docker-3-reseaux-volumes.md")
    if not handout.is_file():
        pytest.skip("the handout is not on this machine")
    text = handout.read_text(encoding="utf-8").replace("`", "")
    root = Path(__file__).resolve().parent.parent
    catalog = tomllib.loads((root / "grading" / "catalog" / "inspect.toml").read_text("utf-8"))
    quotes = {check: entry["lab_step"].split("« ", 1)[1].rsplit(" »", 1)[0]
              for check, entry in catalog.items() if check.startswith("networks.")}
    quotes |= {name: getattr(rules, name) for name in dir(rules) if name.startswith("STEP_")}
    missing = {where: quote for where, quote in quotes.items() if quote not in text}
    assert missing == {}, missing


# -- the volumes part's second redis and second app: verdicts and hints that fit (playtest 2) --
APP = "russmckendrick/moby-counter"


def _app(name: str, networks: dict[str, list[str]], *, status: str = "running",
         env: tuple[str, ...] = ()) -> dict[str, Any]:
    base = _inspect(name, APP, status=status, networks=networks,
                    ports={"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "9090"}]})
    return {**base, "Config": {"Image": APP, "Labels": {}, "Env": [*env, "PATH=/bin"]}}


def _lab_volumes(*inspects: dict[str, Any], volumes: tuple[str, ...] = ("redis_data",)) -> HostSnapshot:
    return facts_from_api([], inspects, {}, [],
                          [{"Name": v, "Driver": "local", "Mountpoint": f"/v/{v}"} for v in volumes])


def test_second_redis_without_alias_is_half_credit_only_when_an_app_names_it() -> None:
    """Without the alias, the second redis is reached only by an app naming it in
    USE_REDIS_HOST (half the points, as it works); named by no app: the step is not done,
    and the hint adds the alias in place or re-creates it with --network-alias redis."""
    redis2 = _inspect("redis2", networks={"moby-counter2": []},
                      mounts=[_volume_mount("redis_data", rw=False)])
    alone = _lab_volumes(redis2, _app("moby-counter2", {"moby-counter2": []}))
    c = second_redis(alone, "moby-counter2", find_volume(alone))
    assert c is not None and c.name == "redis2"
    assert apps_naming(alone, c, "moby-counter2") == []
    problem = second_redis_alias_problem(c, "moby-counter2", find_volume(alone))
    assert problem is not None and "USE_REDIS_HOST" in en(problem)
    assert "docker network connect --alias redis moby-counter2 redis2" in en(problem.hint)
    assert "--network-alias redis -v redis_data:/data:ro" in en(problem.hint)
    assert "docker network connect --alias redis moby-counter2 redis2" in fr(problem.hint)
    by_env = _lab_volumes(redis2, _app("moby-counter2", {"moby-counter2": []},
                                       env=("USE_REDIS_HOST=redis2",)))
    c = second_redis(by_env, "moby-counter2", find_volume(by_env))
    assert c is not None and [a.name for a in apps_naming(by_env, c, "moby-counter2")] == [
        "moby-counter2"]
    with_alias = _lab_volumes(_inspect("redis2", networks={"moby-counter2": ["redis"]}))
    c = with_alias.container("redis2")
    assert c is not None and second_redis_alias_problem(c, "moby-counter2", None) is None


def test_second_redis_mount_hint_keeps_ro_and_its_own_step() -> None:
    """A typo in the second redis's volume only: re-create it with -v redis_data:/data:ro, at
    the second redis's step (not the first redis's -v redis_data:/data)."""
    snap = _lab_volumes(_inspect("redis2", networks={"moby-counter2": ["redis"]},
                                 mounts=[_volume_mount("redis_dat", rw=False)]),
                        volumes=("redis_data", "redis_dat"))
    c = snap.container("redis2")
    assert c is not None
    problem = second_mount_problem(c, find_volume(snap), "moby-counter2")
    assert problem is not None and "the volume redis_dat" in en(problem)
    assert "-v redis_data:/data:ro" in en(problem.hint)
    assert "Créez un réseau moby-counter2 et ajoutez un deuxième conteneur Redis" in fr(problem.hint)
    assert "attaché à ce volume nommé" not in fr(problem.hint)


def test_missing_second_redis_or_app_hint_frees_or_moves_a_taken_name() -> None:
    """docker container run --name X fails when X exists: the hint removes it first (a redis
    that is not the second redis) or moves the misplaced app to moby-counter2."""
    snap = _lab_volumes(
        _inspect("redis2", networks={"moby-counter2": []}, mounts=[_volume_mount("redis_dat")]),
        _app("moby-counter2", {"moby-counter": []}),
        volumes=("redis_data", "redis_dat"))
    assert second_redis(snap, "moby-counter2", find_volume(snap)) is None
    hint = en(second_redis_missing_hint(snap, "moby-counter2", find_volume(snap)))
    assert "docker container rm -f redis2, then docker container run -d --name redis2" in hint
    assert second_app(snap, "moby-counter2") is None
    hint = en(second_app_missing_hint(snap, "moby-counter2"))
    assert "docker network disconnect moby-counter moby-counter2" in hint
    assert "docker network connect moby-counter2 moby-counter2" in hint
    empty = _lab_volumes()
    assert "rm -f" not in en(second_redis_missing_hint(empty, "moby-counter2", find_volume(empty)))
    assert second_app_missing_hint(empty, "moby-counter2") is None


def test_same_pattern_hint_fits_what_differs() -> None:
    """The first redis off redis_data, or the second one off it: re-create that one (a
    restart fixes neither); both on it: the restart."""
    app2 = container_facts(_app("moby-counter2", {"moby-counter2": []}), {})

    def hint(first_volume: str, second_volume: str) -> str:
        snap = _lab_volumes(
            _inspect("redis", networks={"moby-counter": []}, mounts=[_volume_mount(first_volume)]),
            _inspect("redis2", networks={"moby-counter2": ["redis"]},
                     mounts=[_volume_mount(second_volume, rw=False)]),
            volumes=("redis_data", "redis_dat", "a" * 64))
        return en(pattern_hint(snap, "moby-counter", "moby-counter2", app2))

    first_off = hint("a" * 64, "redis_data")
    assert "docker container run -d --name redis -v redis_data:/data --network moby-counter" in first_off
    second_off = hint("redis_data", "redis_dat")
    assert "-v redis_data:/data:ro" in second_off and "docker container restart" not in second_off
    assert "docker container restart redis2" in hint("redis_data", "redis_data")

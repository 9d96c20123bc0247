"""The stand-in moby-counter honours the app's contract (shared/lab/moby-counter-api.md)."""

from __future__ import annotations

import json
import time

import pytest

from fixtures.wait import wait_until
from selftest.test_images_support import (  # noqa: F401 - fixtures
    StandInLab,
    stand_in_images_fixture,
    stand_in_lab_fixture,
)

pytestmark = pytest.mark.selftest_docker

# The upstream app's backoff (150 ms ×1.7, no cap): after an outage of T seconds the next
# attempt is at most 0.7·T + 0.15 s away; each failed attempt may also spend its 1 s timeout.
def reconnect_bound(outage_s: float) -> float:
    return 0.7 * outage_s + 2.5


def test_ping_reports_connected_and_whales_round_trip_in_rpush_order(
    stand_in_lab: StandInLab,
) -> None:
    lab = stand_in_lab
    lab.start_redis()
    lab.start_app()
    lab.wait_connected()
    assert lab.get("/v1/ping") == (200, '{"connected": true}')
    assert lab.get("/v1/whales") == (200, "[]")
    for position in ("10:20", "300:40", "5:600"):
        assert lab.post("/v1/whales", position) == (200, "ok")
    status, body = lab.get("/v1/whales")
    assert status == 200
    assert json.loads(body) == ["10:20", "300:40", "5:600"]
    assert lab.redis_cli("LRANGE", "whales", "0", "-1").split() == ["10:20", "300:40", "5:600"]


def test_post_saves_dump_rdb_at_once(stand_in_lab: StandInLab) -> None:
    lab = stand_in_lab
    lab.start_redis()
    lab.start_app()
    lab.wait_connected()
    assert lab.redis is not None
    code, _ = lab.redis.exec_run(["test", "-e", "/data/dump.rdb"])
    assert code != 0, "a fresh volume holds no dump.rdb before the first click"
    assert lab.post("/v1/whales", "42:24") == (200, "ok")
    code, out = lab.redis.exec_run(["stat", "-c", "%s %U", "/data/dump.rdb"])
    assert code == 0, f"SAVE did not write /data/dump.rdb: {out!r}"
    size, owner = out.decode().split()
    assert int(size) > 0 and owner == "redis"


def test_whales_survive_redis_recreated_on_the_volume_and_app_reconnects(
    stand_in_lab: StandInLab,
) -> None:
    lab = stand_in_lab
    first = lab.start_redis()
    lab.start_app()
    lab.wait_connected()
    assert lab.post("/v1/whales", "1:2") == (200, "ok")
    old_ip = first.attrs["NetworkSettings"]["Networks"][lab.network.name]["IPAddress"]  # type: ignore[union-attr]
    gone = time.monotonic()
    lab.remove_redis()
    wait_until(lambda: not lab.connected(), timeout=5, what="the app to notice redis is gone",
               evidence=lab.evidence)
    status, _ = lab.get("/v1/whales")
    assert status == 503, "while redis is away the app answers at once, with an error"
    # A placeholder takes the freed address, so the new redis gets a new IP (DNS re-resolved).
    lab.run_container(lab.images.probe, "placeholder")
    second = lab.start_redis()
    new_ip = second.attrs["NetworkSettings"]["Networks"][lab.network.name]["IPAddress"]  # type: ignore[union-attr]
    assert new_ip != old_ip
    outage = time.monotonic() - gone
    took = lab.wait_connected(timeout=reconnect_bound(outage) + 5)
    print(f"app reconnected {took:.2f} s after the re-created redis answered PING "
          f"(outage {outage:.1f} s)")
    assert took < reconnect_bound(outage), f"reconnection took {took:.2f} s after {outage:.1f} s"
    assert json.loads(lab.get("/v1/whales")[1]) == ["1:2"]


def test_read_only_data_post_still_answers_ok_though_save_fails(stand_in_lab: StandInLab) -> None:
    lab = stand_in_lab
    lab.start_redis()
    lab.start_app()
    lab.wait_connected()
    assert lab.post("/v1/whales", "7:8") == (200, "ok")
    lab.remove_redis()
    lab.start_redis(read_only=True)
    lab.wait_connected()
    assert json.loads(lab.get("/v1/whales")[1]) == ["7:8"]
    assert lab.post("/v1/whales", "9:10") == (200, "ok")
    assert json.loads(lab.get("/v1/whales")[1]) == ["7:8", "9:10"]
    assert lab.app is not None
    wait_until(lambda: b"SAVE failed" in lab.app.logs(), timeout=5,  # type: ignore[union-attr]
               what="the app to log the failed SAVE", evidence=lab.evidence)


def test_static_page_files_are_served(stand_in_lab: StandInLab) -> None:
    lab = stand_in_lab
    lab.start_redis()
    lab.start_app()
    status, index = lab.get("/")
    assert status == 200 and "<html" in index
    for asset in ("whales.js", "style.css", "whale.svg"):
        assert asset in index or asset == "whale.svg"
        status, body = lab.get(f"/{asset}")
        assert status == 200 and body, asset
    assert 'width="110"' in lab.get("/whale.svg")[1] and 'height="100"' in lab.get("/whale.svg")[1]
    script = lab.get("/whales.js")[1]
    assert "/v1/ping" in script and "/v1/whales" in script
    assert lab.get("/no-such-file.txt")[0] == 404


def test_unknown_redis_host_reports_not_connected_without_hanging(
    stand_in_lab: StandInLab,
) -> None:
    lab = stand_in_lab
    lab.start_app(environment={"USE_REDIS_HOST": f"nowhere-{lab.tag}"})
    for _ in range(3):
        assert lab.get("/v1/ping") == (200, '{"connected": false}')
    started = time.monotonic()
    status, _ = lab.get("/v1/whales")
    assert status == 503 and time.monotonic() - started < 2.5
    assert lab.post("/v1/whales", "1:1")[0] == 503
    assert lab.app is not None
    assert b"cannot reach redis" in lab.app.logs()


def test_use_redis_host_and_port_are_honoured(stand_in_lab: StandInLab) -> None:
    lab = stand_in_lab
    lab.start_redis(port=6380)
    lab.start_app(environment={"USE_REDIS_HOST": "redis", "USE_REDIS_PORT": "6380"})
    lab.wait_connected()
    assert lab.post("/v1/whales", "3:4") == (200, "ok")
    assert lab.redis_cli("LLEN", "whales") == "1"


def test_busybox_ping_and_nslookup_reach_redis_from_the_app(stand_in_lab: StandInLab) -> None:
    lab = stand_in_lab
    redis = lab.start_redis()
    app = lab.start_app()
    ip = redis.attrs["NetworkSettings"]["Networks"][lab.network.name]["IPAddress"]  # type: ignore[union-attr]
    code, out = app.exec_run(["ping", "-c", "1", "-W", "2", "redis"])
    assert code == 0 and ip in out.decode(), out
    code, out = app.exec_run(["nslookup", "redis", "127.0.0.11"])
    assert code == 0 and ip in out.decode(), out

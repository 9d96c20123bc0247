"""The stand-in redis behaves as the lab needs the official redis image to."""

from __future__ import annotations

import pytest

from selftest.test_images_support import (  # noqa: F401 - fixtures
    StandInLab,
    stand_in_images_fixture,
    stand_in_lab_fixture,
)

pytestmark = pytest.mark.selftest_docker


def test_image_config_declares_volume_workdir_port_and_command(stand_in_lab: StandInLab) -> None:
    config = stand_in_lab.client.images.get(stand_in_lab.images.redis).attrs["Config"]
    assert "/data" in (config.get("Volumes") or {})
    assert config["WorkingDir"] == "/data"
    assert "6379/tcp" in (config.get("ExposedPorts") or {})
    assert config["Cmd"] == ["redis-server"]


def test_runs_as_redis_with_the_lab_defaults(stand_in_lab: StandInLab) -> None:
    lab = stand_in_lab
    redis = lab.start_redis()
    code, out = redis.exec_run(["sh", "-c", "grep '^Uid:' /proc/1/status; id -u redis"])
    assert code == 0
    uid_line, redis_uid = out.decode().splitlines()
    assert uid_line.split()[1] == redis_uid == "999", "redis-server runs as the redis user (999)"
    assert lab.redis_cli("CONFIG", "GET", "protected-mode").split() == ["protected-mode", "no"]
    assert lab.redis_cli("CONFIG", "GET", "save").splitlines()[1] == "3600 1 300 100 60 10000"
    assert lab.redis_cli("CONFIG", "GET", "dir").splitlines()[1] == "/data"
    assert lab.redis_cli("CONFIG", "GET", "dbfilename").splitlines()[1] == "dump.rdb"
    # Another container on the network reaches it by its alias, without a password.
    client = lab.run_container(lab.images.redis, "client", command=["busybox", "sleep", "60"])
    code, out = client.exec_run(["redis-cli", "-h", "redis", "-p", "6379", "PING"])
    assert (code, out.decode().strip()) == (0, "PONG")


def test_root_owned_files_on_a_fresh_volume_are_given_to_redis(stand_in_lab: StandInLab) -> None:
    lab = stand_in_lab
    filler = lab.run_container(lab.images.probe, "filler",
                               volumes={lab.volume: {"bind": "/data", "mode": "rw"}})
    code, _ = filler.exec_run(["sh", "-c", "touch /data/by-root && chown 0:0 /data /data/by-root"])
    assert code == 0
    redis = lab.start_redis()
    code, out = redis.exec_run(["stat", "-c", "%U", "/data", "/data/by-root"])
    assert (code, out.decode().split()) == (0, ["redis", "redis"])


def test_data_survives_a_redis_recreated_on_the_same_volume(stand_in_lab: StandInLab) -> None:
    lab = stand_in_lab
    lab.start_redis()
    assert lab.redis_cli("RPUSH", "whales", "1:1", "2:2") == "2"
    assert lab.redis_cli("SAVE") == "OK"
    lab.remove_redis()
    lab.start_redis()
    assert lab.redis_cli("LRANGE", "whales", "0", "-1").split() == ["1:1", "2:2"]


def test_read_only_data_starts_serves_loaded_data_and_save_fails(stand_in_lab: StandInLab) -> None:
    lab = stand_in_lab
    lab.start_redis()
    assert lab.redis_cli("RPUSH", "whales", "5:5") == "1"
    assert lab.redis_cli("SAVE") == "OK"
    lab.remove_redis()
    redis = lab.start_redis(read_only=True)
    assert lab.redis_cli("LRANGE", "whales", "0", "-1") == "5:5"
    assert "ERR" in lab.redis_cli("SAVE")
    assert b"Read-only file system" in redis.logs()

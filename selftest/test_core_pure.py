"""Core helpers without Docker: engine addresses and messages, bounded waits, labels, check ids."""

from __future__ import annotations

import time

import pytest

from fixtures.engine import explain, host_address
from fixtures.labels import RUN_LABEL, RunIdentity
from fixtures.wait import WaitTimeout, wait_until
from grading.checkid import parse_nodeid


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("unix:///var/run/docker.sock", "127.0.0.1"),
        ("tcp://10.0.0.5:2376", "10.0.0.5"),
        ("ssh://student@lab-vm", "lab-vm"),
        ("npipe:////./pipe/docker_engine", "127.0.0.1"),
    ],
)
def test_host_address(url: str, expected: str) -> None:
    assert host_address(url) == expected


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (FileNotFoundError(2, "No such file or directory"), ["does not exist", "dockerd"]),
        (PermissionError(13, "Permission denied"), ["permission denied", "docker group"]),
        (ConnectionRefusedError(111, "Connection refused"), ["refuses", "Start it"]),
    ],
)
def test_explain_unix_socket_faults_name_cause_and_fix(exc: BaseException, words: list[str]) -> None:
    line = str(explain("unix:///tmp/x.sock", exc))
    assert "\n" not in line
    for word in words:
        assert word in line


def test_explain_tcp_names_docker_host() -> None:
    line = str(explain("tcp://127.0.0.1:1", ConnectionRefusedError(111, "Connection refused")))
    assert "tcp://127.0.0.1:1" in line and "DOCKER_HOST" in line and "\n" not in line


def test_wait_until_returns_first_truthy_value() -> None:
    calls = iter([None, 0, "ready"])
    assert wait_until(lambda: next(calls), timeout=2, what="ready", first_interval=0.001) == "ready"


def test_wait_until_times_out_with_evidence_and_last_error() -> None:
    def boom() -> None:
        raise ConnectionError("refused")

    start = time.monotonic()
    with pytest.raises(WaitTimeout) as info:
        wait_until(boom, timeout=0.2, what="the app", evidence=lambda: "LOGS: redis gone")
    assert time.monotonic() - start < 1.0
    text = str(info.value)
    assert "waiting for the app" in text and "ConnectionError: refused" in text
    assert "LOGS: redis gone" in text


def test_run_identity_labels_and_names_are_unique_per_run() -> None:
    one, two = RunIdentity(), RunIdentity()
    assert one.run_id != two.run_id
    assert one.labels("redis")[RUN_LABEL] == one.run_id
    assert one.name("redis").startswith(one.run_id) and one.name("redis").endswith("-redis")
    assert one.filter == {"label": [f"{RUN_LABEL}={one.run_id}"]}


def test_parse_nodeid_maps_tests_to_check_ids() -> None:
    ref = parse_nodeid("tests/inspect/test_networks.py::test_dns_alias")
    assert ref is not None and (ref.mode, ref.id) == ("inspect", "networks.dns_alias")
    assert parse_nodeid("selftest/test_core_pure.py::test_x") is None
    assert parse_nodeid("tests/provision/helpers.py::test_x") is None

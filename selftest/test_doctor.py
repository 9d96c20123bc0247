"""``mobygrade doctor``: every line it can print, each shown on a host that makes it appear.

Pure parts (endpoint, engine facts, images, rendering) get recorded inputs; the app
lines get a real HTTP app on loopback, a closed port and a probe that answers or not;
the command itself runs against a missing engine (exit 3) and the local engine.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from fixtures import doctor
from fixtures.inspect.probe import Answer
from fixtures.inspect.snapshot import ContainerFacts, HostSnapshot, PortBinding
from fixtures.probes import ProbeError
from fixtures.transport import Endpoint

REPO = Path(__file__).resolve().parent.parent


def kinds(findings: Sequence[doctor.Finding]) -> dict[str, bool | None]:
    return {f.key: f.ok for f in findings}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_endpoint_lines_name_the_address_and_what_the_transport_needs(
        lang: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unix = doctor.endpoint_findings(Endpoint("unix:///var/run/docker.sock", "unix"), lang)
    assert kinds(unix) == {"endpoint": True} and "unix:///var/run/docker.sock" in unix[0].text

    ssh = Endpoint("ssh://me@host", "ssh")
    monkeypatch.setattr(doctor.shutil, "which", lambda name: "/usr/bin/ssh")
    assert kinds(doctor.endpoint_findings(ssh, lang))["transport"] is True
    monkeypatch.setattr(doctor.shutil, "which", lambda name: None)
    missing_ssh = doctor.endpoint_findings(ssh, lang)[-1]
    assert missing_ssh.ok is False and "openssh-client" in missing_ssh.fix

    (tmp_path / "ca.pem").write_text("x")
    tls = Endpoint("tcp://h:2376", "tls", ca_cert=str(tmp_path / "ca.pem"))
    line = doctor.endpoint_findings(tls, lang)[-1]
    assert line.ok is False and "cert.pem" in line.text and "key.pem" in line.text and line.fix
    for name in ("cert.pem", "key.pem"):
        (tmp_path / name).write_text("x")
    assert doctor.endpoint_findings(tls, lang)[-1].ok is True


def test_engine_line_and_the_prune_drift_follow_the_api_version() -> None:
    old = doctor.engine_findings({"Version": "20.10.24", "ApiVersion": "1.41", "Os": "linux"}, "en")
    assert kinds(old) == {"engine": True} and "20.10.24" in old[0].text
    new = doctor.engine_findings({"Version": "28.5.2", "ApiVersion": "1.51", "Os": "linux"}, "fr")
    assert kinds(new) == {"engine": True, "drift.prune": None}
    assert "docker volume prune --all" in new[1].text


def test_image_lines_present_missing_and_the_redis_volume_drift() -> None:
    redis7 = {"RepoTags": ["redis:7.4-alpine"], "Config": {"Volumes": {"/data": {}}}}
    redis8 = {"RepoTags": ["redis:alpine"], "Config": {"Volumes": None}}
    app = {"RepoTags": ["russmckendrick/moby-counter:latest"], "Config": {}}
    assert kinds(doctor.image_findings([redis7, app], "en")) == {
        "images.redis": True, "images.moby-counter": True}
    found = doctor.image_findings([redis8], "en")
    assert kinds(found) == {"images.redis": True, "drift.volume": None,
                            "images.moby-counter": False}
    assert "-v /data" in found[1].text
    assert "docker pull russmckendrick/moby-counter" in found[2].fix


class _App(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = {"/": b"<html>Moby Counter</html>", "/v1/ping": b'{"connected": true}',
                "/v1/whales": b'["1:2","3:4","5:6"]'}.get(self.path)
        self.send_response(200 if body else 404)
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def app_port() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _App)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _host(port: int, status: str = "running") -> HostSnapshot:
    app = ContainerFacts(
        id="c" * 64, name="moby-counter", image_ref="russmckendrick/moby-counter",
        image_id="sha256:app", image_repos=("russmckendrick/moby-counter",), image_role="",
        status=status, restart_count=0, exit_code=0, endpoints=(), mounts=(),
        ports=(PortBinding("80/tcp", "0.0.0.0", str(port)),))
    return HostSnapshot(containers=(app,), networks=(), volumes=())


class _Probe:
    """Stands for HostProbe.fetch: answers as the app would, or cannot run."""

    def __init__(self, answers: bool) -> None:
        self.answers = answers

    def fetch(self, image: str, urls: Sequence[str]) -> list[Answer]:
        if not self.answers:
            raise ProbeError("the image sha256:app is no longer on the host")
        return [Answer(0, "<html>"), Answer(0, '{"connected": true}'), Answer(0, '["1:2"]')]


def test_app_lines_here_through_the_engine_or_not_at_all(app_port: int) -> None:
    here = doctor.app_findings(_host(app_port), _Probe(False), "127.0.0.1", "en")  # type: ignore[arg-type]
    assert kinds(here) == {"app.moby-counter": True} and "answers here" in here[0].text

    closed = _closed_port()
    engine = doctor.app_findings(_host(closed), _Probe(True), "127.0.0.1", "fr")  # type: ignore[arg-type]
    assert kinds(engine) == {"app.moby-counter": True}
    assert "à travers le moteur" in engine[0].text

    down = doctor.app_findings(_host(closed), _Probe(False), "127.0.0.1", "en")  # type: ignore[arg-type]
    assert kinds(down) == {"app.moby-counter": False}
    assert "docker container restart moby-counter" in down[0].fix  # running but silent

    none = doctor.app_findings(HostSnapshot((), (), ()), _Probe(True), "127.0.0.1", "en")  # type: ignore[arg-type]
    assert kinds(none) == {"app": None}


def test_render_marks_each_line_with_a_word_and_puts_the_fix_under_a_problem() -> None:
    text = doctor.render([doctor.Finding("a", True, "fine"), doctor.Finding("b", False, "bad", "do x"),
                          doctor.Finding("c", None, "fyi")], "fr")
    assert text.splitlines() == ["ok        fine", "problème  bad", "          à faire : do x",
                                 "info      fyi"]


def _doctor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "grading.cli", "doctor", *args], cwd="/",
                          env={**os.environ, "PYTHONPATH": str(REPO), **env},
                          capture_output=True, text=True, timeout=60, check=False)


def test_doctor_on_a_missing_engine_says_why_and_exits_3() -> None:
    done = _doctor({"DOCKER_HOST": "unix:///tmp/mobygrade-no-engine.sock"}, "--lang", "en")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "engine unreachable" in done.stdout and "/tmp/mobygrade-no-engine.sock" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.selftest_docker
def test_doctor_on_the_local_engine_lists_engine_images_and_footprint() -> None:
    done = _doctor({"DOCKER_HOST": "unix:///var/run/docker.sock"}, "--lang", "en")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    out = done.stdout
    assert "engine: Docker Engine" in out and "short-lived containers" in out, out
    assert "image" in out and "Traceback" not in out + done.stderr
    assert json.dumps(out)  # printable text

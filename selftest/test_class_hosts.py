"""A whole class on real engines: ``mobygrade class`` end to end.

Three second engines run at once, each in its own network namespace
(``selftest.engines``), each holding a scripted student host built with the lab's
docker commands (``selftest.class_hosts``). The roster reaches them through every
transport: the first engine by its unix socket, through tcp:// (a loopback proxy),
TLS with client certificates (``cert_path``), ssh (a real sshd) and a docker context; the second holds
a mistake (a read-write share); the third engine's dockerd is stopped while its
host is being graded; one more line names a port nobody listens on. The gradebook
must have every row with the right status, the Moodle and Canvas files every
student, and index.html must open in headless Chromium with the network cut.

The main engine is never used for a scripted host; every engine started here is stopped.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from fixtures.transport import context_id
from selftest.class_hosts import LAB_IMAGES, NetnsStudentHost
from selftest.student_hosts import BUILDERS
from selftest.tcp_proxy import TcpProxy
from selftest.test_class_pure import check_page
from selftest.test_render_html_browser import (
    chromium,
    console_errors,
    full_page_png,
    open_page,
    requests,
)
from selftest.transports import free_port, ssh_endpoint, tls_endpoint

pytestmark = pytest.mark.selftest_docker
ROOT = Path(__file__).resolve().parent.parent
CHECKPOINT = "volumes"
__all__ = ["chromium"]  # the fixture, used below


def engines_or_skip() -> None:
    from selftest.engines import EngineUnsupported, check_host

    try:
        check_host("bookworm")
    except EngineUnsupported as exc:
        pytest.skip(f"no secondary engine: {exc}")


@contextlib.contextmanager
def student_engine(mistake: str = "") -> Iterator[tuple[object, NetnsStudentHost]]:
    from selftest.engines import started_engine

    with started_engine(iptables=True, load=LAB_IMAGES) as engine:
        host = NetnsStudentHost.on(engine)
        BUILDERS[CHECKPOINT](host, mistake)
        yield engine, host


def stop_dockerd_when_grading_starts(engine_url: str, pid_file: Path, log: Path,
                                     deadline_s: float = 120) -> threading.Thread:
    """Once the host's run has created its first probe container, stop that dockerd."""

    def watch() -> None:
        end = time.monotonic() + deadline_s
        client = docker.DockerClient(base_url=engine_url, timeout=5)
        try:
            while time.monotonic() < end:
                if log.exists():
                    with contextlib.suppress(docker.errors.DockerException):
                        if client.containers.list(all=True,
                                                  filters={"label": "mobygrade.run"}):
                            break
                time.sleep(0.05)
        finally:
            client.close()
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_a_class_on_several_engines_and_every_transport(tmp_path: Path, chromium: object) -> None:
    engines_or_skip()
    with contextlib.ExitStack() as stack:
        (first, _) = stack.enter_context(student_engine())
        (second, _) = stack.enter_context(student_engine("no_ro"))
        (third, _) = stack.enter_context(student_engine())
        sock = first.docker_host.removeprefix("unix://")  # type: ignore[attr-defined]
        proxy = stack.enter_context(TcpProxy(sock))
        tls = stack.enter_context(tls_endpoint(sock))
        ssh = stack.enter_context(ssh_endpoint(sock))
        dead_port = free_port()
        config = tmp_path / "docker-config"  # a docker context naming the first engine
        meta = config / "contexts" / "meta" / context_id("lab-alice")
        meta.mkdir(parents=True)
        (meta / "meta.json").write_text(json.dumps(
            {"Name": "lab-alice", "Metadata": {},
             "Endpoints": {"docker": {"Host": first.docker_host,  # type: ignore[attr-defined]
                                      "SkipTLSVerify": False}}}))
        roster = tmp_path / "roster.csv"
        roster.write_text(
            "student,name,email,docker_host,cert_path\n"
            f"alice,Alice Martin,alice@example.org,{first.docker_host},\n"  # type: ignore[attr-defined]
            f"bob,Bob Durand,bob@example.org,{proxy.url},\n"
            f"carol,Carol Petit,carol@example.org,{tls.docker_host},{tls.cert_path}\n"
            f"dave,Dave Roux,dave@example.org,{ssh.docker_host},\n"
            f"erin,Erin Blanc,erin@example.org,{second.docker_host},\n"  # type: ignore[attr-defined]
            f"frank,Frank Noir,frank@example.org,{third.docker_host},\n"  # type: ignore[attr-defined]
            f"grace,Grace Vert,grace@example.org,tcp://127.0.0.1:{dead_port},\n"
            "heidi,Heidi Gris,heidi@example.org,context:lab-alice,\n")
        out = tmp_path / "class"
        log_dir = third.log.parent  # type: ignore[attr-defined]
        watcher = stop_dockerd_when_grading_starts(
            third.docker_host, log_dir / "dockerd.pid",  # type: ignore[attr-defined]
            out / "students" / "frank.log")
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        env.update(PYTHONPATH=str(ROOT), MOBYGRADE_SSH_CONFIG=str(ssh.ssh_config),
                   DOCKER_CONFIG=str(config))
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "grading.cli", "class", str(roster), "--checkpoint",
             CHECKPOINT, "--out", str(out), "--jobs", "8", "--timeout", "150",
             "--app-reads=engine", "--lang", "en"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=400, check=False)
        wall = time.monotonic() - started
        watcher.join(timeout=10)
    output = done.stdout + done.stderr
    print(output, f"\nclass of 8 graded in {wall:.1f} s")
    assert done.returncode == 3, output  # at least one host not graded

    table = list(csv.DictReader(io.StringIO((out / "gradebook.csv").read_bytes().decode())))
    by_id = {row["student"]: row for row in table}
    assert list(by_id) == ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
    for sid in ("alice", "bob", "carol", "dave", "heidi"):
        assert (by_id[sid]["status"], by_id[sid]["score"], by_id[sid]["max_score"]) == \
            ("graded", "20", "20"), (sid, by_id[sid], (out / "students" / f"{sid}.log")
                                     .read_text()[-2000:])
    assert by_id["erin"]["status"] == "graded" and float(by_id["erin"]["score"]) < 20
    assert by_id["erin"]["volumes.readonly"] == "0"
    assert by_id["grace"]["status"] == "not graded"
    assert str(dead_port) in by_id["grace"]["reason"] and by_id["grace"]["score"] == ""
    frank = by_id["frank"]
    frank_log = (out / "students" / "frank.log").read_text()[-3000:]
    # its engine went away under it: never a grade as if the student had done less
    assert frank["status"] in ("not graded", "incomplete"), (frank, frank_log)
    assert frank["reason"], frank
    print(f"frank (engine stopped mid-run): {frank['status']} {frank['score']} "
          f"{frank['reason']}")

    moodle = list(csv.reader(io.StringIO((out / "gradebook-moodle.csv").read_bytes().decode())))
    assert [r[0] for r in moodle[1:]] == list(by_id)
    canvas = list(csv.reader(io.StringIO((out / "gradebook-canvas.csv").read_bytes().decode())))
    assert canvas[1][0] == "Points Possible" and canvas[1][-1] == "20"
    assert [r[2] for r in canvas[2:]] == list(by_id)
    for sid in ("alice", "bob", "carol", "dave", "erin"):
        assert (out / "students" / f"{sid}.json").exists()
        assert (out / "students" / f"{sid}.html").exists()

    page = (out / "index.html").read_text()
    parsed = check_page(page, list(by_id))
    assert sum(1 for svg in parsed.svgs if "thumb" in svg["attrs"].get("class", "")) >= 5
    url = open_page(chromium, out / "index.html")  # type: ignore[arg-type]
    assert requests(chromium) == [url], "the page must fetch nothing but itself"  # type: ignore[arg-type]
    assert console_errors(chromium) == []  # type: ignore[arg-type]
    rows = chromium.evaluate(  # type: ignore[attr-defined]
        "Array.from(document.querySelectorAll('#students tbody tr')).map(r => "
        "[r.dataset.student, r.querySelector('svg.thumb') ? "
        "r.querySelector('svg.thumb').getBoundingClientRect().width : 0])")
    assert [r[0] for r in rows] == list(by_id)
    assert all(width > 50 for sid, width in rows
               if sid in ("alice", "bob", "carol", "dave", "heidi"))
    shot = full_page_png(chromium, tmp_path / "class.png")  # type: ignore[arg-type]
    print(f"screenshot of the class page: {shot}")

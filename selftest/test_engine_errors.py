"""A student's plain ``pytest`` facing an engine it cannot use: one clear line, fast, non-zero.

Each case runs ``python -m pytest tests`` in a subprocess with ``DOCKER_HOST``
pointing at a broken engine address and checks what the student sees: exactly
one line starting with ``mobygrade:`` that names the cause and the fix, no
traceback, exit status 3 (no engine) and an answer within 20 s. A bad option
value is a usage error (exit 4).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LIMIT_S = 20.0  # an answer in seconds (about 2 here when idle); room for a machine CI loads fully
NO_ENGINE = 3


@dataclass(frozen=True)
class Run:
    status: int
    output: str
    seconds: float

    @property
    def mobygrade_lines(self) -> list[str]:
        return [line for line in self.output.splitlines() if line.startswith("mobygrade:")]


def run_suite(docker_host: str, *args: str, prefix: tuple[str, ...] = (), lang: str = "en") -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env.update(DOCKER_HOST=docker_host, NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1")
    started = time.monotonic()
    done = subprocess.run(
        [*prefix, sys.executable, "-m", "pytest", "tests", "-p", "no:cacheprovider",
         f"--lang={lang}", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    return Run(done.returncode, done.stdout + done.stderr, time.monotonic() - started)


def assert_one_clear_line(run: Run, *words: str) -> None:
    assert "Traceback" not in run.output, run.output
    assert run.status == NO_ENGINE, f"exit {run.status}, expected {NO_ENGINE}:\n{run.output}"
    assert run.seconds < LIMIT_S, f"took {run.seconds:.1f} s (limit {LIMIT_S:.0f} s)"
    lines = run.mobygrade_lines
    assert len(lines) == 1, f"expected one 'mobygrade:' line, got {lines}:\n{run.output}"
    for word in words:
        assert word in lines[0], f"{word!r} missing from: {lines[0]}"
    assert "Exit:" not in run.output, "the line must not come wrapped in pytest's Exit banner"


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A directory with a short path (unix socket paths are limited to 107 bytes)."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="mg-sock-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_missing_socket(short_dir: Path) -> None:
    run = run_suite(f"unix://{short_dir}/docker.sock")
    assert_one_clear_line(run, f"{short_dir}/docker.sock", "does not exist", "dockerd", "DOCKER_HOST")


def test_missing_socket_in_french(short_dir: Path) -> None:
    """The line is in the run's language (the catalog's sentence), French by default."""
    from selftest.language import foreign_words

    run = run_suite(f"unix://{short_dir}/docker.sock", lang="fr")
    assert_one_clear_line(run, f"{short_dir}/docker.sock", "n'existe pas", "dockerd",
                          "DOCKER_HOST")
    assert foreign_words(run.mobygrade_lines[0], "fr") == []


def test_socket_nobody_listens_on(short_dir: Path) -> None:
    path = short_dir / "docker.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))  # bound, never listening, then closed: connect() is refused
    assert path.exists()
    run = run_suite(f"unix://{path}")
    assert_one_clear_line(run, str(path), "refuses connections", "Start it")


def test_socket_without_permission(short_dir: Path) -> None:
    path = short_dir / "docker.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        sock.listen(1)  # a live listener: permission is the only thing in the way
        if os.geteuid() == 0:
            # Root passes file permissions via CAP_DAC_OVERRIDE; without it (and with
            # the socket owned by someone else) the kernel denies connect() like for
            # a user outside the docker group.
            setpriv = shutil.which("setpriv")
            if setpriv is None:
                pytest.skip("root without setpriv (util-linux) cannot drop CAP_DAC_OVERRIDE")
            os.chown(path, 65534, 65534)
            path.chmod(0o600)
            prefix: tuple[str, ...] = (setpriv, "--bounding-set", "-dac_override,-dac_read_search")
        else:
            path.chmod(0o000)
            prefix = ()
        run = run_suite(f"unix://{path}", prefix=prefix)
    assert_one_clear_line(run, str(path), "permission denied", "docker group")


def test_tcp_port_nobody_listens_on() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # free now, and nothing listens once closed
    run = run_suite(f"tcp://127.0.0.1:{port}")
    assert_one_clear_line(run, f"tcp://127.0.0.1:{port}", "refuses connections", "DOCKER_HOST")


def test_unknown_lab_images_value_is_a_usage_error() -> None:
    run = run_suite("unix:///var/run/docker.sock", "--lab-images=bogus")
    assert run.status == 4, run.output
    assert "Traceback" not in run.output
    assert "--lab-images" in run.output and "bogus" in run.output


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (ConnectionRefusedError(111, "Connection refused"), ["refuses connections", "dockerd -H"]),
        (OSError("[Errno -2] Name or service not known"), ["no address", "DOCKER_HOST"]),
    ],
)
def test_tcp_faults_are_explained_without_the_urllib3_chain(
    exc: BaseException, words: list[str]
) -> None:
    from fixtures.engine import explain

    line = str(explain("tcp://lab-vm:2375", exc))
    assert "\n" not in line and "HTTPConnectionPool" not in line
    for word in words:
        assert word in line


def test_an_engine_that_dies_mid_run_is_not_graded(tmp_path: Path) -> None:
    """The engine answers, then goes away after a few checks: no score with hints, but
    "not graded" with the cause, exit 3, in the summary and the report."""
    import threading

    from fixtures.wait import wait_until
    from selftest.tcp_proxy import TcpProxy

    signal = tmp_path / "midrun"
    report = tmp_path / "report.json"
    with TcpProxy("/var/run/docker.sock") as proxy:
        def take_it_away() -> None:
            wait_until(signal.exists, timeout=60, what="the grader to reach its third check")
            proxy.close()
            (tmp_path / "midrun.done").touch()

        watcher = threading.Thread(target=take_it_away, daemon=True)
        watcher.start()
        env = {**os.environ, "DOCKER_HOST": proxy.url, "MOBYGRADE_MIDRUN_SIGNAL": str(signal),
               "MOBYGRADE_MIDRUN_CHECK": "test_networks.py::test_app_container"}
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "--lab-mode=inspect", "--checkpoint=networks",
             "-p", "selftest.midrun_plugin", "-p", "no:randomly", "-q",
             f"--grade-report=json:{report}"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)
        watcher.join(timeout=5)
    output = done.stdout + done.stderr
    assert signal.exists(), f"the grader never reached the check:\n{output[-2000:]}"
    assert done.returncode == 3, f"exit {done.returncode}\n{output[-3000:]}"
    data = json.loads(report.read_text())
    reason = (data.get("not_graded") or {}).get("reason", "")
    assert proxy.url.split("://")[1] in reason or "stopped answering" in reason, reason
    assert data["min_reached"] is False and all(not c["hint"] for c in data["checks"])
    assert "Traceback" not in output

"""Grade many hosts at once: one process per host, at most ``jobs`` at a time, each bounded.

Every host's run is its own process (``mobygrade inspect ...``, forked from the
class run after :func:`preload`: the libraries every run needs are imported once,
not once per host) in its own session and process group, with the roster line's
engine in its environment: hosts stay apart, and one host's failure never touches
another. A run past its
time bound is killed with its whole group. Ctrl-C (or SIGTERM) stops starting hosts,
kills the running ones' groups and returns; what ended before is kept. A run that says its
options are wrong (exit 4, no report) stops the class: the same options would fail
every host.

On a terminal a status line shows ``graded done/total · running N · not reached M``;
elsewhere nothing is printed while grading.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from grading.classrun.outcome import Outcome, last_mobygrade_line, outcome_of

USAGE_EXIT = 4
POLL_S = 0.05
KILL_GRACE_S = 3.0
OUTPUT_KEPT = 200_000  # characters of a run's output read back for its reason


@dataclass(frozen=True)
class Job:
    student: str
    args: list[str]  # the ``mobygrade`` command's arguments: inspect CHECKPOINT ...
    env: dict[str, str]
    report: Path  # the JSON report the run writes
    log: Path  # its output


class Forked:
    """One host's run: a child process forked from the class run, in its own session."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = -1
                return self.returncode
            if pid == self.pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout)
            time.sleep(0.02)
        assert self.returncode is not None
        return self.returncode


# Imported once by the class run, before it forks the hosts' runs: what every run would
# otherwise import again (pytest, the Docker SDK, requests, dnspython) and the suite's
# modules that are not pytest plugins. The plugin modules (conftest's ``pytest_plugins``
# and theirs) stay out: pytest imports them in each run, rewriting their asserts.
PRELOAD = (
    "pytest", "_pytest.python", "_pytest.terminal", "_pytest.fixtures", "_pytest.main",
    "_pytest.runner", "_pytest.assertion.rewrite", "_pytest.debugging", "_pytest.faulthandler",
    "_pytest.helpconfig", "_pytest.junitxml", "_pytest.pastebin", "_pytest.setuponly",
    "_pytest.setupplan", "_pytest.skipping", "_pytest.stepwise", "_pytest.threadexception",
    "_pytest.tracemalloc", "_pytest.unittest", "_pytest.unraisableexception", "_pytest.warnings",
    "pdb", "gzip", "readline", "faulthandler", "concurrent.futures.thread",
    "docker", "docker.errors", "docker.tls", "requests", "urllib3",
    "dns.message", "dns.query", "dns.rdatatype", "dns.resolver",
    "fixtures.app_client", "fixtures.engine", "fixtures.facts", "fixtures.graded_paths",
    "fixtures.labels", "fixtures.probes", "fixtures.profile", "fixtures.progress",
    "fixtures.settings", "fixtures.sweep", "fixtures.transport", "fixtures.wait",
    "fixtures.images.baseimage", "fixtures.images.build", "fixtures.images.hub",
    "fixtures.images.lab", "fixtures.inspect.ahead", "fixtures.inspect.checkpoint",
    "fixtures.inspect.evidence", "fixtures.inspect.http", "fixtures.inspect.observe",
    "fixtures.inspect.probe", "fixtures.inspect.rules", "fixtures.inspect.snapshot",
    "fixtures.provision.cleanup", "fixtures.provision.files", "fixtures.provision.labs",
    "fixtures.provision.ledger", "fixtures.provision.networks", "fixtures.provision.observe",
    "fixtures.provision.observed", "fixtures.provision.spec", "fixtures.provision.stages",
    "fixtures.provision.volume_track", "fixtures.provision.volumes",
    "grading.api", "grading.catalog", "grading.checkid", "grading.context", "grading.discover",
    "grading.fingerprint", "grading.i18n", "grading.messages", "grading.options",
    "grading.prereq", "grading.reporter", "grading.rubric", "grading.scoring", "grading.tomltext",
)
PLUGIN_MODULES = ("fixtures.plugin", "grading.plugin", "fixtures.images.plugin", "fixtures.health",
                  "fixtures.provision.plugin", "fixtures.inspect.plugin")


def preload() -> None:
    """Import :data:`PRELOAD` (what cannot be imported is left to the runs)."""
    import importlib

    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    leaked = [name for name in PLUGIN_MODULES if name in sys.modules]
    assert not leaked, f"preloading imported pytest plugins: {leaked}"
    with contextlib.suppress(Exception):  # the suite's texts, parsed once (grading.tomltext)
        from grading.catalog import DEFAULT_DIR, load_catalog
        from grading.messages import default_messages
        from grading.rubric import DEFAULT_PATH, load_rubric

        load_catalog(DEFAULT_DIR)
        load_rubric(DEFAULT_PATH)
        default_messages()  # the reports' words, memoised for every forked run
    import gc

    gc.collect()
    gc.freeze()  # the runs' own collections skip what they inherit (and leave it shared)


def _child(job: Job, log_fd: int) -> int:
    """In the forked child: become the host's run (``mobygrade inspect ...``)."""
    os.setsid()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    os.close(null)
    os.close(log_fd)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.environ.clear()
    os.environ.update(job.env)
    sys.dont_write_bytecode = "PYTHONDONTWRITEBYTECODE" in job.env
    sys.pycache_prefix = job.env.get("PYTHONPYCACHEPREFIX") or sys.pycache_prefix
    sys.argv = ["mobygrade", *job.args]
    from grading.cli import main

    return main(job.args)


def spawn(job: Job) -> Forked:
    """Fork the host's run; its output goes to ``job.log``."""
    sys.stdout.flush()
    sys.stderr.flush()
    log_fd = os.open(job.log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        code = 1
        try:
            code = _child(job, log_fd)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # noqa: BLE001 - the run's own crash, said in its log
            import traceback

            traceback.print_exc()
        finally:
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)
    os.close(log_fd)
    return Forked(pid)


@dataclass
class _Running:
    job: Job
    proc: Forked
    started: float


@dataclass
class Result:
    interrupted: bool = False
    usage_error: str = ""  # the line of a run that rejected the options
    cancelled: list[str] = field(default_factory=list)


class Progress:
    """The one status line, on a terminal only."""

    def __init__(self, total: int, stream: TextIO | None) -> None:
        self.total, self.stream = total, stream
        self.done = self.running = self.unreached = 0

    def show(self) -> None:
        if self.stream is None:
            return
        line = (f"mobygrade: class {self.done}/{self.total} done · running {self.running}"
                f" · not reached {self.unreached}")
        self.stream.write(f"\r\x1b[K{line}")
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _kill_group(proc: Forked) -> None:
    """SIGTERM to the run's group (its fixtures clean up), SIGKILL after a grace period."""
    for sig, grace in ((signal.SIGTERM, KILL_GRACE_S), (signal.SIGKILL, KILL_GRACE_S)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # what it left behind


def _read_report(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _read_output(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, path.stat().st_size - OUTPUT_KEPT))
            return handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def run_jobs(jobs: Sequence[Job], *, max_jobs: int, timeout_s: float,
             on_done: Callable[[Outcome], None], progress: Progress | None = None,
             lang: str = "fr") -> Result:
    """Run every job, calling ``on_done`` with each host's outcome (its reasons in ``lang``)
    as its run ends."""
    progress = progress or Progress(len(jobs), None)
    pending = list(jobs)
    running: list[_Running] = []
    result = Result()

    def finish(item: _Running, code: int | None, timed_out: bool) -> None:
        elapsed = time.monotonic() - item.started
        report = _read_report(item.job.report)
        output = _read_output(item.job.log)
        if code == USAGE_EXIT and report is None and not timed_out:
            result.usage_error = last_mobygrade_line(output) or \
                f"a host's run rejected the options (exit {USAGE_EXIT}): see {item.job.log}"
            return
        outcome = outcome_of(item.job.student, code, report, output,
                             timed_out_s=timeout_s if timed_out else None, duration_s=elapsed,
                             lang=lang)
        progress.done += 1
        progress.unreached += outcome.status == "not graded"
        on_done(outcome)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM ends the class as Ctrl-C does

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        while (pending or running) and not result.usage_error:
            while pending and len(running) < max_jobs:
                job = pending.pop(0)
                running.append(_Running(job, spawn(job), time.monotonic()))
            progress.running = len(running)
            progress.show()
            time.sleep(POLL_S)
            for item in list(running):
                code = item.proc.poll()
                late = time.monotonic() - item.started > timeout_s
                if code is None and not late:
                    continue
                if code is None:
                    _kill_group(item.proc)
                running.remove(item)
                finish(item, item.proc.returncode if code is not None else None, code is None)
    except KeyboardInterrupt:
        result.interrupted = True
    finally:
        signal.signal(signal.SIGTERM, previous)
        for item in running:  # interrupted, or stopped by a usage error
            _kill_group(item.proc)
            result.cancelled.append(item.job.student)
        progress.running = 0
        progress.close()
    result.cancelled += [job.student for job in pending]
    return result


def pycache_dir(env: Mapping[str, str]) -> Path:
    """Where the hosts' runs keep their bytecode: mobygrade's own cache directory."""
    base = env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME") or "/tmp", ".cache")
    return Path(base) / "mobygrade" / "pycache"


def child_env(env: Mapping[str, str]) -> dict[str, str]:
    """The environment of one host's run, from the roster line's (``env``):

    - this very ``grading`` package first on the path: every host is graded by the suite
      that runs the class, whatever the current directory holds;
    - ``PYTEST_DISABLE_PLUGIN_AUTOLOAD=1``: the suite loads its own plugins (conftest's
      ``pytest_plugins``); pytest plugins that merely sit in the environment (hypothesis,
      randomly, ...) stay out of the hosts' runs (``-p NAME`` still loads one);
    - bytecode (and pytest's rewritten test modules) cached under :func:`pycache_dir`
      (``PYTHONPYCACHEPREFIX``), even when ``PYTHONDONTWRITEBYTECODE`` is set: the N
      runs of a class compile the suite once, and nothing is written beside the sources.
    """
    root = str(Path(__file__).resolve().parent.parent.parent)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != root]
    out = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out["PYTHONPATH"] = os.pathsep.join([root, *paths])
    out["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    out.setdefault("PYTHONPYCACHEPREFIX", str(pycache_dir(env)))
    return out


def inspect_args(checkpoint: str, report_json: Path, report_html: Path,
                 options: Sequence[str]) -> list[str]:
    """One host's run: ``mobygrade inspect`` with the class's suite options."""
    return ["inspect", checkpoint, "-q", f"--grade-report=json:{report_json}",
            f"--grade-report=html:{report_html}", *options]

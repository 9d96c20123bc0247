"""Running the provision suite in a subprocess and reading what it did, for self-tests.

A run is identified by its process id: every object it creates carries
``mobygrade.pid=<pid>``. :func:`leftovers` lists what such a run left behind:
its labelled objects, and the anonymous (unlabelled) volumes its containers
used, found through the engine's event log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import docker

from fixtures.labels import PID_LABEL

REPO = Path(__file__).resolve().parent.parent
RUN_TIMEOUT_S = 600


@dataclass(frozen=True)
class SuiteRun:
    pid: int
    returncode: int
    output: str
    statuses: dict[str, str]  # check id -> passed | failed | blocked | ...
    messages: dict[str, str]  # check id -> the failure message of the JSON report
    started: float  # epoch seconds
    ended: float

    def failing(self) -> set[str]:
        return {check for check, status in self.statuses.items() if status != "passed"}

    def describe(self) -> str:
        return f"exit {self.returncode}; statuses {self.statuses}\n{self.output[-4000:]}"


class Suite:
    """One provision run of ``tests/`` in a subprocess (started at once)."""

    def __init__(
        self,
        args: Sequence[str],
        report: Path,
        *,
        env: dict[str, str] | None = None,
    ) -> None:
        self.report = report
        argv = [
            sys.executable, "-m", "pytest", "-p", "selftest.faults", "--lab-images=local",
            "--grade-report", f"json:{report}", "-q", "-p", "no:randomly",
            # the self-tests read English messages unless they ask for French
            *(() if any(a.startswith("--lang") for a in args) else ("--lang=en",)), *args,
        ]
        full_env = {**os.environ, **(env or {})}
        full_env.pop("PYTEST_ADDOPTS", None)
        self.started = time.time()
        self.proc = subprocess.Popen(
            argv, cwd=REPO, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait(self, timeout: float = RUN_TIMEOUT_S) -> SuiteRun:
        try:
            out, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
            raise AssertionError(
                f"suite run did not end within {timeout:.0f} s:\n{out.decode()[-4000:]}"
            ) from None
        statuses: dict[str, str] = {}
        messages: dict[str, str] = {}
        if self.report.exists():
            data = json.loads(self.report.read_text())
            statuses = {check["id"]: check["status"] for check in data["checks"]}
            messages = {check["id"]: check.get("message") or "" for check in data["checks"]}
        return SuiteRun(
            pid=self.proc.pid,
            returncode=self.proc.returncode,
            output=out.decode("utf-8", "replace"),
            statuses=statuses,
            messages=messages,
            started=self.started,
            ended=time.time(),
        )


def run_suite(args: Sequence[str], report: Path, **kwargs: object) -> SuiteRun:
    return Suite(args, report, **kwargs).wait()  # type: ignore[arg-type]


def labelled_of(client: docker.DockerClient, pid: int) -> list[str]:
    """Containers, networks and volumes labelled with ``mobygrade.pid=<pid>``."""
    scope = {"label": [f"{PID_LABEL}={pid}"]}
    # ignore_removed: a killed run's last `rm` may still be finishing in the engine
    found = client.containers.list(all=True, filters=scope, ignore_removed=True)
    out = [f"container {c.name}" for c in found]
    out += [f"network {n.name}" for n in client.networks.list(filters=scope)]
    out += [f"volume {v.name}" for v in client.volumes.list(filters=scope)]
    return out


def volumes_used_by(client: docker.DockerClient, pid: int, since: float, until: float) -> set[str]:
    """Volumes mounted by containers of run ``pid`` between ``since`` and ``until``."""
    ours: set[str] = set()
    mounted: list[tuple[str, str]] = []
    events = client.events(
        since=int(since) - 1, until=int(until) + 1, decode=True,
        filters={"type": ["container", "volume"]},
    )
    for event in events:
        attrs = (event.get("Actor") or {}).get("Attributes") or {}
        if event.get("Type") == "container" and attrs.get(PID_LABEL) == str(pid):
            ours.add(str((event.get("Actor") or {}).get("ID")))
        elif event.get("Type") == "volume" and event.get("Action") == "mount":
            mounted.append((str((event.get("Actor") or {}).get("ID")), attrs.get("container", "")))
    return {volume for volume, container in mounted if container in ours}


def leftovers(client: docker.DockerClient, run: SuiteRun) -> list[str]:
    """Everything run ``run`` created that still exists (labelled or anonymous)."""
    left = labelled_of(client, run.pid)
    existing = {v.name for v in client.volumes.list()}
    for volume in sorted(volumes_used_by(client, run.pid, run.started, run.ended) & existing):
        left.append(f"volume {volume} (anonymous, used by the run)")
    return left

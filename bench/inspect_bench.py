"""Benchmark: wall time of ``pytest --lab-mode=inspect --checkpoint=X`` on a correct local host.

For each checkpoint, builds the correct scripted student host (the lab's docker
CLI commands, ``selftest/student_hosts.py``), then times the whole grading
command, start to end, several times (target: under 2 s), and removes the host.

    python bench/inspect_bench.py [--runs 5] [--transport unix|tcp|both] [--checkpoint networks ...]

Figures depend on the machine's load. Python's bytecode cache matters: with
PYTHONDONTWRITEBYTECODE=1 every run recompiles pytest's rewritten modules
(about 1 s here); the figures say which setting was used.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from fixtures.engine import connect, engine_url
from fixtures.images.lab import ensure_images
from selftest.student_hosts import (
    BUILDERS,
    NameTaken,
    StudentHost,
    grade,
    one_student_at_a_time,
)
from selftest.tcp_proxy import TcpProxy

# The engine DOCKER_HOST names when it is a unix socket (a second engine of our own:
# python -m selftest.engines --version=bookworm --load-lab-images -- python bench/...),
# else the default socket.
LOCAL = engine_url() if engine_url().startswith("unix://") else "unix:///var/run/docker.sock"
TARGET_S = 2.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--transport", choices=("unix", "tcp", "both"), default="unix")
    parser.add_argument("--checkpoint", action="append", choices=sorted(BUILDERS))
    args = parser.parse_args(argv)
    checkpoints = args.checkpoint or ["networks", "volumes", "cleanup"]
    client, info = connect(LOCAL)
    images = ensure_images(client, "local", lambda line: None)
    caching = "off" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "on"
    print(f"engine {info.version} (API {info.api_version}), {os.cpu_count()} CPUs, "
          f"bytecode cache {caching}, {args.runs} runs per checkpoint")
    worst = 0.0
    with TcpProxy(LOCAL.removeprefix("unix://")) as proxy:
        transports = {"unix": LOCAL, "tcp": proxy.url}
        if args.transport != "both":
            transports = {args.transport: transports[args.transport]}
        for checkpoint in checkpoints:
            with one_student_at_a_time(docker_host=LOCAL):
                host = StudentHost(images.redis, images.app, {**os.environ, "DOCKER_HOST": LOCAL})
                try:
                    host.claim()
                except NameTaken as exc:
                    print(f"skipped: {exc}")
                    return 2
                try:
                    BUILDERS[checkpoint](host)
                    for name, url in transports.items():
                        walls: list[float] = []
                        notes: set[str] = set()
                        for _ in range(args.runs):
                            run = grade(checkpoint, url)
                            if not run.report:
                                print(f"{checkpoint}: grading wrote no report\n{run.output[-2000:]}")
                                return 1
                            # e.g. another run's dangling redis volume on a shared engine
                            notes.update(f"{i} {s}: {run.message(i)}"
                                         for i, s in run.statuses.items() if s != "passed")
                            walls.append(run.wall_s)
                        median = statistics.median(walls)
                        worst = max(worst, median)
                        print(f"{checkpoint:9} {name:4}  median {median:.2f} s  "
                              f"min {min(walls):.2f} s  max {max(walls):.2f} s  "
                              f"({'ok' if median < TARGET_S else 'OVER'} < {TARGET_S:.0f} s)")
                        for note in sorted(notes):
                            print(f"  note: not full marks on the correct host: {note}")
                finally:
                    host.remove_all()
    return 0 if worst < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())

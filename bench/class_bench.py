"""Benchmark: a class of 8 hosts with ``--jobs 8`` against one host's single run, side by side.

Starts a second engine in its own network namespace (``selftest.engines``, the
lab's stand-in images loaded), builds a correct ``volumes`` student host on it
with the lab's docker commands (``selftest.class_hosts``), then, round after
round, times:

- one host's single run: ``mobygrade inspect volumes`` (same options as the class's), as
  the environment runs it, and "warm": with the environment the class gives its hosts'
  runs (a bytecode cache, no autoloaded pytest plugins), for a fair comparison;
- ``mobygrade class ROSTER --jobs N`` for N = 1, 2, 4, 8 hosts (N roster lines, one
  engine: inspect mode only reads, so the runs do not disturb each other).

Each round runs every variant once, in turn, so a load from elsewhere hits them
alike; the medians and the ratio class-of-8 / single run are printed (target ≤ 2),
with the CPU time the whole machine spent meanwhile (/proc/stat: the grader, the
engine's dockerd, containerd and probe containers, and whatever else runs here).

    python bench/class_bench.py [--runs 5] [--docker-host URL --netns NS]

``--docker-host`` grades an engine that already holds a correct volumes host
instead of starting one. Reads go through the engine (``--app-reads=engine``):
the second engine's published ports exist only inside its namespace.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from grading.classrun.scheduler import child_env

CHECKPOINT = "volumes"
SIZES = (1, 2, 4, 8)
OPTIONS = ("--app-reads=engine", "--lang=en")
TARGET = 2.0
REPO = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def student_engine(url: str | None) -> Iterator[str]:
    """An engine holding a correct volumes host: the one given, or a new one."""
    if url:
        yield url
        return
    from selftest.class_hosts import LAB_IMAGES, NetnsStudentHost
    from selftest.engines import started_engine
    from selftest.student_hosts import BUILDERS

    with started_engine(iptables=True, load=LAB_IMAGES) as engine:
        BUILDERS[CHECKPOINT](NetnsStudentHost.on(engine))
        yield engine.docker_host


def env_for(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["DOCKER_HOST"] = url
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


def busy_s() -> float:
    """CPU seconds the whole machine has been busy (every process: grader, engines, others)."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = stat.readline().split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(f) for f in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


BUSY: dict[str, list[float]] = {}
GRADER: dict[str, list[float]] = {}


def grader_s() -> float:
    """CPU seconds of this benchmark's finished children (the grading processes, forked
    host runs included): the grader's own cost, without the engines'."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str], env: dict[str, str], ok: tuple[int, ...], name: str = "") -> float:
    started, cpu, own = time.monotonic(), busy_s(), grader_s()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False,
                          timeout=600)
    wall = time.monotonic() - started
    BUSY.setdefault(name, []).append(busy_s() - cpu)
    GRADER.setdefault(name, []).append(grader_s() - own)
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n"
                         f"{(done.stdout + done.stderr)[-3000:]}")
    return wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--docker-host", help="an engine that already holds a volumes host")
    args = parser.parse_args(argv)
    py = sys.executable
    walls: dict[str, list[float]] = {"single": [], "single warm": [],
                                     **{f"class {n}": [] for n in SIZES}}
    with student_engine(args.docker_host) as url, tempfile.TemporaryDirectory(
            prefix="mg-class-bench-") as tmp:
        env = env_for(url)
        warm = child_env(env)  # the class's hosts' environment: bytecode cache, no autoload
        work = Path(tmp)
        rosters = {}
        for n in SIZES:
            roster = work / f"roster-{n}.csv"
            roster.write_text("student,docker_host\n"
                              + "".join(f"s{i:02d},{url}\n" for i in range(n)))
            rosters[n] = roster
        print(f"{os.cpu_count()} CPUs, engine {url}, {args.runs} rounds, checkpoint "
              f"{CHECKPOINT}, options {' '.join(OPTIONS)}", flush=True)
        for round_ in range(args.runs):
            single = [py, "-m", "grading.cli", "inspect", CHECKPOINT, "-q",
                      f"--grade-report=json:{work / 'single.json'}",
                      f"--grade-report=html:{work / 'single.html'}", *OPTIONS]
            walls["single"].append(timed(single, env, (0,), "single"))
            walls["single warm"].append(timed(single, warm, (0,), "single warm"))
            for n in SIZES:
                out = work / f"class-{n}-{round_}"
                command = [py, "-m", "grading.cli", "class", str(rosters[n]), "--checkpoint",
                           CHECKPOINT, "--out", str(out), "--jobs", str(n), *OPTIONS]
                walls[f"class {n}"].append(timed(command, env, (0,), f"class {n}"))
            print(f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s"
                                                     for k, v in walls.items()), flush=True)
    medians = {k: statistics.median(v) for k, v in walls.items()}
    base = medians["single"]
    print("\nvariant      median   min      max     × single  CPU s (medians): machine  grader")
    for name, values in walls.items():
        print(f"{name:11} {medians[name]:6.2f} s {min(values):6.2f} s {max(values):6.2f} s"
              f"  {medians[name] / base:5.2f}     {statistics.median(BUSY[name]):20.1f}"
              f"  {statistics.median(GRADER[name]):6.2f}")
    ratio = medians[f"class {SIZES[-1]}"] / base
    print(f"\nclass of {SIZES[-1]} / single run: {ratio:.2f} "
          f"({'ok' if ratio <= TARGET else 'OVER'} ≤ {TARGET:g}); / single run with the "
          f"class's bytecode cache and no autoloaded plugins: "
          f"{medians[f'class {SIZES[-1]}'] / medians['single warm']:.2f}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())

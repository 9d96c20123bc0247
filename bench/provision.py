"""Benchmark: the provision suite against the plain script a student would write.

The baseline is ``bench/student.sh``: the handout's docker commands in its order
(both parts and the cleanup), the page visits as curl calls, bounded polling only
where the app needs it, on the same local images, label-scoped. The suite is the
full provision run (``pytest tests``, 18 graded checks), with
``MOBYGRADE_PROFILE`` set so that each run reports where its time went.
Every round runs each contender once, in a rotated order (A/B interleaved), so
that the machine's load weighs on all alike; the medians are compared.

    python bench/provision.py [--runs 5] [--target 2.0] [--before DIR] [--baseline lab]

``--before DIR``: also time the suite in DIR (e.g. ``git archive <commit> | tar -x
-C DIR``), interleaved with the others. ``--baseline lab``: the older
``bench/lab.sh`` (the same docker steps plus the suite's observations) instead.
Exit status 0 when the suite's median is within ``--target`` times the baseline's.
The images are ensured first (not timed). Figures depend on the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fixtures.engine import connect
from fixtures.images.lab import ensure_images

TARGET = 2.0
RUN_TIMEOUT_S = 600
PHASES = ("startup", "checks", "teardown")


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, str]:
    """Wall time of one command (it must succeed) and its last output line."""
    started = time.monotonic()
    done = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
        stdin=subprocess.DEVNULL, check=False,
    )
    elapsed = time.monotonic() - started
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed (exit {done.returncode}):\n{output[-3000:]}")
    return elapsed, output.splitlines()[-1] if output else ""


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--target", type=float, default=TARGET)
    parser.add_argument("--before", type=Path, help="another checkout of the suite to time too")
    parser.add_argument("--baseline", choices=("student", "lab"), default="student")
    args = parser.parse_args(argv)

    client, info = connect()
    images = ensure_images(client, "local", lambda line: None)
    env = {**os.environ, "REDIS_IMAGE": images.redis, "APP_IMAGE": images.app}
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("MOBYGRADE_PROFILE", None)
    suite = [sys.executable, "-m", "pytest", "tests", "--lab-images=local", "-q",
             "-p", "no:randomly"]
    contenders: dict[str, tuple[list[str], Path]] = {
        "script": (["bash", f"bench/{args.baseline}.sh"], REPO),
        "suite": (suite, REPO),
    }
    if args.before:
        contenders["before"] = (suite, args.before.resolve())
    print(f"engine {info.version} (API {info.api_version}), {os.cpu_count()} CPUs, "
          f"images {images.redis} {images.app}, baseline bench/{args.baseline}.sh, "
          f"{args.runs} rounds", flush=True)
    times: dict[str, list[float]] = {name: [] for name in contenders}
    profiles: list[dict[str, object]] = []
    names = list(contenders)
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            order = names[i % len(names):] + names[: i % len(names)]
            for name in order:
                argv, cwd = contenders[name]
                run_env = dict(env)
                profile = Path(tmp) / f"{name}-{i}.json"
                if name == "suite":
                    run_env["MOBYGRADE_PROFILE"] = str(profile)
                seconds, last = timed(argv, run_env, cwd)
                times[name].append(seconds)
                extra = ""
                if profile.exists():
                    data = json.loads(profile.read_text())
                    profiles.append(data)
                    extra = "  " + ", ".join(
                        f"{k} {data[k]:.1f}" for k in PHASES if k in data
                    )
                print(f"  round {i + 1}: {name:7s} {seconds:6.1f} s  ({last}){extra}", flush=True)
    medians = {name: median(values) for name, values in times.items()}
    ratio = medians["suite"] / medians["script"]
    line = ", ".join(f"{name} {value:.1f} s" for name, value in medians.items())
    print(f"median: {line}; suite/script {ratio:.2f} (target <= {args.target})")
    if "before" in medians:
        print(f"before/script {medians['before'] / medians['script']:.2f}, "
              f"before/suite {medians['before'] / medians['suite']:.2f}")
    if profiles:
        phases = {k: median([float(p[k]) for p in profiles if k in p])  # type: ignore[arg-type]
                  for k in PHASES}
        kinds = sorted({k for p in profiles for k in p.get("busy", {})})  # type: ignore[attr-defined]
        busy = {k: median([float(p["busy"].get(k, 0.0)) for p in profiles])  # type: ignore[index,attr-defined]
                for k in kinds}
        print("suite phases (median s, add up to the wall): "
              + ", ".join(f"{k} {v:.1f}" for k, v in phases.items()))
        print("suite busy time (median s, threads overlap): "
              + ", ".join(f"{k} {v:.1f}" for k, v in busy.items()))
    return 0 if ratio <= args.target else 1


if __name__ == "__main__":
    sys.exit(main())

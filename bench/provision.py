"""Benchmark: the provision suite against a plain shell script doing the same docker steps.

Both stand the whole lab up on the same local images and observe the same
behaviours (``bench/lab.sh``: the docker CLI steps a person types, with bounded
polling loops; ``pytest``: the 18 graded checks). Each is run ``--runs`` times,
alternating, and the medians are compared. Target: the suite costs at most
1.5x the script.

    python bench/provision.py [--runs 3] [--target 1.5]

Exit status 0 when the ratio of medians is within the target, 1 otherwise.
The images are ensured first (not timed). Figures depend on the machine's load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from fixtures.engine import connect
from fixtures.images.lab import ensure_images

TARGET = 1.5
RUN_TIMEOUT_S = 600


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall time of one command (it must succeed) and its last output line."""
    started = time.monotonic()
    done = subprocess.run(
        argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
        stdin=subprocess.DEVNULL, check=False,
    )
    elapsed = time.monotonic() - started
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed (exit {done.returncode}):\n{output[-3000:]}")
    return elapsed, output.splitlines()[-1] if output else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--target", type=float, default=TARGET)
    args = parser.parse_args(argv)

    client, info = connect()
    images = ensure_images(client, "local", lambda line: None)
    env = {**os.environ, "REDIS_IMAGE": images.redis, "APP_IMAGE": images.app}
    env.pop("PYTEST_ADDOPTS", None)
    script = ["bash", "bench/lab.sh"]
    suite = [sys.executable, "-m", "pytest", "tests", "--lab-images=local", "-q",
             "-p", "no:randomly"]
    print(f"engine {info.version} (API {info.api_version}), {os.cpu_count()} CPUs, "
          f"images {images.redis} {images.app}, {args.runs} runs each")
    script_times: list[float] = []
    suite_times: list[float] = []
    for i in range(args.runs):
        seconds, _ = timed(script, env)
        script_times.append(seconds)
        print(f"  run {i + 1}: bench/lab.sh {seconds:6.1f} s", flush=True)
        seconds, last = timed(suite, env)
        suite_times.append(seconds)
        print(f"  run {i + 1}: pytest       {seconds:6.1f} s  ({last})", flush=True)
    script_median = statistics.median(script_times)
    suite_median = statistics.median(suite_times)
    ratio = suite_median / script_median
    print(f"median: script {script_median:.1f} s, suite {suite_median:.1f} s, "
          f"ratio {ratio:.2f} (target <= {args.target})")
    return 0 if ratio <= args.target else 1


if __name__ == "__main__":
    sys.exit(main())

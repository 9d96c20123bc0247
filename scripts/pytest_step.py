"""Run one pytest step of ``tox`` and make "no tests" a loud, named failure.

pytest exits 5 when it collected nothing. For a step that exists to check
something (the graded lab, the self-tests) that is a defect, not a success; tox
would show only "exit 5". This wrapper names the step, says what exit 5 means
and how long the step took, and returns pytest's own status unchanged.

Usage: ``python scripts/pytest_step.py "LABEL" -- PYTEST_ARGS...``
"""

from __future__ import annotations

import subprocess
import sys
import time

NO_TESTS = 5


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] != "--":
        print('usage: python scripts/pytest_step.py "LABEL" -- PYTEST_ARGS...', file=sys.stderr)
        return 4
    label, pytest_args = argv[0], argv[2:]
    print(f"mobygrade-ci: {label}: pytest {' '.join(pytest_args)}", flush=True)
    started = time.monotonic()
    status = subprocess.call([sys.executable, "-m", "pytest", *pytest_args])
    took = time.monotonic() - started
    if status == NO_TESTS:
        print(
            f"mobygrade-ci: {label}: FAILED - pytest collected no tests (exit 5); "
            "this step must run tests: check the paths, markers and -k/-m filters.",
            flush=True,
        )
    else:
        verdict = "passed" if status == 0 else f"FAILED (pytest exit {status})"
        print(f"mobygrade-ci: {label}: {verdict} in {took:.0f} s", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

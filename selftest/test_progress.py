"""fixtures.progress: shown on a terminal, quiet in CI logs and with -q."""

from __future__ import annotations

import io

import pytest

from fixtures import progress


@pytest.mark.parametrize(
    ("isatty", "verbosity", "ci", "expected"),
    [
        (True, 0, "", "live"),
        (True, -1, "", "off"),        # -q
        (True, 0, "true", "off"),     # a CI job with a pseudo-terminal
        (True, 1, "true", "lines"),   # -v in CI: the steps, no status line
        (False, 0, "", "off"),        # a log file
        (False, 1, "", "lines"),
        (False, -2, "1", "off"),
    ],
)
def test_policy(isatty: bool, verbosity: int, ci: str, expected: str) -> None:
    env = {"CI": ci} if ci else {}
    assert progress.policy(isatty=isatty, verbosity=verbosity, env=env) == expected


def written(mode: progress.Policy, lines: list[str]) -> str:
    out: list[str] = []
    with progress.Progress(mode, out.append, lambda: 20, prefix="mg: ") as say:
        for line in lines:
            say(line)
    return "".join(out)


STEPS = ["building x ...", "  step 1/3", "  step 2/3 with a very long line indeed", "built x"]


def test_live_overwrites_details_on_one_status_line_and_clears_it() -> None:
    text = written("live", STEPS)
    assert text.startswith("mg: building x ...\n")
    assert "\rmg: step 1/3" in text and "\rmg: step 2/3 with a" in text
    assert "indeed" not in text  # cut to the terminal's width
    assert text.endswith("\r" + " " * 19 + "\rmg: built x\n")


def test_live_clears_a_status_line_left_by_a_failure() -> None:
    out: list[str] = []
    with pytest.raises(RuntimeError), progress.Progress("live", out.append, lambda: 20) as say:
        say("  half way")
        raise RuntimeError("build failed")
    assert out[-1] == "\r" + " " * 19 + "\r"


def test_lines_keeps_the_steps_only_and_off_says_nothing() -> None:
    assert written("lines", STEPS) == "mg: building x ...\nmg: built x\n"
    assert written("off", STEPS) == ""


def test_for_stream_on_a_log_file() -> None:
    log = io.StringIO()
    progress.for_stream(log, verbosity=1, env={})("built x")
    progress.for_stream(log, verbosity=0, env={})("built y")
    assert log.getvalue() == "built x\n"

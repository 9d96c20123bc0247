"""Run the suite's graded checks of one mode with pytest, from any current directory.

``pytest.main`` gets the suite's rootdir, ini file and conftest boundary
(:func:`grading.suite.pytest_args`), the mode, the caller's options (value options
in their ``=`` form, :mod:`grading.argv`) and ``<suite>/tests/<mode>`` as the only
path: the self-tests are never collected. The exit status is pytest's. Afterwards
the reports that were written are listed with their absolute paths.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

import pytest

from grading import argv, i18n, suite
from grading.options import ReportSpec


class ReportPaths:
    """A pytest plugin object that remembers the run's resolved ``--grade-report`` targets."""

    def __init__(self) -> None:
        self.reports: tuple[ReportSpec, ...] = ()
        self.lang = "fr"  # the run's language (--lang, grading_lang, the locale)

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        from grading.plugin import state_key

        state = config.stash.get(state_key, None)
        if state is not None:
            self.reports = state.opts.reports
            self.lang = state.opts.lang


def pytest_arguments(found: suite.Suite, mode: str, args: Sequence[str]) -> list[str]:
    return [
        *suite.pytest_args(found),
        f"--lab-mode={mode}",
        *argv.join_values(args),
        str(found.tests(mode)),
    ]


def run(mode: str, args: Sequence[str], out: TextIO | None = None) -> int:
    """pytest's exit status for the graded checks of ``mode`` with the caller's options."""
    out = sys.stdout if out is None else out
    try:
        found = suite.locate()
    except suite.SuiteNotFound as exc:
        print(f"mobygrade: {exc}", file=sys.stderr)
        return int(pytest.ExitCode.USAGE_ERROR)
    paths = ReportPaths()
    status = int(pytest.main(pytest_arguments(found, mode, args), plugins=[paths]))
    for report in paths.reports:
        if report.path.exists():
            line = i18n.text("report_written", paths.lang, fmt=report.fmt,
                             path=report.path.resolve())
            print(f"mobygrade: {line}", file=out, flush=True)
    return status

"""Self-test policy: in CI, a skipped self-test is an error.

A skip hides a test that did not run: a missing tool, an engine feature, a
name that belonged to something else. On a developer's machine that is
useful; in CI (``CI`` set to ``true``, as GitHub Actions, GitLab and .ci/run's
callers do) the machine is built for the suite, so a skip means the suite
proved nothing there. Each one is printed with its reason and the session
fails (exit 1), unless the test says why it can never run in CI with
``@pytest.mark.never_in_ci("reason")`` (registered in pyproject.toml).

xfail/xpass are not skips. Skips at collection (a module-level
``pytest.skip``/``importorskip``) count too.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Mapping

import pytest

# The scripted students' fixture (selftest/student_hosts.py), shared by the modules that
# grade scripted hosts: each says where with its student_images and student_docker_host.
from selftest.student_hosts import student  # noqa: F401

NEVER_IN_CI = "never_in_ci"
_PROP = "selftest.never_in_ci"  # in report.user_properties: crosses xdist workers


def in_ci(env: Mapping[str, str] | None = None) -> bool:
    """``CI`` is ``true`` (or ``1``/``yes``), case-insensitively."""
    value = (os.environ if env is None else env).get("CI", "")
    return value.strip().lower() in ("true", "1", "yes")


def skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr or "")


class SkipsInCi:
    """Collects the skips (controller side) and fails the session on them in CI."""

    def __init__(self) -> None:
        self.skips: list[tuple[str, str]] = []

    def _note(self, report: pytest.TestReport | pytest.CollectReport) -> None:
        if not report.skipped or hasattr(report, "wasxfail"):
            return
        if any(key == _PROP for key, _ in getattr(report, "user_properties", ())):
            return  # @pytest.mark.never_in_ci: allowed, with its reason
        self.skips.append((report.nodeid, skip_reason(report)))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._note(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self._note(report)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if in_ci() and self.skips and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not (in_ci() and self.skips):
            return
        terminalreporter.write_sep(
            "=", f"{len(self.skips)} self-test(s) skipped in CI: a skip in CI is an error",
            red=True,
        )
        for nodeid, reason in self.skips:
            terminalreporter.write_line(f"SKIPPED IN CI {nodeid}: {reason}", red=True)
        terminalreporter.write_line(
            'only a test that can never run in CI may say so: @pytest.mark.never_in_ci("why")'
        )


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # xdist workers send their reports to the controller
        config.pluginmanager.register(SkipsInCi(), "selftest-skips-in-ci")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Mark the skip report of a ``never_in_ci`` test, with the marker's reason."""
    report = yield
    marker = item.get_closest_marker(NEVER_IN_CI)
    if marker is not None and report.skipped:
        report.user_properties.append((_PROP, str(marker.args[0]) if marker.args else ""))
    return report

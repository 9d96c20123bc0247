"""The grade reporter: a plugin object living on the controller (never on xdist workers).

It collects graded items' reports in ``pytest_runtest_logreport`` (results from
workers arrive through ``report.user_properties`` only), grades and writes the
reports in ``pytest_sessionfinish`` (where it also sets the exit status), and
prints the summary in ``pytest_terminal_summary``. The work itself is done by
the pure modules: :mod:`grading.scoring` and the ``render_*`` modules.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from grading import api, i18n
from grading.catalog import Catalog
from grading.checkid import parse_nodeid
from grading.options import GradingOptions, ReportSpec
from grading.render.html import render_html_report
from grading.render.junit import render_junit
from grading.render.platforms import (
    render_classroom,
    render_gradescope,
    render_json,
)
from grading.render.text import Line, render_markdown, terminal_lines
from grading.rubric import Rubric
from grading.scoring import GradeResult, ItemOutcome, RunMeta, grade

RENDERERS: dict[str, Callable[[GradeResult], str]] = {
    "json": render_json,
    "gradescope": render_gradescope,
    "classroom": render_classroom,
    "junit": render_junit,
    "markdown": render_markdown,
    "html": render_html_report,
}


def _reason(value: object) -> str | None:
    """``{"reason": ...}`` (or a plain reason) of a host that could not be graded."""
    if isinstance(value, dict):
        value = value.get("reason")
    return str(value) if value else None


def _mapping(value: object) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


@dataclass
class _Item:
    """What the reports of one test item said, phase by phase."""

    nodeid: str
    phases: dict[str, tuple[str, float, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    objects: list[str] = field(default_factory=list)
    blocked_by: str | None = None
    hints: dict[str, str] = field(default_factory=dict)  # phase -> the host's own hint
    duration_s: float = 0.0
    filename: str = ""
    line_no: int = 0

    def outcome(self) -> ItemOutcome:
        ref = parse_nodeid(self.nodeid)
        assert ref is not None
        setup = self.phases.get("setup")
        call = self.phases.get("call")
        teardown = self.phases.get("teardown")
        hint = ""
        if setup and setup[0] != "passed":
            status, fraction, message = setup
            hint = self.hints.get("setup", "")
        elif call:
            status, fraction, message = call
            hint = self.hints.get("call", "")
        else:
            status, fraction, message = "notrun", 0.0, ""
        if teardown and teardown[0] != "passed" and status == "passed":
            status, fraction, message = "error", 0.0, teardown[2]
            hint = ""
        return ItemOutcome(
            nodeid=self.nodeid, mode=ref.mode, check_id=ref.id, status=status,
            fraction=fraction, message=message, duration_s=self.duration_s,
            notes=tuple(dict.fromkeys(self.notes)), facts=tuple(dict.fromkeys(self.facts)),
            objects=tuple(dict.fromkeys(self.objects)),
            blocked_by=self.blocked_by, filename=self.filename, line_no=self.line_no,
            hint=hint,
        )


def phase_result(report: pytest.TestReport) -> tuple[str, float, str]:
    """(status, fraction, message) of one phase, from what the plugin attached in the worker."""
    props = dict(p for p in report.user_properties if isinstance(p, tuple) and len(p) == 2)
    status = props.get(api.STATUS_KEY)
    if not isinstance(status, str):  # not annotated (should not happen): pytest's own outcome
        if report.passed:
            status = "passed"
        elif report.skipped:
            status = "skipped"
        else:
            status = "failed" if report.when == "call" else "error"
    message = props.get(api.MESSAGE_KEY)
    if not isinstance(message, str):
        lines = [] if report.passed else report.longreprtext.strip().splitlines()
        message = lines[-1] if lines else ""
    fraction = props.get(api.FRACTION_KEY, 0.0)
    return status, float(fraction) if isinstance(fraction, (int, float)) else 0.0, message


class GradeReporter:
    """Collects graded results, grades once at session end, writes and prints."""

    def __init__(
        self,
        config: pytest.Config,
        opts: GradingOptions,
        rubric: Rubric,
        catalog: Catalog,
        available: Callable[[str, str | None], Sequence[str]],
        fingerprint: str,
        run_settings: Callable[[], tuple[str | None, str | None]],
        local_run_info: Callable[[], dict[str, Any]],
    ) -> None:
        self.config = config
        self.opts = opts
        self.rubric = rubric
        self.catalog = catalog
        self.available = available
        self.fingerprint = fingerprint
        self.run_settings = run_settings
        self.local_run_info = local_run_info
        self.started_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.t0 = time.monotonic()
        self.items: dict[str, _Item] = {}
        self.run_info: dict[str, Any] = {}
        self.result: GradeResult | None = None
        self.written: list[ReportSpec] = []
        self.failures: list[str] = []
        self.github_output = False
        self.interrupted = False  # Ctrl-C (a KeyboardInterrupt anywhere in the session)
        self.stopped: str | None = None  # pytest's reason for stopping early (-x, xdist)

    def _item(self, nodeid: str) -> _Item:
        return self.items.setdefault(nodeid, _Item(nodeid))

    def note_collected(self, nodeids: Sequence[str]) -> None:
        for nodeid in nodeids:
            if parse_nodeid(nodeid) is not None:
                self._item(nodeid)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.note_collected([item.nodeid for item in session.items])

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: object, ids: Sequence[str]) -> None:
        self.note_collected(ids)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if parse_nodeid(report.nodeid) is None:
            return
        item = self._item(report.nodeid)
        item.phases[report.when] = phase_result(report)
        item.duration_s += report.duration or 0.0
        if report.location and not item.filename:
            item.filename = report.location[0]
            item.line_no = (report.location[1] or 0) + 1
        for key, value in report.user_properties:
            if key == api.DRIFT_KEY:
                item.notes.append(str(value))
            elif key == api.FACT_KEY:
                item.facts.append(str(value))
            elif key == api.OBJECTS_KEY and isinstance(value, list):
                item.objects.extend(str(v) for v in value)
            elif key == api.BLOCKED_KEY:
                item.blocked_by = str(value)
            elif key == api.HINT_KEY:
                item.hints[report.when] = str(value)
            elif key == api.RUN_INFO_PROP and isinstance(value, dict):
                self.run_info.update(value)

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        """Ctrl-C, or pytest's own early stop (xdist's -x ends the session as Interrupted)."""
        if excinfo.errisinstance(KeyboardInterrupt) and \
                not excinfo.errisinstance(pytest.Session.Interrupted):
            self.interrupted = True
        else:
            self.stopped = str(excinfo.value) or type(excinfo.value).__name__

    def build(self) -> GradeResult | None:
        """The grade of what ran, or None when no graded check was in the session."""
        info = {**self.run_info, **self.local_run_info()}
        not_graded = _reason(info.get("not_graded"))
        if self.config.option.collectonly or not (self.items or not_graded):
            return None
        outcomes = [item.outcome() for item in self.items.values()]
        mode, checkpoint = self.run_settings()
        modes = {outcome.mode for outcome in outcomes}
        mode = mode or (modes.pop() if len(modes) == 1 else "provision")
        if not outcomes:  # the host could not be reached: every check of the run, not run
            outcomes = [ItemOutcome(nodeid="", mode=mode, check_id=check_id, status="notrun")
                        for check_id in self.available(mode, checkpoint)]
        images = info.get("images")
        meta = RunMeta(
            lab=self.rubric.lab,
            mode=mode,
            checkpoint=checkpoint,
            lang=self.opts.lang,
            docker_host=str(info.get("docker_host") or os.environ.get("DOCKER_HOST")
                            or "unix:///var/run/docker.sock"),
            engine_version=str(info["engine_version"]) if info.get("engine_version") else None,
            images=images if isinstance(images, dict) else None,
            endpoint=_mapping(info.get("endpoint")),
            observations=_mapping(info.get("observations")),
            not_graded=not_graded,
            started_at=self.started_at,
            duration_s=time.monotonic() - self.t0,
            fingerprint=self.fingerprint,
        )
        return grade(
            outcomes, self.rubric, self.catalog, meta, self.opts.minimum,
            self.available(mode, checkpoint), interrupted=self.interrupted, stopped=self.stopped,
        )

    def write_reports(self, result: GradeResult) -> None:
        summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
        for spec in self.opts.reports:
            try:
                text = RENDERERS[spec.fmt](result)
                spec.path.parent.mkdir(parents=True, exist_ok=True)
                append = spec.fmt == "markdown" and summary_file and \
                    Path(summary_file).resolve() == spec.path.resolve()
                with open(spec.path, "a" if append else "w", encoding="utf-8",
                          errors="replace") as out:
                    out.write(text if spec.fmt != "classroom" else text + "\n")
                self.written.append(spec)
                if spec.fmt == "classroom" and not self.github_output:
                    self._github_output(text)
            except OSError as exc:
                self.failures.append(
                    i18n.text("report_failed", result.meta.lang, fmt=spec.fmt, path=spec.path,
                              error=exc.strerror or exc)
                )

    def _github_output(self, encoded: str) -> None:
        target = os.environ.get("GITHUB_OUTPUT")
        if target:
            with open(target, "a", encoding="utf-8") as out:
                out.write(f"result={encoded}\n")
            self.github_output = True

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Grade, write the reports and set the exit status (0: minimum reached, else 1)."""
        stop = session.shouldfail or session.shouldstop  # -x/--maxfail: "stopping after 1 failures"
        if stop and not self.stopped:
            self.stopped = str(stop) if isinstance(stop, str) else "stop"
        if session.exitstatus == pytest.ExitCode.INTERRUPTED and not self.stopped:
            self.interrupted = True
        self.result = self.build()
        if self.result is None:
            return
        self.write_reports(self.result)
        if session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            ok = self.result.reached and not self.failures
            session.exitstatus = pytest.ExitCode.OK if ok else pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        result = self.result
        if result is None:
            return
        lang = result.meta.lang
        terminalreporter.write_sep("=", i18n.text("heading", lang), bold=True)
        for line in terminal_lines(result, terminalreporter.config.get_verbosity()):
            self._write(terminalreporter, line)
        cwd = self.config.invocation_params.dir
        for spec in self.written:
            shown = os.path.relpath(spec.path, cwd) if spec.path.is_relative_to(cwd) else spec.path
            terminalreporter.write_line(i18n.text("report_written", lang, fmt=spec.fmt, path=shown))
            if spec.fmt == "classroom" and not self.github_output:
                command = f'echo "result=$(cat {shown})" >> "$GITHUB_OUTPUT"'
                terminalreporter.write_line(i18n.text("classroom_line", lang, line=command))
        if self.github_output:
            terminalreporter.write_line(i18n.text("classroom_output", lang))
        for failure in self.failures:
            terminalreporter.write_line(failure, red=True)

    @staticmethod
    def _write(terminalreporter: pytest.TerminalReporter, line: Line) -> None:
        markup = {line.style: True} if line.style else {}
        terminalreporter.write_line(line.text, **markup)

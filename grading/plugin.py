"""The grading plugin: rubric, prerequisites, scoring, hints and reports for mobygrade.

Hooks stay short and delegate: options to :mod:`grading.options`, the rubric
to :mod:`grading.rubric`, texts to :mod:`grading.catalog`, ordering to
:mod:`grading.prereq`, the grade to :mod:`grading.scoring` (via the
:class:`grading.reporter.GradeReporter` plugin object, controller only).
Items that are not graded checks (``grading.checkid.parse_nodeid`` is None)
are ignored entirely: a session without graded items prints nothing more and
keeps pytest's exit status.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from grading import api, context, i18n
from grading.catalog import Catalog, CatalogError, load_catalog
from grading.checkid import parse_nodeid
from grading.discover import KnownChecks, scan
from grading.fingerprint import fingerprint
from grading.messages import Message, says
from grading.options import GradingOptions, OptionError, add_options, error_lang, resolve
from grading.prereq import stable_order
from grading.render.safe import no_surrogates
from grading.reporter import GradeReporter
from grading.rubric import Rubric, RubricError, load_rubric

MAX_MESSAGE_CHARS = 2000


@dataclass
class GradingState:
    """Per-process session state (controller and each xdist worker)."""

    opts: GradingOptions
    rubric: Rubric
    catalog: Catalog
    known: KnownChecks
    finished: dict[tuple[str, str], bool] = field(default_factory=dict)  # check -> passed so far

    def say(self, value: object) -> str:
        """A sentence (or plain text) in the run's language."""
        return self.catalog.say(value, self.opts.lang)
    sent_run_info: dict[str, Any] = field(default_factory=dict)


state_key = pytest.StashKey[GradingState]()
reporter_key = pytest.StashKey[GradeReporter]()
_blocked_key = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def _lab_settings(config: pytest.Config) -> tuple[str | None, str | None]:
    """(mode, checkpoint) of the run, when the lab plugin is loaded."""
    settings = context.settings(config)
    if settings is None:
        return None, None
    return settings.mode, settings.checkpoint


@pytest.hookimpl(trylast=True)  # after fixtures.plugin has resolved the lab settings
def pytest_configure(config: pytest.Config) -> None:
    """Validate options, rubric and catalog (exit 4 on any problem) before any Docker work."""
    if config.getoption("help", False) or config.getoption("version", False):
        return
    try:
        opts = resolve(config)
        known = scan(config.rootpath / "tests")
        rubric = load_rubric(opts.rubric_path, known)
        catalog = load_catalog(opts.catalog_dir)
    except OptionError as exc:  # a sentence, in the language the run would have spoken
        raise pytest.UsageError(exc.text(error_lang(config))) from None
    except (RubricError, CatalogError) as exc:
        raise pytest.UsageError(str(exc)) from None
    state = GradingState(opts, rubric, catalog, known)
    config.stash[state_key] = state
    config.stash[context.SAY_KEY] = state.say
    if hasattr(config, "workerinput"):  # xdist worker: the controller reports
        return

    def available(mode: str, checkpoint: str | None) -> Sequence[str]:
        return known.ids(mode, checkpoint if mode == "inspect" else None)

    reporter = GradeReporter(
        config, opts, rubric, catalog, available,
        fingerprint(config.rootpath, opts.rubric_path.read_bytes(), opts.catalog_dir),
        lambda: _lab_settings(config),
        lambda: context.run_info(config),
    )
    config.stash[reporter_key] = reporter
    config.pluginmanager.register(reporter, "mobygrade-grade-reporter")


def pytest_unconfigure(config: pytest.Config) -> None:
    reporter = config.stash.get(reporter_key, None)
    if reporter is not None:
        config.pluginmanager.unregister(reporter)
        del config.stash[reporter_key]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run prerequisites before their dependents, moving as little as possible."""
    state = config.stash.get(state_key, None)
    if state is None:
        return
    refs = [parse_nodeid(item.nodeid) for item in items]
    keys = [(ref.mode, ref.id) if ref else None for ref in refs]
    order = stable_order(keys, lambda key: [(key[0], r) for r in state.rubric.requires(*key)])
    if order != list(range(len(items))):
        items[:] = [items[index] for index in order]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip (as ``blocked``) a check whose prerequisite already did not pass in this process."""
    state = item.config.stash.get(state_key, None)
    ref = parse_nodeid(item.nodeid)
    if state is None or ref is None:
        return
    for prereq in state.rubric.requires(ref.mode, ref.id):
        if state.finished.get((ref.mode, prereq)) is False:
            item.stash[_blocked_key] = prereq
            pytest.skip(i18n.text("blocked_by", state.opts.lang, id=prereq))


def assertion_message(text: str) -> str:
    """The author's message without pytest's ``assert ...`` explanation appended to it."""
    lines = text.splitlines()
    if lines and not lines[0].startswith("assert "):
        for index, line in enumerate(lines[1:], start=1):
            if line.startswith("assert "):
                return "\n".join(lines[:index]).rstrip()
    return text


def _describe(item: pytest.Item, call: pytest.CallInfo[None],
              say: Callable[[object], str]) -> tuple[str, float, str]:
    """(status, fraction, message) of one phase that raised; sentences in the run's language."""
    assert call.excinfo is not None
    exc = call.excinfo.value
    if isinstance(exc, api.CheckFailed):
        return "failed", exc.fraction, say(exc.message if exc.message != "" else exc)
    if isinstance(exc, api.CheckBlocked):
        return "blocked", 0.0, say(exc.message)
    if isinstance(exc, (pytest.skip.Exception, pytest.xfail.Exception)):
        blocked = item.stash.get(_blocked_key, None)
        if blocked and call.when == "setup":
            state = item.config.stash.get(state_key, None)
            lang = state.opts.lang if state is not None else "fr"
            return "blocked", 0.0, i18n.text("blocked_by", lang, id=blocked)
        return "skipped", 0.0, str(getattr(exc, "msg", exc))
    if call.when == "call" and isinstance(exc, (AssertionError, pytest.fail.Exception)):
        return "failed", 0.0, assertion_message(str(exc))
    where = ""
    try:
        entry = call.excinfo.traceback[-1]
        path = Path(entry.path)
        shown = path.relative_to(item.config.rootpath) if path.is_relative_to(
            item.config.rootpath) else path
        where = f"{shown}:{entry.lineno + 1}"
    except (IndexError, AttributeError, TypeError, ValueError):
        pass
    said = getattr(exc, "message", None)  # the suite's own errors say a catalog sentence
    if not isinstance(said, Message):
        said = exc.args[0] if exc.args and isinstance(exc.args[0], Message) else None
    lines = (say(said) if said is not None else str(exc)).strip().splitlines()[:1]
    detail = lines[0] if lines else ""
    crash = says("suite.crash_at", error=type(exc).__name__, detail=detail, where=where) \
        if where else says("suite.crash", error=type(exc).__name__, detail=detail)
    return "error", 0.0, say(crash)


def _short_failure(config: pytest.Config, call: pytest.CallInfo[None]) -> bool:
    excinfo = call.excinfo
    return (
        excinfo is not None
        and excinfo.errisinstance((api.CheckFailed, api.CheckBlocked))
        and config.getoption("tbstyle", "auto") == "auto"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach status, partial credit and message to the report (this crosses xdist)."""
    report = yield
    state = item.config.stash.get(state_key, None)
    if state is None or parse_nodeid(item.nodeid) is None:
        return report
    props = report.user_properties
    ref = parse_nodeid(item.nodeid)
    assert ref is not None
    key = (ref.mode, ref.id)
    if report.failed or report.skipped:
        state.finished[key] = False
    elif report.when == "call":
        state.finished.setdefault(key, True)
    say = state.say
    for index, (name, value) in enumerate(props):
        if name in (api.DRIFT_KEY, api.FACT_KEY) and not isinstance(value, str):
            props[index] = (name, say(value))  # crosses xdist as text in the run's language
    if call.excinfo is not None:
        status, fraction, message = _describe(item, call, say)
        objects = getattr(call.excinfo.value, "objects", ())
        if objects:
            props.append((api.OBJECTS_KEY, list(objects)))
        hint = getattr(call.excinfo.value, "hint", None)
        if hint is not None and status in ("failed", "blocked"):
            props.append((api.HINT_KEY, say(hint)[:MAX_MESSAGE_CHARS]))
        if hasattr(report, "wasxfail"):
            status = "skipped"
        props.append((api.STATUS_KEY, status))
        props.append((api.MESSAGE_KEY, no_surrogates(message[:MAX_MESSAGE_CHARS])))
        if status == "failed":
            props.append((api.FRACTION_KEY, fraction))
        if status == "blocked":
            by = item.stash.get(_blocked_key, None) or getattr(call.excinfo.value, "by", None)
            if by:
                props.append((api.BLOCKED_KEY, by))
            if report.failed:  # not measured: pytest counts it skipped, as the grade does
                report.outcome = "skipped"
                report.longrepr = (str(item.path), (item.location[1] or 0) + 1,
                                   f"blocked: {message}")
        if _short_failure(item.config, call):
            # The student's failure is its message (expected vs found), not a traceback
            # into the suite; --tb=long/short/native keeps pytest's own report.
            report.longrepr = f"{ref.id}: {message}"
    info = context.run_info(item.config)
    if info and info != state.sent_run_info:
        props.append((api.RUN_INFO_PROP, info))
        state.sent_run_info = info
    return report

"""Text for people: the terminal grade summary and the Markdown report.

Pure functions of a :class:`GradeResult`. The terminal renderer returns
``(text, style)`` lines and never relies on colour: marks are words, so the
summary reads the same with ``NO_COLOR``, in a log file or under ``-q``.
"""

from __future__ import annotations

from dataclasses import dataclass

from grading import i18n
from grading.cli_help import CHECKPOINT_STOPS
from grading.render.platforms import check_name, student_text
from grading.render.safe import visible
from grading.scoring import CheckResult, GradeResult

_STYLE = {
    "passed": "green",
    "partial": "yellow",
    "failed": "red",
    "error": "red",
    "blocked": "yellow",
    "skipped": "yellow",
    "notrun": "yellow",
}
_ICON = {
    "passed": "✅",
    "partial": "⚠️",
    "failed": "❌",
    "error": "💥",
    "blocked": "⛔",
    "skipped": "➖",
    "notrun": "⏸️",
}
MAX_MESSAGE_LINES = 6


@dataclass(frozen=True)
class Line:
    text: str
    style: str = ""  # "", "green", "red", "yellow", "bold"


def score_line(result: GradeResult) -> str:
    """``Note : 17/20`` or ``Score: 17/20``, the one line CI logs are grepped for."""
    lang = result.meta.lang
    if result.meta.not_graded:
        return i18n.not_graded_line(result.meta.not_graded, lang)
    return i18n.text(
        "score_line", lang, score=i18n.points(result.score, lang),
        max=i18n.points(result.max_score, lang),
    )


def min_line(result: GradeResult) -> str:
    lang = result.meta.lang
    if result.meta.not_graded:
        return i18n.text("min_not_graded", lang)
    key = "min_reached" if result.reached else "min_missed"
    return i18n.text(
        key, lang, min=i18n.points(result.min_score, lang), max=i18n.points(result.max_score, lang)
    )


NO_POINTS = "—"  # a check of a host that could not be graded: no points, not 0


def _points(check: CheckResult, lang: str, graded: bool = True) -> str:
    if not graded:
        return NO_POINTS
    if check.informational:
        return "-"
    return f"{i18n.points(check.score, lang)}/{i18n.points(check.max_score, lang)}"


def selection_lines(result: GradeResult) -> list[str]:
    lang = result.meta.lang
    lines = []
    if result.incomplete:  # says "partial selection" too, when that is a cause
        lines.append(i18n.incomplete_line(result.incomplete.reason, lang))
    if result.prereqs_not_selected:
        lines.append(
            i18n.text("prereq_not_selected", lang, ids=", ".join(result.prereqs_not_selected))
        )
    return lines


def terminal_lines(result: GradeResult, verbosity: int = 0) -> list[Line]:
    """The grade summary, category by category; ``verbosity <= -2`` hides passed checks."""
    lang = result.meta.lang
    mark_width = max(len(i18n.mark(kind, lang)) for kind in i18n.MARK_KINDS)
    point_width = max((len(_points(c, lang)) for c in result.checks), default=3)
    indent = " " * (2 + mark_width + 2 + point_width + 2)
    lines: list[Line] = []
    meta = result.meta
    where = f"{i18n.text('mode', lang)} {meta.mode}"
    if meta.checkpoint:
        where += f" · {i18n.text('checkpoint', lang)} {meta.checkpoint}"
        stop = CHECKPOINT_STOPS.get(meta.checkpoint, {}).get(lang)
        if stop:
            where += f" ({stop})"  # the handout's own sentence the checkpoint stops at
    lines.append(Line(where))
    # A host that could not be graded has no score to break down: the cause and its fix only.
    for category in () if meta.not_graded else result.categories:
        lines.append(
            Line(
                i18n.text("category_line", lang, name=category.name,
                          score=i18n.points(category.score, lang),
                          max=i18n.points(category.max_score, lang)),
                "bold",
            )
        )
        for check in (c for c in result.checks if c.part == category.part):
            if verbosity <= -2 and check.status == "passed" and not check.notes:
                continue
            title = check_name(check)
            if check.informational:
                title += f" ({i18n.text('informational', lang)})"
            lines.append(
                Line(
                    f"  {i18n.mark(check.mark, lang):<{mark_width}}  "
                    f"{_points(check, lang):>{point_width}}  {title}",
                    _STYLE[check.mark],
                )
            )
            if check.status in ("blocked", "notrun"):
                lines.append(Line(indent + visible(check.message)))
                continue
            details = visible(student_text(check, lang)).splitlines()
            if verbosity <= 0 and len(details) > MAX_MESSAGE_LINES:
                details = details[: MAX_MESSAGE_LINES - 1] + ["…"] + details[-2:]
            lines += [Line(indent + text) for text in details if text.strip()]
    lines += [Line(text, "yellow") for text in selection_lines(result)]
    lines.append(Line(score_line(result), "bold"))
    lines.append(Line(min_line(result), "green" if result.reached else "red"))
    if verbosity >= 0:
        lines.append(Line(f"{i18n.text('fingerprint', lang)}{i18n.colon(lang)}{meta.fingerprint}"))
    return lines


def _cell(value: str) -> str:
    """One table cell: pipes escaped, line breaks as ``<br>``, control characters visible."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return visible(value).replace("|", "\\|").replace("\n", "<br>")


def render_markdown(result: GradeResult) -> str:
    """A summary for ``$GITHUB_STEP_SUMMARY`` or an e-mail, with the ``score/max`` line."""
    lang = result.meta.lang
    meta = result.meta
    out = [
        f"## {i18n.text('report_title', lang)} — {meta.lab}",
        "",
        f"**{score_line(result)}** — {min_line(result)}",
        "",
    ]
    where = f"{i18n.text('mode', lang)} `{meta.mode}`"
    if meta.checkpoint:
        where += f" · {i18n.text('checkpoint', lang)} `{meta.checkpoint}`"
        stop = CHECKPOINT_STOPS.get(meta.checkpoint, {}).get(lang)
        if stop:
            where += f" ({stop})"
    out += [where + f" · {i18n.text('fingerprint', lang)} `{meta.fingerprint}`", ""]
    out += [f"> {visible(text)}" for text in selection_lines(result)]
    if result.incomplete:
        out.append(f"> {i18n.text('not_run_ids', lang)}{i18n.colon(lang)}"
                   + ", ".join(f"`{i}`" for i in result.incomplete.not_run))
    if result.incomplete or result.prereqs_not_selected:
        out.append("")
    header = " | ".join(
        i18n.text(key, lang) for key in ("col_status", "col_points", "col_check", "col_details")
    )
    graded = result.graded  # not graded: the checks without points, hints or totals
    for category in result.categories:
        heading = i18n.text("category_line", lang, name=category.name,
                            score=i18n.points(category.score, lang),
                            max=i18n.points(category.max_score, lang)) if graded \
            else category.name
        out += [
            "### " + heading,
            "",
            f"| {header} |",
            "| --- | --- | --- | --- |",
        ]
        for check in (c for c in result.checks if c.part == category.part):
            title = f"`{check.check_id}`" if check.title == check.check_id else \
                f"{check.title} `{check.check_id}`"
            if check.informational:
                title += f" ({i18n.text('informational', lang)})"
            details = check.message if check.status in ("blocked", "notrun") or not graded \
                else student_text(check, lang)
            out.append(
                f"| {_ICON[check.mark]} {i18n.mark(check.mark, lang)} "
                f"| {_points(check, lang, graded)} "
                f"| {_cell(title)} | {_cell(details)} |"
            )
        out.append("")
    return "\n".join(out)

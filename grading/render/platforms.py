"""Machine-read reports: mobygrade's JSON (schema 1), Gradescope and GitHub Classroom.

Pure functions of a :class:`GradeResult`. Scores stay floats rounded to two
decimals (integral ones written as integers): a 1.5-point partial credit is
1.5 everywhere, never truncated.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

from grading import i18n
from grading.render.safe import no_surrogates
from grading.scoring import CheckResult, GradeResult, Incomplete

SCHEMA_VERSION = 1


def num(value: float) -> int | float:
    """2.0 -> 2, 1.499999 -> 1.5: what a person expects to read."""
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


def check_dict(check: CheckResult, graded: bool = True) -> dict[str, Any]:
    """One check of the JSON report; ``score`` is null when the host was not graded."""
    return {
        "id": check.check_id,
        "mode": check.mode,
        "title": check.title,
        "category": check.category,
        "part": check.part,
        "lab_step": check.lab_step,
        "status": check.status,
        "score": num(check.score) if graded else None,
        "max_score": num(check.max_score),
        "informational": check.informational,
        "message": check.message,
        "hint": check.hint,
        "duration_s": round(check.duration_s, 3),
        "blocked_by": check.blocked_by,
        "notes": list(check.notes),
        "facts": list(check.facts),
        "objects": list(check.objects),
        "visibility": check.visibility,
        "nodeids": list(check.nodeids),
    }


def incomplete_dict(incomplete: Incomplete | None) -> dict[str, Any] | None:
    """``{"reason", "causes", "not_run"}`` of an incomplete run, or None for a complete one."""
    if incomplete is None:
        return None
    return {"reason": incomplete.reason, "causes": list(incomplete.causes),
            "not_run": list(incomplete.not_run)}


def report_dict(result: GradeResult) -> dict[str, Any]:
    """The JSON report as a dict; its schema is documented in the README (schema_version 1).

    A host that could not be graded (``not_graded`` set) has no score: ``score`` is null at
    the top, in each category and in each check (``max_score`` stays what the run is out of).
    """
    meta = result.meta
    graded = result.graded
    return {
        "schema_version": SCHEMA_VERSION,
        "lab": meta.lab,
        "mode": meta.mode,
        "checkpoint": meta.checkpoint,
        "lang": meta.lang,
        "docker_host": meta.docker_host,
        "engine_version": meta.engine_version,
        "images": dict(meta.images) if meta.images is not None else None,
        "endpoint": dict(meta.endpoint) if meta.endpoint is not None else None,
        "score": num(result.score) if graded else None,
        "max_score": num(result.max_score),
        "min_score": num(result.min_score),
        "min_reached": result.reached,
        "started_at": meta.started_at,
        "duration_s": round(meta.duration_s, 3),
        "suite_fingerprint": meta.fingerprint,
        "incomplete": incomplete_dict(result.incomplete),
        "not_graded": {"reason": result.meta.not_graded} if result.meta.not_graded else None,
        "selection": {
            "partial": result.partial_selection,
            "selected": len(result.checks),
            "available": result.available,
            "prerequisites_not_selected": list(result.prereqs_not_selected),
        },
        "categories": [
            {"id": c.part, "name": c.name, "score": num(c.score) if graded else None,
             "max_score": num(c.max_score)}
            for c in result.categories
        ],
        "checks": [check_dict(check, graded) for check in result.checks],
        "observations": dict(meta.observations) if meta.observations is not None else None,
    }


def render_json(result: GradeResult) -> str:
    return no_surrogates(json.dumps(report_dict(result), ensure_ascii=False, indent=2)) + "\n"


def student_text(check: CheckResult, lang: str, markdown: bool = False) -> str:
    """What a student reads about one check: the message, the hint, the lab step, the notes."""
    sep = i18n.colon(lang)

    def labelled(key: str, value: str) -> str:
        label = i18n.text(key, lang)
        return f"**{label}**{sep}{value}" if markdown else f"{label}{sep}{value}"

    lines: list[str] = []
    if check.status == "notrun":  # nothing was measured: no hint, no lab step
        return check.message
    if check.status != "passed":
        if check.message:
            lines.append(check.message)
        if check.hint:
            lines.append(labelled("hint", check.hint))
        if check.lab_step:
            lines.append(labelled("lab_step", check.lab_step))
    lines += [labelled("drift", note) for note in check.notes]
    lines += [labelled("fact", fact) for fact in check.facts]
    return "\n\n".join(lines) if markdown else "\n".join(lines)


def check_name(check: CheckResult) -> str:
    """``Title [part.name]``, or the id alone when the catalog has no title for it."""
    return check.check_id if check.title == check.check_id else f"{check.title} [{check.check_id}]"


def render_gradescope(result: GradeResult) -> str:
    """``results.json`` for a Gradescope autograder (fields as Gradescope documents them).

    Gradescope has no "not graded": every test needs a number, so a host that could not be
    graded scores 0 everywhere (:func:`grading.scoring.grade` counts nothing for it), and
    the top-level ``output`` and each test's say "Not graded" with ``extra_data.not_graded``.
    """
    lang = result.meta.lang
    tests = []
    for cat_index, category in enumerate(result.categories, start=1):
        in_cat = [c for c in result.checks if c.part == category.part]
        for index, check in enumerate(in_cat, start=1):
            tests.append(
                {
                    "name": check_name(check),
                    "number": f"{cat_index}.{index}",
                    "score": num(check.score),
                    "max_score": num(check.max_score),
                    "status": "passed" if check.status == "passed" else "failed",
                    "output": student_text(check, lang, markdown=True),
                    "output_format": "md",
                    "tags": [category.name, check.mode],
                    "visibility": check.visibility,
                    "extra_data": {"check_id": check.check_id, "status": check.status},
                }
            )
    summary = [
        i18n.not_graded_line(result.meta.not_graded, lang) if result.meta.not_graded else
        i18n.text("score_line", lang, score=i18n.points(result.score, lang),
                  max=i18n.points(result.max_score, lang)),
    ]
    if result.incomplete:
        summary.append(f"**{i18n.incomplete_line(result.incomplete.reason, lang)}**")
        summary.append(f"{i18n.text('not_run_ids', lang)}{i18n.colon(lang)}"
                       + ", ".join(f"`{i}`" for i in result.incomplete.not_run))
    summary.append(f"{i18n.text('fingerprint', lang)}{i18n.colon(lang)}`{result.meta.fingerprint}`")
    payload = {
        "score": num(result.score),
        "execution_time": math.ceil(result.meta.duration_s),
        "output": "\n\n".join(summary),
        "output_format": "md",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {
            "schema_version": SCHEMA_VERSION,
            "lab": result.meta.lab,
            "mode": result.meta.mode,
            "checkpoint": result.meta.checkpoint,
            "max_score": num(result.max_score),
            "suite_fingerprint": result.meta.fingerprint,
            "incomplete": incomplete_dict(result.incomplete),
            "not_graded": result.meta.not_graded,
        },
        "tests": tests,
    }
    return no_surrogates(json.dumps(payload, ensure_ascii=False, indent=2)) + "\n"


def classroom_payload(result: GradeResult) -> dict[str, Any]:
    """The runner result that GitHub Classroom's grading reporter decodes."""
    lang = result.meta.lang
    tests = []
    for check in result.checks:
        status = {"passed": "pass", "error": "error"}.get(check.status, "fail")
        tests.append(
            {
                "name": check_name(check),
                "status": status,
                "message": student_text(check, lang),
                "test_code": f'pytest "{check.nodeids[0]}"' if any(check.nodeids) else "",
                "filename": check.filename,
                "line_no": check.line_no,
                "duration": round(check.duration_s, 3),
                "score": num(check.score),
            }
        )
    # The runner result has no field for a reason: an incomplete run is an "error"
    # (the grade does not cover the lab), and each check that did not run says so.
    status = ("error" if result.incomplete or result.meta.not_graded
              else "pass" if result.reached else "fail")
    return {
        "version": 1,
        "status": status,
        "max_score": num(result.max_score),
        "tests": tests,
    }


def render_classroom(result: GradeResult) -> str:
    """Base64 of the runner result: the value of the step output ``result``."""
    data = json.dumps(classroom_payload(result), ensure_ascii=False, separators=(",", ":"))
    return base64.b64encode(no_surrogates(data).encode("utf-8")).decode("ascii")

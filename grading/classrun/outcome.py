"""One host's run, as the gradebook counts it: ``graded``, ``not graded`` or ``incomplete``.

Pure: the exit status, the JSON report (or None) and the run's output in, an
:class:`Outcome` out. The rules, in order:

1. the process was stopped at the time bound -> not graded (``no result within S s``);
2. no report file -> not graded: the last ``mobygrade:`` line of the output, else the status;
3. the report's ``not_graded`` is set -> not graded with its reason;
4. the report has no ``not_graded`` key (a suite before it): exit status 3 -> not graded with
   the last ``mobygrade:`` line; and a report whose engine never answered
   (``engine_version`` null) where no check passed -> not graded with the first failed
   check's message (such a suite grades an unreachable host 0 instead of saying so);
5. the report's ``incomplete`` is set -> incomplete with its reason (its score is kept);
6. a counted check has the status ``error`` (the suite could not evaluate it, e.g. the
   engine went away mid-run) -> incomplete, naming it (score kept);
7. otherwise graded.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from grading.messages import text

STATUSES = ("graded", "not graded", "incomplete")
NOT_GRADED_EXIT = 3
MAX_REASON = 400


@dataclass(frozen=True)
class CheckMark:
    status: str
    score: float
    max_score: float


@dataclass(frozen=True)
class Outcome:
    student: str
    status: str  # one of STATUSES
    reason: str = ""
    score: float | None = None
    max_score: float | None = None
    exit_code: int | None = None
    duration_s: float = 0.0
    checks: dict[str, CheckMark] = field(default_factory=dict)

    @property
    def counted(self) -> bool:
        """Whether the score goes in the gradebook (graded or incomplete)."""
        return self.status != "not graded" and self.score is not None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Outcome:
        checks = {str(k): CheckMark(str(v["status"]), float(v["score"]), float(v["max_score"]))
                  for k, v in dict(data.get("checks") or {}).items()}
        return cls(student=str(data["student"]), status=str(data["status"]),
                   reason=str(data.get("reason") or ""), score=_num(data.get("score")),
                   max_score=_num(data.get("max_score")),
                   exit_code=data.get("exit_code") if isinstance(data.get("exit_code"), int)
                   else None, duration_s=float(data.get("duration_s") or 0), checks=checks)


def _num(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_REASON else line[:MAX_REASON - 1] + "…"


def last_mobygrade_line(output: str) -> str:
    """The last ``mobygrade: ...`` line that is not a report path, without its prefix."""
    for line in reversed(output.splitlines()):
        line = line.strip()
        if line.startswith("mobygrade:") and " report: " not in line:
            return one_line(line[len("mobygrade:"):])
    return ""


def _reason(value: object) -> str | None:
    """The reason of a ``not_graded`` / ``incomplete`` entry; None when it is null or absent."""
    if value is None or value is False:
        return None
    if isinstance(value, Mapping):
        return one_line(str(value.get("reason") or ""))
    return one_line(str(value)) if value is not True else ""


def check_marks(report: Mapping[str, Any]) -> dict[str, CheckMark]:
    marks: dict[str, CheckMark] = {}
    for check in report.get("checks") or []:
        if not isinstance(check, Mapping) or not isinstance(check.get("id"), str):
            continue
        if check.get("informational"):
            continue
        marks[check["id"]] = CheckMark(str(check.get("status") or "error"),
                                       _num(check.get("score")) or 0.0,
                                       _num(check.get("max_score")) or 0.0)
    return marks


def outcome_of(student: str, exit_code: int | None, report: Mapping[str, Any] | None,
               output: str = "", *, timed_out_s: float | None = None,
               duration_s: float = 0.0, lang: str = "fr") -> Outcome:
    """See the module's rules. The reasons this module words itself are in ``lang``; the
    others are the run's own (its report, its last ``mobygrade:`` line)."""

    def make(status: str, reason: str = "", scored: bool = False) -> Outcome:
        return Outcome(student=student, status=status, reason=reason,
                       score=_num(report.get("score")) if scored and report else None,
                       max_score=_num(report.get("max_score")) if scored and report else None,
                       exit_code=exit_code, duration_s=round(duration_s, 3),
                       checks=check_marks(report) if report else {})

    if timed_out_s is not None:
        return make("not graded", text("class.reason_timeout", lang, s=f"{timed_out_s:g}"))
    if report is None:
        return make("not graded", last_mobygrade_line(output)
                    or text("class.reason_no_report", lang, code=exit_code))
    if "not_graded" in report:
        reason = _reason(report.get("not_graded"))
        if reason is not None:
            return make("not graded", reason or text("class.not_graded", lang))
    else:
        if exit_code == NOT_GRADED_EXIT:
            return make("not graded", last_mobygrade_line(output)
                        or text("class.reason_engine", lang))
        marks = check_marks(report)
        if report.get("engine_version") is None and marks and not any(
                m.status == "passed" for m in marks.values()):
            first = next((c.get("message") for c in report.get("checks") or []
                          if isinstance(c, Mapping) and c.get("status") in ("failed", "error")
                          and c.get("message")), "")
            return make("not graded", one_line(str(first or text("class.reason_never_answered", lang))))
    incomplete = _reason(report.get("incomplete"))
    if incomplete is not None:
        return make("incomplete", incomplete or text("class.reason_incomplete", lang), scored=True)
    errors = [c for c in report.get("checks") or [] if isinstance(c, Mapping)
              and c.get("status") == "error" and not c.get("informational")]
    if errors:
        first = one_line(str(errors[0].get("message") or ""))
        return make("incomplete", text("class.reason_errors", lang, n=len(errors),
                                       id=errors[0].get("id"), detail=first), scored=True)
    return make("graded", scored=True)

"""The class's grades as CSV: mobygrade's own gradebook, Moodle's and Canvas's import shapes.

Pure functions of the rows (a roster line and its :class:`Outcome`), in roster order.
A host that was not graded has an empty score (no grade, not a zero: the platforms
keep the cell as it was); an incomplete run keeps the score of what ran.

- ``gradebook.csv``: ``student, name, email, score, max_score, status, reason``, then one
  column per check id (the check's points, empty when the host was not graded).
- ``gradebook-moodle.csv`` (Moodle's grade import): ``ID number`` (the student id; map it to
  the user's ID number, or pick ``Email address``), ``Email address``, the grade item
  column and its feedback column (status and reason, in the class's language: the students
  read it).
- ``gradebook-canvas.csv`` (Canvas's gradebook import): ``Student, ID, SIS User ID, SIS Login
  ID, Section`` then the assignment column (``Name (id)`` when you give Canvas's id),
  with a ``Points Possible`` row first.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from grading.classrun.outcome import Outcome
from grading.classrun.roster import Student
from grading.messages import text

FIXED = ("student", "name", "email", "score", "max_score", "status", "reason")
CANVAS_FIXED = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")


@dataclass(frozen=True)
class Row:
    student: Student
    outcome: Outcome


def num(value: float | None) -> str:
    """``17``, ``15.5``; empty for no value."""
    if value is None:
        return ""
    rounded = round(value, 2)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.2f}".rstrip("0")


def check_columns(rows: Sequence[Row]) -> list[str]:
    """Every check id of the class, in the order the reports list them."""
    seen: dict[str, None] = {}
    for row in rows:
        for check_id in row.outcome.checks:
            seen.setdefault(check_id, None)
    return list(seen)


def max_score(rows: Sequence[Row]) -> float | None:
    """The class's maximum: the most common ``max_score`` of the hosts that were graded."""
    found = [r.outcome.max_score for r in rows if r.outcome.counted and r.outcome.max_score]
    return max(set(found), key=found.count) if found else None


def _csv(header: Sequence[str], lines: Sequence[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(lines)
    return out.getvalue()


def gradebook_csv(rows: Sequence[Row]) -> str:
    columns = check_columns(rows)
    lines = []
    for row in rows:
        o, s = row.outcome, row.student
        counted = o.counted
        lines.append([s.student, s.name, s.email, num(o.score) if counted else "",
                      num(o.max_score) if counted else "", o.status, o.reason,
                      *(num(o.checks[c].score) if counted and c in o.checks else ""
                        for c in columns)])
    return _csv([*FIXED, *columns], lines)


# a host's status (gradebook.csv's machine value) -> its word in a sentence people read
STATUS_WORD = {"graded": "class.graded", "incomplete": "class.incomplete",
               "not graded": "class.not_graded"}


def feedback(outcome: Outcome, lang: str) -> str:
    """``non notée : <reason>`` / ``not graded: <reason>``: the status in ``lang``, and why."""
    key = STATUS_WORD.get(outcome.status)
    word = text(key, lang) if key else outcome.status
    if not outcome.reason:
        return word
    return f"{word}{' : ' if lang == 'fr' else ': '}{outcome.reason}"


def moodle_csv(rows: Sequence[Row], item: str, *, lang: str) -> str:
    """Moodle's grade import; the feedback column is in ``lang`` (the class's language)."""
    lines = [[r.student.student, r.student.email,
              num(r.outcome.score) if r.outcome.counted else "", feedback(r.outcome, lang)]
             for r in rows]
    return _csv(["ID number", "Email address", item, f"{item} (feedback)"], lines)


def canvas_csv(rows: Sequence[Row], column: str) -> str:
    possible = max_score(rows)
    lines = [["Points Possible", "", "", "", "", num(possible)]]
    lines += [[r.student.name or r.student.student, "", r.student.student, r.student.email, "",
               num(r.outcome.score) if r.outcome.counted else ""] for r in rows]
    return _csv([*CANVAS_FIXED, column], lines)


def counts(rows: Sequence[Row]) -> dict[str, int]:
    found = {"graded": 0, "incomplete": 0, "not graded": 0}
    for row in rows:
        found[row.outcome.status] = found.get(row.outcome.status, 0) + 1
    return found


def exit_status(rows: Sequence[Row], interrupted: bool = False) -> int:
    """0 every host graded; 1 some run incomplete, none missing; 3 at least one host not
    graded; 2 the class run was interrupted (the gradebook holds what was graded)."""
    if interrupted:
        return 2
    found = counts(rows)
    if found["not graded"]:
        return 3
    return 1 if found["incomplete"] else 0

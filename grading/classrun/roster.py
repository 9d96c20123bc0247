"""The roster: a CSV with a header, one student a line.

Required columns: ``student`` (the id the gradebook uses; also a file name, so
letters, digits, ``.``, ``_``, ``-``, ``@`` and ``+``) and ``docker_host`` (a
``DOCKER_HOST`` URL, or ``context:NAME``). Optional: ``name``, ``email``,
``cert_path`` (a directory holding ca.pem, cert.pem and key.pem: TLS with client
certificates). Other columns are ignored. Every mistake is one line
(:class:`RosterError`) naming the line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from grading.messages import SaidError, says

REQUIRED = ("student", "docker_host")
OPTIONAL = ("name", "email", "cert_path")
COLUMNS = (*REQUIRED, *OPTIONAL)
CERT_FILES = ("ca.pem", "cert.pem", "key.pem")
_ID = re.compile(r"[A-Za-z0-9_@+\-][A-Za-z0-9._@+\-]{0,127}")
# What a roster line replaces in the environment of its host's run.
ENGINE_VARS = ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_TLS",
               "DOCKER_CERT_PATH")


class RosterError(SaidError):
    """A roster that cannot be graded: one sentence (``text(lang)``; ``str()`` English)."""


@dataclass(frozen=True)
class Student:
    student: str
    docker_host: str
    name: str = ""
    email: str = ""
    cert_path: str = ""
    line: int = 0  # in the roster file, for messages

    def row(self) -> dict[str, str]:
        return {"student": self.student, "docker_host": self.docker_host, "name": self.name,
                "email": self.email, "cert_path": self.cert_path}


def parse_roster(text: str, where: str = "roster") -> list[Student]:
    """The roster's students in file order, or :class:`RosterError`."""
    text = text.removeprefix("\ufeff")  # a spreadsheet's UTF-8 BOM
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise RosterError(says("roster.not_csv", where=where, detail=str(exc))) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RosterError(says("roster.header", where=where, missing=", ".join(missing),
                               found=", ".join(header) or says("inspect.nothing")))
    students: list[Student] = []
    seen: dict[str, int] = {}
    for number, raw in rows:
        row = {str(k).strip().lower(): (v or "").strip() for k, v in raw.items()
               if k is not None and isinstance(v, str)}
        if not any(row.values()):
            continue  # a blank line
        student = row.get("student", "")
        if not _ID.fullmatch(student):
            raise RosterError(says("roster.bad_id", where=where, line=number,
                                   student=repr(student)))
        if student in seen:
            raise RosterError(says("roster.twice", where=where, line=number, student=student,
                                   first=seen[student]))
        seen[student] = number
        host = row.get("docker_host", "")
        if not host:
            raise RosterError(says("roster.no_host", where=where, line=number,
                                   student=student))
        students.append(Student(student, host, row.get("name", ""), row.get("email", ""),
                                row.get("cert_path", ""), number))
    if not students:
        raise RosterError(says("roster.empty", where=where))
    return students


def read_roster(path: Path) -> list[Student]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RosterError(says("roster.missing", path=str(path))) from None
    except PermissionError:
        raise RosterError(says("roster.denied", path=str(path))) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(says("roster.unreadable", path=str(path), detail=str(exc))) from None
    return parse_roster(text, str(path))


def fingerprint(students: Sequence[Student]) -> str:
    """The class's identity: its students and hosts, whatever the order or extra columns."""
    lines = sorted(f"{s.student}\t{s.docker_host}\t{s.cert_path}" for s in students)
    return "sha256:" + hashlib.sha256("\n".join(lines).encode()).hexdigest()


def write_roster(students: Sequence[Student]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    for s in students:
        writer.writerow(s.row())
    return out.getvalue()


def student_env(student: Student, base: Mapping[str, str]) -> dict[str, str]:
    """The environment of the student's run: ``base`` with the roster line's engine."""
    env = {k: v for k, v in base.items() if k not in ENGINE_VARS}
    if student.docker_host.startswith("context:"):
        env["DOCKER_CONTEXT"] = student.docker_host[len("context:"):]
    else:
        env["DOCKER_HOST"] = student.docker_host
    if student.cert_path:
        env["DOCKER_TLS_VERIFY"] = "1"
        env["DOCKER_CERT_PATH"] = student.cert_path
    return env


def check_hosts(students: Sequence[Student], base: Mapping[str, str]) -> None:
    """Each line's engine address resolves (scheme, context, TLS files), before any grading:
    :class:`RosterError` for the first that does not. Nothing is contacted."""
    from fixtures.engine import EngineUnavailable
    from fixtures.transport import resolve_endpoint

    for s in students:
        if s.cert_path:
            where = Path(s.cert_path)
            unreadable = [n for n in CERT_FILES
                          if not (where / n).is_file() or not os.access(where / n, os.R_OK)]
            if unreadable:
                raise RosterError(says("roster.cert_files", line=s.line, student=s.student,
                                       path=s.cert_path, files=", ".join(unreadable)))
        try:
            resolve_endpoint(student_env(s, base), ssh_lookup=False)
        except EngineUnavailable as exc:
            raise RosterError(says("roster.host", line=s.line, student=s.student,
                                   problem=exc.message)) from None

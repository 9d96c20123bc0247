"""The class's output directory: what was graded, kept so a run can resume and shards merge.

Layout of DIR::

    class.json            the class: roster fingerprint, checkpoint, shard, suite options
    roster.csv            the whole roster (every shard's DIR holds all of it)
    results/<id>.json     one host's Outcome, written when its run ends (atomically)
    students/<id>.json    its JSON report, students/<id>.html its HTML report,
    students/<id>.log     the run's output
    gradebook.csv, gradebook-moodle.csv, gradebook-canvas.csv, index.html

A line without ``results/<id>.json`` was not graded yet: ``--resume`` grades those only.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from grading.classrun.outcome import Outcome
from grading.classrun.roster import Student, parse_roster, write_roster

MANIFEST = "class.json"
KIND = "mobygrade-class"
VERSION = 1
OUTPUTS = ("gradebook.csv", "gradebook-moodle.csv", "gradebook-canvas.csv", "index.html")


class StoreError(ValueError):
    """An output directory that cannot be used; ``str()`` is one line."""


@dataclass(frozen=True)
class ClassInfo:
    roster: str  # fingerprint of the roster (grading.classrun.roster.fingerprint)
    checkpoint: str
    shard: str | None = None  # "K/N", None for the whole class
    options: list[str] = field(default_factory=list)  # passed to every host's run

    def same_class(self, other: ClassInfo) -> bool:
        return (self.roster, self.checkpoint) == (other.roster, other.checkpoint)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def read_info(directory: Path) -> ClassInfo | None:
    try:
        data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise StoreError(f"{directory / MANIFEST} is unreadable ({exc})") from None
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise StoreError(f"{directory / MANIFEST} is not a mobygrade class manifest")
    return ClassInfo(str(data.get("roster")), str(data.get("checkpoint")),
                     data.get("shard") if isinstance(data.get("shard"), str) else None,
                     [str(o) for o in data.get("options") or []])


def read_class(directory: Path) -> tuple[ClassInfo, list[Student]]:
    """A class directory's manifest and roster, or :class:`StoreError`."""
    if not directory.is_dir():
        raise StoreError(f"{directory} is not a directory")
    info = read_info(directory)
    if info is None:
        raise StoreError(f"{directory} holds no {MANIFEST}: not a mobygrade class directory")
    try:
        students = parse_roster((directory / "roster.csv").read_text(encoding="utf-8"),
                                str(directory / "roster.csv"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{directory}: its roster.csv is unusable ({exc})") from None
    return info, students


def prepare(out: Path, students: Sequence[Student], info: ClassInfo, *, resume: bool) -> None:
    """Make ``out`` ready for this class, or :class:`StoreError` (nothing is changed then).

    A new or empty directory is fine; one that holds this class (same roster and
    checkpoint and shard) is reused; anything else is another class's files."""
    if out.exists() and not out.is_dir():
        raise StoreError(f"--out {out} exists and is not a directory")
    existing = read_info(out) if out.is_dir() else None
    if out.is_dir() and any(out.iterdir()):
        if existing is None:
            raise StoreError(f"--out {out} already holds files that are not a mobygrade class: "
                             "choose a new or empty directory")
        if not existing.same_class(info):
            raise StoreError(f"--out {out} holds another class (other roster or checkpoint "
                             f"{existing.checkpoint}): choose a new directory")
        if existing.shard != info.shard:
            raise StoreError(f"--out {out} holds shard {existing.shard or 'none (whole class)'}"
                             f", not {info.shard or 'the whole class'}: use another directory")
    elif resume:
        raise StoreError(f"--resume: {out} holds no earlier run of this class")
    out.mkdir(parents=True, exist_ok=True)
    (out / "results").mkdir(exist_ok=True)
    (out / "students").mkdir(exist_ok=True)
    _atomic_write(out / "roster.csv", write_roster(students))
    _atomic_write(out / MANIFEST, json.dumps({"kind": KIND, "version": VERSION, **asdict(info)},
                                             indent=2) + "\n")


def result_path(directory: Path, student: str) -> Path:
    return directory / "results" / f"{student}.json"


def report_paths(directory: Path, student: str) -> dict[str, Path]:
    base = directory / "students"
    return {ext: base / f"{student}.{ext}" for ext in ("json", "html", "log")}


def write_outcome(directory: Path, outcome: Outcome) -> None:
    _atomic_write(result_path(directory, outcome.student),
                  json.dumps(outcome.to_json(), indent=1, sort_keys=True) + "\n")


def forget(directory: Path, student: str) -> None:
    """Before a host's run: its earlier result and reports go, so none outlives a failed run."""
    for path in (result_path(directory, student), *report_paths(directory, student).values()):
        path.unlink(missing_ok=True)


def read_outcome(directory: Path, student: str) -> Outcome | None:
    try:
        return Outcome.from_json(json.loads(result_path(directory, student).read_text("utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a torn or foreign file: graded again


def read_report(directory: Path, student: str) -> dict[str, Any] | None:
    try:
        data = json.loads(report_paths(directory, student)["json"].read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def merge(sources: Sequence[Path], out: Path) -> tuple[ClassInfo, list[Student]]:
    """Copy the results and reports of every shard directory into ``out``.

    All sources must hold the same class; a student found in several keeps the
    graded result over a not graded one, then the later directory's."""
    if not sources:
        raise StoreError("name at least one class directory to merge")
    classes = [read_class(src) for src in sources]
    info, students = classes[0]
    for src, (other, _) in zip(sources[1:], classes[1:], strict=True):
        if not other.same_class(info):
            raise StoreError(f"{src} holds another class than {sources[0]} (other roster or "
                             "checkpoint): merge the shards of one class")
    merged = ClassInfo(info.roster, info.checkpoint, None, info.options)
    resolved = {src.resolve() for src in sources}
    if out.resolve() in resolved:
        raise StoreError(f"--out {out} is one of the directories to merge: choose a new one")
    prepare(out, students, merged, resume=False)
    chosen: dict[str, tuple[Path, Outcome]] = {}
    for src in sources:
        for s in students:
            found = read_outcome(src, s.student)
            if found is None:
                continue
            before = chosen.get(s.student)
            if before is None or not (before[1].status != "not graded"
                                      and found.status == "not graded"):
                chosen[s.student] = (src, found)
    for s in students:
        forget(out, s.student)
    for student, (src, found) in chosen.items():
        for ext, path in report_paths(src, student).items():
            if path.exists():
                shutil.copyfile(path, report_paths(out, student)[ext])
        write_outcome(out, found)
    return merged, students

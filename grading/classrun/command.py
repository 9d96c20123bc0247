"""``mobygrade class`` and ``mobygrade gradebook``: argument handling and the files they write.

    mobygrade class ROSTER --checkpoint C --out DIR [--jobs N] [--resume] [--shard K/N]
                    [--timeout S] [--assignment NAME] [SUITE OPTIONS...]
    mobygrade gradebook DIR... --out DIR [--assignment NAME] [--lang fr|en]

Any other option is passed to every host's ``mobygrade inspect`` run (``--lang``,
``--rubric``, ``--grade-min``, ``--app-reads``, ``-k`` ...). Bad input (roster,
shard, contexts, cert paths, output directory, options) is one line and exit 4,
before any host is graded. Exit status: :func:`grading.classrun.gradebook.exit_status`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grading import argv
from grading.classrun import gradebook, roster, scheduler, shard, store
from grading.classrun.index import Entry, render_index
from grading.classrun.outcome import Outcome
from grading.context import LANGS, PARTS
from grading.messages import SaidError, says, text
from grading.options import default_lang

DEFAULT_TIMEOUT_S = 300.0
MAX_DEFAULT_JOBS = 16
# The reason of a roster line without a result (catalog keys: in the class's language).
NOT_RUN = "class.reason_not_run"  # the class run stopped before this host
NOT_IN_SHARDS = "class.reason_not_in_shards"  # no merged directory holds this host
# Options the class run sets itself for every host: never passed through.
OWN = ("--grade-report", "--lab-mode", "--checkpoint")


class ClassUsageError(SaidError):
    """One sentence (``text(lang)``; ``str()`` English); exit 4."""


@dataclass
class ClassArgs:
    roster: Path
    checkpoint: str
    out: Path
    jobs: int
    resume: bool = False
    shard: tuple[int, int] | None = None
    timeout: float = DEFAULT_TIMEOUT_S
    assignment: str = ""
    options: list[str] = field(default_factory=list)


def default_jobs(hosts: int) -> int:
    """Grading waits on engines and networks far more than on the CPU: 4 per CPU, at most 16."""
    return max(1, min(hosts, MAX_DEFAULT_JOBS, 4 * (os.cpu_count() or 1)))


def _take(args: list[str], index: int, name: str) -> tuple[str, int]:
    arg = args[index]
    if arg.startswith(name + "="):
        return arg[len(name) + 1:], index + 1
    if index + 1 >= len(args):
        raise ClassUsageError(says("class.needs_value", name=name))
    return args[index + 1], index + 2


def usage_lang(args: Sequence[str], env: Mapping[str, str] | None = None) -> str:
    """The language of a usage error: the last ``--lang`` given when it is one, else the
    locale's (as a run of the suite decides)."""
    given = [value.strip().lower() for value in argv.values(args, "--lang")]
    if given and given[-1] in LANGS:
        return given[-1]
    return default_lang(os.environ if env is None else env)


def parse_class_args(args: Sequence[str]) -> ClassArgs:
    rest = list(args)
    if not rest or rest[0].startswith("-"):
        raise ClassUsageError(says("class.usage"))
    values: dict[str, str] = {}
    flags: set[str] = set()
    options: list[str] = []
    index = 1
    names = ("--checkpoint", "--out", "--jobs", "--shard", "--timeout", "--assignment")
    while index < len(rest):
        arg = rest[index]
        name = next((n for n in names if arg == n or arg.startswith(n + "=")), None)
        if name is not None:
            if name in values:
                raise ClassUsageError(says("class.twice", name=name))
            values[name], index = _take(rest, index, name)
            continue
        if arg == "--resume":
            flags.add(arg)
            index += 1
            continue
        own = next((n for n in OWN if arg == n or arg.startswith(n + "=")), None)
        if own is not None:
            raise ClassUsageError(says("class.own_option", name=own))
        options.append(arg)
        index += 1
    for needed in ("--checkpoint", "--out"):
        if needed not in values:
            raise ClassUsageError(says("class.needs", name=needed))
    if values["--checkpoint"] not in PARTS:
        raise ClassUsageError(says("usage.unknown_value", where="--checkpoint",
                                   value=repr(values["--checkpoint"]), choices=", ".join(PARTS)))
    jobs = 0
    if "--jobs" in values:
        if not values["--jobs"].isdigit() or int(values["--jobs"]) < 1:
            raise ClassUsageError(says("class.jobs", value=repr(values["--jobs"])))
        jobs = int(values["--jobs"])
    timeout = DEFAULT_TIMEOUT_S
    if "--timeout" in values:
        try:
            timeout = float(values["--timeout"])
        except ValueError:
            timeout = -1
        if not 0 < timeout < 86400:
            raise ClassUsageError(says("class.timeout", value=repr(values["--timeout"])))
    try:
        parsed_shard = shard.parse_shard(values["--shard"]) if "--shard" in values else None
    except shard.ShardError as exc:
        raise ClassUsageError(str(exc)) from None
    langs = argv.values(options, "--lang")
    if langs and langs[-1].strip().lower() not in LANGS:
        raise ClassUsageError(says("usage.unknown_lang", where="--lang", value=repr(langs[-1])))
    return ClassArgs(Path(rest[0]), values["--checkpoint"], Path(values["--out"]), jobs,
                     "--resume" in flags, parsed_shard, timeout,
                     values.get("--assignment", ""), options)


# --------------------------------------------------------------------------- the files


def page_lang(options: Sequence[str], reports: Sequence[Mapping[str, object]],
              env: Mapping[str, str]) -> str:
    given = argv.values(options, "--lang")
    if given and given[-1].strip().lower() in LANGS:
        return given[-1].strip().lower()
    for report in reports:
        if report.get("lang") in LANGS:
            return str(report["lang"])
    return default_lang(env)


def class_lang(out: Path, info: store.ClassInfo, students: Sequence[roster.Student]) -> str:
    """The language of the class's pages, gradebook feedback and summary: ``--lang``, else
    the hosts' reports', else the locale's."""
    reports = [r for r in (store.read_report(out, s.student) for s in students) if r is not None]
    return page_lang(info.options, reports, os.environ)


def publish(out: Path, info: store.ClassInfo, students: Sequence[roster.Student], *,
            assignment: str = "", missing_reason: str = NOT_RUN) -> list[gradebook.Row]:
    """Write the gradebooks and index.html of ``students`` from what ``out`` holds.
    ``missing_reason``: the catalog key of a line without a result."""
    rows: list[gradebook.Row] = []
    entries: list[Entry] = []
    reports = {s.student: store.read_report(out, s.student) for s in students}
    lang = page_lang(info.options, [r for r in reports.values() if r is not None], os.environ)
    for s in students:
        outcome = store.read_outcome(out, s.student) or Outcome(s.student, "not graded",
                                                               text(missing_reason, lang))
        report = reports[s.student]
        paths = store.report_paths(out, s.student)
        row = gradebook.Row(s, outcome)
        rows.append(row)
        entries.append(Entry(row, report, paths["html"].exists(), paths["json"].exists()))
    lab = next((str(r["lab"]) for r in reports.values() if r and r.get("lab")),
               "docker-3-reseaux-volumes")
    item = assignment or f"mobygrade {info.checkpoint}"
    files = {
        "gradebook.csv": gradebook.gradebook_csv(rows),
        "gradebook-moodle.csv": gradebook.moodle_csv(rows, item, lang=lang),
        "gradebook-canvas.csv": gradebook.canvas_csv(rows, item),
        "index.html": render_index(entries, lab=lab, checkpoint=info.checkpoint, lang=lang),
    }
    for name, content in files.items():
        tmp = out / f".{name}.tmp"
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            handle.write(content)
        os.replace(tmp, out / name)
    return rows


def summary(out: Path, rows: Sequence[gradebook.Row], interrupted: bool, lang: str) -> str:
    """The lines that end a class run, in the class's language (``lang``)."""
    found = gradebook.counts(rows)
    counted = text("class.summary", lang, n=len(rows), g=found["graded"],
                   i=found["incomplete"], x=found["not graded"])
    lines = [f"mobygrade: {counted}"
             + (" " + text("class.run_interrupted", lang) if interrupted else "")]
    for row in rows:
        if row.outcome.status == "not graded":
            lines.append("mobygrade:   " + text("class.host_not_graded", lang,
                                                 student=row.student.student,
                                                 reason=row.outcome.reason))
    lines += [f"mobygrade: {name}: {(out / name).resolve()}" for name in store.OUTPUTS]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the commands


def run_class(args: Sequence[str]) -> int:
    try:
        parsed = parse_class_args(args)
        students = roster.read_roster(parsed.roster)
        roster.check_hosts(students, os.environ)
        info = store.ClassInfo(roster.fingerprint(students), parsed.checkpoint,
                               f"{parsed.shard[0]}/{parsed.shard[1]}" if parsed.shard else None,
                               list(parsed.options))
        store.prepare(parsed.out, students, info, resume=parsed.resume)
    except (ClassUsageError, roster.RosterError) as exc:  # in the run's language
        print(f"mobygrade: {exc.text(usage_lang(args))}", file=sys.stderr)
        return scheduler.USAGE_EXIT
    except store.StoreError as exc:
        print(f"mobygrade: {exc}", file=sys.stderr)
        return scheduler.USAGE_EXIT
    out = parsed.out
    selected = (shard.select(students, [s.student for s in students], *parsed.shard)
                if parsed.shard else list(students))
    todo = [s for s in selected
            if not (parsed.resume and store.read_outcome(out, s.student) is not None)]
    jobs = []
    for s in todo:
        store.forget(out, s.student)
        paths = store.report_paths(out, s.student)
        jobs.append(scheduler.Job(
            s.student,
            scheduler.inspect_args(parsed.checkpoint, paths["json"], paths["html"],
                                   parsed.options),
            scheduler.child_env(roster.student_env(s, os.environ)), paths["json"], paths["log"]))
    stream = sys.stderr if sys.stderr.isatty() else None
    scheduler.preload()
    result = scheduler.run_jobs(
        jobs, max_jobs=parsed.jobs or default_jobs(len(jobs)), timeout_s=parsed.timeout,
        on_done=lambda outcome: store.write_outcome(out, outcome),
        progress=scheduler.Progress(len(jobs), stream),
        lang=page_lang(parsed.options, [], os.environ))
    if result.usage_error:
        for s in todo:
            store.forget(out, s.student)
        print(f"mobygrade: {result.usage_error}", file=sys.stderr)
        return scheduler.USAGE_EXIT
    rows = publish(out, info, selected, assignment=parsed.assignment)
    print(summary(out, rows, result.interrupted, class_lang(out, info, selected)),
          end="", flush=True)
    return gradebook.exit_status(rows, result.interrupted)


def run_gradebook(args: Sequence[str]) -> int:
    rest = list(args)
    sources: list[Path] = []
    values: dict[str, str] = {}
    index = 0
    try:
        while index < len(rest):
            arg = rest[index]
            name = next((n for n in ("--out", "--assignment", "--lang")
                         if arg == n or arg.startswith(n + "=")), None)
            if name is not None:
                values[name], index = _take(rest, index, name)
            elif arg.startswith("-"):
                raise ClassUsageError(says("class.gradebook_option", name=arg))
            else:
                sources.append(Path(arg))
                index += 1
        if "--out" not in values:
            raise ClassUsageError(says("class.gradebook_out"))
        if not sources:
            raise ClassUsageError(says("class.gradebook_dirs"))
        lang = values.get("--lang")
        if lang is not None and lang not in LANGS:
            raise ClassUsageError(says("usage.unknown_lang", where="--lang", value=repr(lang)))
        info, students = store.merge(sources, Path(values["--out"]))
    except ClassUsageError as exc:
        print(f"mobygrade: {exc.text(usage_lang(args))}", file=sys.stderr)
        return scheduler.USAGE_EXIT
    except store.StoreError as exc:
        print(f"mobygrade: {exc}", file=sys.stderr)
        return scheduler.USAGE_EXIT
    out = Path(values["--out"])
    if lang:
        info = store.ClassInfo(info.roster, info.checkpoint, None, [*info.options, f"--lang={lang}"])
    rows = publish(out, info, students, assignment=values.get("--assignment", ""),
                   missing_reason=NOT_IN_SHARDS)
    print(summary(out, rows, False, class_lang(out, info, students)), end="", flush=True)
    return gradebook.exit_status(rows)

"""The rubric: points, categories and prerequisites per check, from a TOML file.

``grading/rubric.toml`` is the default; an instructor's file replaces it whole
(``--rubric PATH``). Every problem is one :class:`RubricError` line naming the
file and the entry, so the plugin turns it into a usage error (exit 4) before
any Docker work. The format is documented in the header of ``rubric.toml``.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from grading.context import LANGS, MODES, PARTS
from grading.discover import KnownChecks
from grading.prereq import find_cycle
from grading.tomltext import parsed

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
_TOP_KEYS = {"lab", "categories", *MODES}
_ENTRY_KEYS = {"points", "requires", "visibility"}
DEFAULT_PATH = Path(__file__).with_name("rubric.toml")
# The lab's parts, for a rubric without [categories].
DEFAULT_CATEGORIES = {
    "networks": {"fr": "Réseaux", "en": "Networks"},
    "volumes": {"fr": "Volumes", "en": "Volumes"},
    "cleanup": {"fr": "Nettoyage", "en": "Cleanup"},
}


class RubricError(ValueError):
    """A rubric that cannot be used. ``str()`` is one line: file, entry, problem."""


@dataclass(frozen=True)
class RubricEntry:
    mode: str
    check_id: str
    points: float
    requires: tuple[str, ...] = ()
    visibility: str = "visible"


@dataclass(frozen=True)
class Rubric:
    source: str
    lab: str = "docker-3-reseaux-volumes"
    categories: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    entries: Mapping[tuple[str, str], RubricEntry] = field(default_factory=dict)

    def entry(self, mode: str, check_id: str) -> RubricEntry | None:
        return self.entries.get((mode, check_id))

    def requires(self, mode: str, check_id: str) -> tuple[str, ...]:
        found = self.entries.get((mode, check_id))
        return found.requires if found else ()

    def category_name(self, part: str, lang: str) -> str:
        names = self.categories.get(part) or DEFAULT_CATEGORIES.get(part, {})
        return names.get(lang) or names.get("fr") or names.get("en") or part


def _where(source: str, mode: str | None = None, check_id: str | None = None) -> str:
    return f"rubric {source}: [{mode}.\"{check_id}\"]" if mode else f"rubric {source}:"


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _categories(raw: object, source: str) -> dict[str, dict[str, str]]:
    if not isinstance(raw, dict):
        raise RubricError(f"{_where(source)} [categories] must be a table of part = {{fr, en}}")
    result: dict[str, dict[str, str]] = {}
    for part, names in raw.items():
        if part not in PARTS:
            raise RubricError(
                f"{_where(source)} [categories] unknown part {part!r}; use {', '.join(PARTS)}"
            )
        if not isinstance(names, dict) or not all(
            lang in LANGS and isinstance(text, str) for lang, text in names.items()
        ):
            raise RubricError(
                f"{_where(source)} [categories] {part} must be {{ fr = \"...\", en = \"...\" }}"
            )
        result[part] = dict(names)
    return result


def _entry(mode: str, check_id: str, raw: object, source: str) -> RubricEntry:
    where = _where(source, mode, check_id)
    if not isinstance(raw, dict):
        raise RubricError(f"{where} must be a table with points = N")
    unknown = sorted(set(raw) - _ENTRY_KEYS)
    if unknown:
        raise RubricError(f"{where} unknown key {unknown[0]!r}; use {', '.join(sorted(_ENTRY_KEYS))}")
    if "points" not in raw:
        raise RubricError(f"{where} has no points (write points = 0 for an informational check)")
    points = _number(raw["points"])
    if points is None:
        raise RubricError(f"{where} points must be a number, got {raw['points']!r}")
    if points < 0:
        raise RubricError(f"{where} negative points ({raw['points']}); use 0 or more")
    requires = raw.get("requires", [])
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise RubricError(f"{where} requires must be a list of check ids, e.g. [\"networks.alias\"]")
    visibility = raw.get("visibility", "visible")
    if visibility not in VISIBILITIES:
        raise RubricError(
            f"{where} unknown visibility {visibility!r}; use {', '.join(VISIBILITIES)}"
        )
    return RubricEntry(mode, check_id, points, tuple(dict.fromkeys(requires)), str(visibility))


def parse_rubric(text: str, source: str, known: KnownChecks | None = None) -> Rubric:
    """Validate a rubric's text; ``known`` (from :func:`grading.discover.scan`) checks ids."""
    try:
        data = parsed(text)
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(f"{_where(source)} not valid TOML ({exc})") from None
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise RubricError(
            f"{_where(source)} unknown table or key {unknown[0]!r}; "
            f"use lab, categories, {', '.join(MODES)}"
        )
    lab = data.get("lab", "docker-3-reseaux-volumes")
    if not isinstance(lab, str):
        raise RubricError(f"{_where(source)} lab must be a string")
    entries: dict[tuple[str, str], RubricEntry] = {}
    for mode in MODES:
        table = data.get(mode, {})
        if not isinstance(table, dict):
            raise RubricError(f"{_where(source)} [{mode}] must be a table of check ids")
        for check_id, raw in table.items():
            if known is not None:
                problem = known.problem(mode, check_id)
                if problem:
                    raise RubricError(f"{_where(source, mode, check_id)} {problem}")
            entries[(mode, check_id)] = _entry(mode, check_id, raw, source)
    for (mode, check_id), entry in entries.items():
        for prereq in entry.requires:
            if (mode, prereq) in entries:
                continue
            problem = known.problem(mode, prereq) if known is not None else None
            if problem:
                raise RubricError(f"{_where(source, mode, check_id)} requires: {problem}")
    for mode in MODES:
        graph = {cid: entry.requires for (m, cid), entry in entries.items() if m == mode}
        cycle = find_cycle(graph)
        if cycle:
            raise RubricError(f"{_where(source)} [{mode}] prerequisite cycle: {' -> '.join(cycle)}")
        hub = _required_by_all(graph)
        if hub:
            raise RubricError(
                f"{_where(source, mode, hub[1])} every other check of {hub[0]} requires it: one "
                "failure would block the whole part; a prerequisite is for a check that cannot "
                "be measured without it")
    return Rubric(
        source=source,
        lab=lab,
        categories=_categories(data.get("categories", {}), source),
        entries=entries,
    )


HUB_MIN_CHECKS = 4  # parts this small may legitimately hang on one check


def _required_by_all(graph: dict[str, tuple[str, ...]]) -> tuple[str, str] | None:
    """(part, check) when one check is a prerequisite, directly or not, of every other
    check of its part (of at least :data:`HUB_MIN_CHECKS` checks), else None."""
    def ancestors(cid: str, seen: set[str]) -> set[str]:
        for prereq in graph.get(cid, ()):
            if prereq not in seen:
                seen.add(prereq)
                ancestors(prereq, seen)
        return seen

    parts: dict[str, list[str]] = {}
    for cid in graph:
        parts.setdefault(cid.partition(".")[0], []).append(cid)
    for part, ids in parts.items():
        if len(ids) < HUB_MIN_CHECKS:
            continue
        for hub in ids:
            if all(hub in ancestors(other, set()) for other in ids if other != hub):
                return part, hub
    return None


def load_rubric(path: Path, known: KnownChecks | None = None) -> Rubric:
    """Read and validate the rubric at ``path``; every problem is a :class:`RubricError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RubricError(f"rubric {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RubricError(f"rubric {path}: cannot read it ({exc})") from None
    return parse_rubric(text, str(path), known)

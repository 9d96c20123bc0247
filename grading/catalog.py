"""The catalog: each check's title, hint and lab step, in French and English.

Separate from the rubric on purpose: an instructor's rubric replaces points,
never these texts. One file per mode, ``grading/catalog/<mode>.toml``, written
by the checks' authors (format in the files' header). A malformed file is a
:class:`CatalogError` (one line, usage error); a missing or incomplete entry is
not — it falls back to the check id and a generic hint, and
:func:`missing_entries` lists it for the self-test that keeps catalogs complete.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from grading.context import LANGS, MODES, PARTS
from grading.messages import MessagesError, format_message, load_messages
from grading.tomltext import parsed

_KEYS = ("lab_step", "title", "hint")
DEFAULT_DIR = Path(__file__).with_name("catalog")


class CatalogError(ValueError):
    """A catalog file that cannot be used. ``str()`` is one line: file, entry, problem."""


@dataclass(frozen=True)
class CatalogEntry:
    lab_step: str = ""  # the handout's section and sentence, quoted as written (in French)
    title: Mapping[str, str] = field(default_factory=dict)
    hint: Mapping[str, str] = field(default_factory=dict)
    # lab_step = { fr, en }: words of the suite's own around the quotation, per language
    lab_step_texts: Mapping[str, str] = field(default_factory=dict)

    def step(self, lang: str) -> str:
        return self.lab_step_texts.get(lang) or self.lab_step

    def gaps(self) -> list[str]:
        """What is missing: ``lab_step``, ``title.fr``, ``hint.en``..."""
        missing = [] if self.lab_step.strip() else ["lab_step"]
        for name, texts in (("title", self.title), ("hint", self.hint)):
            missing += [f"{name}.{lang}" for lang in LANGS if not texts.get(lang, "").strip()]
        return missing


@dataclass(frozen=True)
class CheckText:
    """What the reports show for one check, in one language."""

    title: str
    hint: str
    lab_step: str


@dataclass(frozen=True)
class Catalog:
    entries: Mapping[tuple[str, str], CatalogEntry] = field(default_factory=dict)
    messages: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def say(self, value: object, lang: str) -> str:
        """A :class:`grading.messages.Message` (or plain text) in ``lang``."""
        return format_message(value, lang, self.messages)

    def text(self, mode: str, check_id: str, lang: str) -> CheckText:
        """Title, hint and lab step of a check; the other language, then the id, as fallbacks."""
        entry = self.entries.get((mode, check_id), CatalogEntry())
        other = "en" if lang == "fr" else "fr"
        title = entry.title.get(lang) or entry.title.get(other) or check_id
        hint = entry.hint.get(lang) or entry.hint.get(other) or ""
        return CheckText(title=title, hint=hint, lab_step=entry.step(lang))


def _texts(value: object, where: str, key: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        lang in LANGS and isinstance(text, str) for lang, text in value.items()
    ):
        raise CatalogError(f"{where} {key} must be {{ fr = \"...\", en = \"...\" }}")
    return dict(value)


def parse_catalog(text: str, mode: str, source: str) -> dict[tuple[str, str], CatalogEntry]:
    """The entries of one mode's catalog file."""
    try:
        data = parsed(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"catalog {source}: not valid TOML ({exc})") from None
    entries: dict[tuple[str, str], CatalogEntry] = {}
    for check_id, raw in data.items():
        where = f"catalog {source}: [\"{check_id}\"]"
        part, dot, name = check_id.partition(".")
        if not dot or not name or part not in PARTS:
            raise CatalogError(f"{where} is not a check id <part>.<name> ({', '.join(PARTS)})")
        if not isinstance(raw, dict):
            raise CatalogError(f"{where} must be a table with lab_step, title and hint")
        unknown = sorted(set(raw) - set(_KEYS))
        if unknown:
            raise CatalogError(f"{where} unknown key {unknown[0]!r}; use {', '.join(_KEYS)}")
        lab_step = raw.get("lab_step", "")
        steps: dict[str, str] = {}
        if isinstance(lab_step, dict):
            steps = _texts(lab_step, where, "lab_step")
            missing = [lang for lang in LANGS if not steps.get(lang, "").strip()]
            if missing:
                raise CatalogError(f"{where} lab_step has no {' or '.join(missing)} text")
            lab_step = steps["fr"]
        if not isinstance(lab_step, str):
            raise CatalogError(f"{where} lab_step must be a string or {{ fr = \"...\", en = \"...\" }}")
        entries[(mode, check_id)] = CatalogEntry(
            lab_step=lab_step,
            lab_step_texts=steps,
            title=_texts(raw.get("title", {}), where, "title"),
            hint=_texts(raw.get("hint", {}), where, "hint"),
        )
    return entries


def load_catalog(directory: Path) -> Catalog:
    """Read ``<directory>/<mode>.toml`` for each mode; a missing file is an empty catalog."""
    entries: dict[tuple[str, str], CatalogEntry] = {}
    for mode in MODES:
        path = directory / f"{mode}.toml"
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError) as exc:
            raise CatalogError(f"catalog {path}: cannot read it ({exc})") from None
        entries.update(parse_catalog(text, mode, str(path)))
    try:
        messages = load_messages(directory, DEFAULT_DIR)
    except MessagesError as exc:
        raise CatalogError(str(exc)) from None
    return Catalog(entries=entries, messages=messages)


def missing_entries(catalog: Catalog, checks: Iterable[tuple[str, str]]) -> list[str]:
    """``"<mode> <id>: title.en, hint.fr"`` for each check lacking a complete entry."""
    problems = []
    for mode, check_id in checks:
        entry = catalog.entries.get((mode, check_id))
        gaps = entry.gaps() if entry else ["no entry"]
        if gaps:
            problems.append(f"{mode} {check_id}: {', '.join(gaps)}")
    return problems

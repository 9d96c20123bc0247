"""Sentences a person reads, in French and English, kept in ``grading/catalog/messages.toml``.

A check, fixture or plugin never writes an English or French sentence itself:
it says which sentence, with its values (``says("inspect.container_missing",
name="redis")``), and the sentence is put in the run's language where it is
shown (the grading plugin, the reports, the ``mobygrade:`` lines). A value may
itself be a :class:`Message` (a cause inside a sentence, or a container's state:
``status=engine_state(c.status)``, never the engine's English word). A plain ``str`` is
passed through unchanged: data (a container name, an engine's own error text).

The file's format::

    ["inspect.container_missing"]
    fr = "aucun conteneur nommé {name}"
    en = "no container named {name}"

Both languages are required: a missing one is a usage error naming the entry.

The reports' own words (the grade summary, the marks, the HTML report, the class
page, a container's state) are entries of the same file under ``summary.``,
``mark.``, ``html.``, ``class.`` and ``state.``; a renderer that knows its
language asks :func:`text` for them.
"""

from __future__ import annotations

import functools
import re
import string
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from grading.context import LANGS
from grading.tomltext import parsed

FILE = "messages.toml"
DEFAULT_DIR = Path(__file__).with_name("catalog")


class MessagesError(ValueError):
    """A messages file that cannot be used; ``str()`` is one line naming the entry."""


@dataclass(frozen=True)
class Message:
    """One sentence of the catalog and its values, not yet in a language."""

    key: str
    params: tuple[tuple[str, object], ...] = ()

    def __str__(self) -> str:  # only where no language is known (a debugger, a log)
        return format_message(self, "en", default_messages())

    def text(self, lang: str) -> str:
        """This sentence in ``lang`` from the suite's own catalog (no run at hand)."""
        return format_message(self, lang, default_messages())


class SaidError(ValueError):
    """An error whose ``message`` is a sentence of the catalog (or plain data), one line.

    ``text(lang)`` is what the person who ran the command reads, in the run's language;
    ``str()`` is the English text, for logs and tracebacks.
    """

    def __init__(self, message: Text) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)

    def text(self, lang: str) -> str:
        return format_message(self.message, lang, default_messages())


def says(key: str, **params: object) -> Message:
    """The sentence ``key`` with ``params``, to be shown in the run's language."""
    return Message(key, tuple(sorted(params.items())))


def engine_state(value: object) -> Text:
    """A container's state as the engine names it (``exited``...), for a sentence's value:
    the catalog's ``state.<value>`` (« arrêté » in a French run), rendered in the run's
    language with the sentence; a state the catalog does not know stays the engine's word."""
    word = str(value) if value else "unknown"
    return says(f"state.{word}") if known(f"state.{word}") else word


JOINED = "(joined)"  # not a catalog key: sentences shown one after the other


def joined(parts: Iterable[object], sep: str = "; ") -> Message:
    """Several sentences (or data) shown in the run's language, ``sep`` between them."""
    return Message(JOINED, (("parts", tuple(parts)), ("sep", sep)))


Texts = Mapping[str, Mapping[str, str]]  # key -> lang -> template
Text = str | Message  # a sentence of the catalog, or plain data shown as it is


def format_message(value: object, lang: str, texts: Texts) -> str:
    """``value`` in ``lang``: a Message through its template (its Message values too)."""
    if not isinstance(value, Message):
        return str(value)
    if value.key == JOINED:
        values = dict(value.params)
        parts = values.get("parts")
        items = parts if isinstance(parts, tuple) else ()
        sep = str(values.get("sep", "; "))
        if lang == "fr" and sep.startswith((";", ":")):
            sep = " " + sep  # French puts a space before ; and :
        return sep.join(format_message(p, lang, texts) for p in items)
    template = (texts.get(value.key) or {}).get(lang)
    params = {name: format_message(v, lang, texts) for name, v in value.params}
    if template is None:  # an unknown key: never hide what was meant
        shown = ", ".join(f"{k}={v}" for k, v in params.items())
        return f"{value.key}({shown})"
    if lang == "fr":
        template = elided(template, params)
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return f"{template} {params}"


_DE_VALUE = re.compile(r"\b([Dd])e \{(\w+)\}")
_VOWEL = re.compile(r"[aeiouyàâäéèêëîïôöùûüœæ]", re.IGNORECASE)


def elided(template: str, params: Mapping[str, str]) -> str:
    """A French ``de {name}`` as ``d'{name}`` when the value starts with a vowel.

    « Motif de {who} » with Alice reads « Motif d'Alice », with Bob « Motif de Bob »;
    a value that starts with anything but a letter (a number, a path) keeps « de ».
    """
    def one(found: re.Match[str]) -> str:
        value = params.get(found.group(2), "")
        if value[:1] and _VOWEL.match(value[:1]):
            return f"{found.group(1)}'{{{found.group(2)}}}"
        return found.group(0)

    return _DE_VALUE.sub(one, template)


OBJECT_KINDS = ("container", "network", "volume", "mount")  # mount:redis2:/data


def listed(items: Sequence[object]) -> object:
    """``a, b et c`` (``a, b and c``) in the run's language; one item as it is."""
    if len(items) <= 1:
        return items[0] if items else ""
    return says("words.list", items=joined(items[:-1], ", "), last=items[-1])


def objects_said(refs: Iterable[object]) -> Message:
    """Objects named ``kind:name`` (``container:redis``), in words: « le conteneur redis ;
    les volumes a et b ». Prose never shows the ``kind:name`` ids (they are data, for the
    reports' JSON); anything else is shown as it is."""
    groups: dict[str, list[str]] = {}
    others: list[str] = []
    for ref in refs:
        kind, colon, name = str(ref).partition(":")
        if colon and name and kind in OBJECT_KINDS:
            groups.setdefault(kind, []).append(name)
        else:
            others.append(str(ref))
    parts: list[object] = [
        says(f"words.{kind}{'s' if len(names) > 1 else ''}", names=listed(names))
        for kind, names in groups.items()]
    return joined([*parts, *others], "; ")


@functools.cache
def default_messages() -> Texts:
    """The suite's own sentences (``grading/catalog/messages.toml``), read once a process."""
    try:
        return load_messages(DEFAULT_DIR)
    except MessagesError:
        return {}  # a run reports it as a usage error; here only the key is shown


def text(key: str, lang: str, **values: object) -> str:
    """The suite's sentence ``key`` in ``lang`` (French, the lab's, when unknown) with ``values``.

    An unknown key is shown as ``key(values)``, never as an empty place
    (``selftest/test_rubric_catalog.py`` checks that every key the renderers name exists).
    """
    return format_message(says(key, **values), lang if lang in LANGS else "fr",
                          default_messages())


def known(key: str) -> bool:
    """Whether the suite's catalog has the sentence ``key``."""
    return key in default_messages()


def parse_messages(text: str, source: str) -> dict[str, dict[str, str]]:
    """The sentences of one file; each needs ``fr`` and ``en`` with the same placeholders."""
    try:
        data = parsed(text)
    except tomllib.TOMLDecodeError as exc:
        raise MessagesError(f"messages {source}: not valid TOML ({exc})") from None
    out: dict[str, dict[str, str]] = {}
    for key, raw in data.items():
        where = f"messages {source}: [\"{key}\"]"
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            raise MessagesError(f"{where} must be {{ fr = \"...\", en = \"...\" }}")
        missing = [lang for lang in LANGS if not str(raw.get(lang, "")).strip()]
        if missing:
            raise MessagesError(f"{where} has no {' or '.join(missing)} text")
        unknown = sorted(set(raw) - set(LANGS))
        if unknown:
            raise MessagesError(f"{where} unknown language {unknown[0]!r}; use fr and en")
        fields = {lang: _fields(raw[lang]) for lang in LANGS}
        if fields["fr"] != fields["en"]:
            raise MessagesError(f"{where} fr and en use different values: "
                                f"{sorted(fields['fr'])} vs {sorted(fields['en'])}")
        out[key] = {lang: raw[lang] for lang in LANGS}
    return out


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def load_messages(directory: Path, default: Path | None = None) -> dict[str, dict[str, str]]:
    """The suite's sentences (``default``), overridden by ``<directory>/messages.toml``."""
    out: dict[str, dict[str, str]] = {}
    for folder in dict.fromkeys(p for p in (default, directory) if p is not None):
        path = folder / FILE
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError) as exc:
            raise MessagesError(f"messages {path}: cannot read it ({exc})") from None
        out.update(parse_messages(text, str(path)))
    return out

"""Which language a text a person reads is in: English words in a French run, and the reverse.

A sentence gives its language away by its small words (articles, prepositions,
auxiliaries, negations) and, for French, by accented letters. Names, commands
and data do not count: they are the same in both languages and often English
(``docker volume prune --all``, ``moby-counter``, ``redis:alpine``, an engine's
own error text quoted after a colon is the exception, see below). So the
detector first blanks out what is code or data, then flags the function words
of the other language that remain, as whole words.

Blanked out (:func:`prose`):

- a program's own output quoted line by line (``│ `` first: container logs);
- code spans in backticks, text in « », "", '' or '' quotes used as data
  (a quote that opens after a space and closes before one);
- URLs (``scheme://...``), paths and image references (a token holding ``/``),
  ``key=value`` and ``--option`` tokens, ``$VARS``, JSON-ish ``{...}`` and
  ``[...]``, hex ids of 12 hex digits or more, dotted ids (``networks.dns_redis``),
  e-mail-like and ``host:port`` tokens; the handout's section heading of a lab
  step (``Réseaux · « ... »``: the handout is French, its headings are quoted);
- shell commands: from a command word in lower case (``docker``, ``sudo``,
  ``ssh``, ``apt-get``, ``pip``, ``python``, ``ping``, ``nslookup``...) to the
  end of the clause (``,`` ``;`` ``)`` ``.`` ``:``) or to the first function
  word of either language (``ping -c 3 redis shows ...``: ``shows`` counts).

Then a word (letters, with ``'`` and ``-`` inside) is flagged when, lower-cased,
it is in the other language's list: :data:`ENGLISH` in a French text,
:data:`FRENCH` (or any word with a French accent) in an English text. The lists
hold only words that are not also words of the text's own language or common
in Docker names (``on``, ``a``, ``or``, ``as``, ``plus``, ``port``, ``volume``
are left out on purpose).

``foreign_words(text, lang)`` returns the flagged words with their line, so a
failing test says exactly what leaked where.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# English words that no French sentence uses (as whole words).
ENGLISH = frozenset(str.split("""
the is are was were be been being isn't aren't wasn't don't doesn't didn't can't cannot
could couldn't would should shouldn't does did has have had having not no none nothing
of to in into from with without within which who whose what when where while than then
that this these those there their its it's it they them you your yours we our
and because so if unless until after before about above below under over between
found expected missing got instead only also still yet again already
reached failed passed answered answers answer shows showed say says said
removed kept left made built pulled named called
here there every each some any many more most other another same such
check checks please fix rerun use uses using used need needs needed
context
"""))

# French words that no English sentence uses (as whole words); any accented word too.
FRENCH = frozenset(str.split("""
le la les des du un une est sont sont été être était pas aucun aucune attendu attendue
trouvé trouvée trouvés avec sans depuis dans sur pour par que qui quoi dont où
et ou mais donc ni ne ce cet cette ces son sa ses leur leurs il ils elle elles
nous vous votre vos notre nos au aux lui se en
mais puis alors encore déjà très trop peu bien aussi seulement toujours jamais
vérifiez relancez lancez utilisez installez démarrez corrigez ajoutez supprimez
manque manquent reçu reçoit attendait affiche affiché répond répondu
""")) - {"en"}  # "en" is an English prefix in names (en0): left to the accents rule

# Words that start a shell command or a command-line fragment.
COMMANDS = (
    "docker", "dockerd", "sudo", "ssh", "ssh-keygen", "ssh-keyscan", "ssh-copy-id",
    "ssh-add", "apt-get", "pip", "python", "python3", "ping", "nslookup", "curl", "wget",
    "systemctl", "mobygrade", "pytest", "redis-cli", "cat", "echo", "export", "tar",
    "debootstrap", "usermod", "ip", "iptables",
)

_ACCENT = re.compile(r"[àâäçéèêëîïôöùûüÿœæ]", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿœŒ]+(?:['’][A-Za-zÀ-ÖØ-öø-ÿœŒ]+)*")

_BLANKS = [
    re.compile(r"`[^`]*`"),  # code spans
    re.compile(r"«[^»]*»"),  # French quotes: a quotation (the handout's own sentence)
    re.compile(r"“[^”]*”"),
    re.compile(r"(?<![\w])'[^'\n]*'(?![\w])"),  # 'data' (not the ' of l'adresse)
    re.compile(r"(?<![\w])\"[^\"\n]*\"(?![\w])"),
    # (the quotations above, _QUOTES of them, are blanked before the commands)
    re.compile(r"\b[a-z][a-z0-9+.-]*://\S*"),  # URLs
    re.compile(r"\S*[/\\]\S*"),  # paths, image references, a/b
    re.compile(r"\S*=\S*"),  # key=value, label=x
    re.compile(r"(?<!\w)--?[A-Za-z][\w-]*"),  # --option, -p
    re.compile(r"\$\{?\w+\}?"),  # $USER, ${X}
    re.compile(r"\{[^{}]*\}"),  # JSON-ish, placeholders
    re.compile(r"\b[0-9a-f]{12,}\b"),  # ids
    re.compile(r"\b\w+(?:\.\w+)+\b"),  # dotted ids, versions, file names
    re.compile(r"\b[\w-]+:\d+\b"),  # host:port
    re.compile(r"\S+@\S+"),  # user@host
    re.compile(r"\b\w+(?:[-_]\w+)+\b"),  # moby-counter, redis_data, dump-rdb
    re.compile(r"\w+ · "),  # the handout's section heading of a lab step (Réseaux · « ... »)
]
# A program's own output quoted in a message (container logs): each line starts with "│";
# blanked to the end of its line (or of its Markdown line or cell).
_QUOTED_OUTPUT = re.compile(r"│.*?(?=<br>|\s\|\s|\s\|$|$)", re.MULTILINE)
_QUOTES = 5
_CLAUSE_END = (",", ";", ")", ".", ":")


def _blank_commands(line: str) -> str:
    """A command word (lower case) and its arguments, up to the clause's end or a
    function word of either language (``ping -c 3 redis shows ...`` keeps ``shows``)."""
    tokens = line.split(" ")
    out = []
    inside = False
    position = 0  # of the token in the command: the first two are its subcommand
    for token in tokens:
        bare = token.strip("(`«\"'")
        if not inside and bare in COMMANDS:
            inside = True
            position = 0
            out.append("")
            if token.endswith(_CLAUSE_END):
                inside = False
            continue
        if inside:
            position += 1
            word = bare.rstrip(",;).:").lower()
            stop = word in ENGLISH or word in FRENCH
            if (stop and position > 2) or word in ("ou", "or", "puis", "then"):
                inside = False
                out.append(token)
                continue
            out.append("")
            if token.endswith(_CLAUSE_END):
                inside = False
            continue
        out.append(token)
    return " ".join(out)


def prose(text: str) -> str:
    """``text`` with code and data blanked out (replaced by a space)."""
    out = _QUOTED_OUTPUT.sub(" ", text)
    for pattern in _BLANKS[:_QUOTES]:  # quotations first: a command inside stays inside
        out = pattern.sub(" ", out)
    out = "\n".join(_blank_commands(line) for line in out.splitlines())
    for pattern in _BLANKS[_QUOTES:]:
        out = pattern.sub(" ", out)
    return out


@dataclass(frozen=True)
class Leak:
    word: str
    line: str
    where: str = ""

    def __str__(self) -> str:
        place = f"{self.where}: " if self.where else ""
        return f"{place}{self.word!r} in: {self.line.strip()}"


def foreign(word: str, lang: str) -> bool:
    """Whether ``word`` (already outside code) belongs to the language other than ``lang``."""
    low = word.lower().replace("’", "'")
    if lang == "fr":
        return low in ENGLISH
    if _ACCENT.search(low):
        return True
    head = low.split("'", 1)[0]
    return low in FRENCH or ("'" in low and head in {"l", "d", "n", "qu", "j", "s", "c"})


def foreign_words(text: str, lang: str, where: str = "") -> list[Leak]:
    """Each word of the other language in ``text``, with its line."""
    leaks = []
    for line in text.splitlines():
        for word in _WORD.findall(prose(line)):
            if foreign(word, lang):
                leaks.append(Leak(word, line, where))
    return leaks


# -- jargon a student cannot read ---------------------------------------------------------

# DNS response codes: a student reads what happened in plain words; the code may follow
# in parentheses, for the instructor (« ne connaît pas ce nom (NXDOMAIN) »).
DNS_CODES = ("NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED", "FORMERR", "NOTIMP", "TIMEOUT")
_PARENTHESES = re.compile(r"\([^()]*\)")


def bare_jargon(text: str) -> list[str]:
    """The DNS codes of ``text`` said outside parentheses (and outside code spans)."""
    outside = _PARENTHESES.sub(" ", re.sub(r"`[^`]*`", " ", text))
    return [code for code in DNS_CODES if re.search(rf"\b{code}\b", outside)]


# -- what a run prints that is not ours (pytest's own English) --------------------------

_PYTEST_CHROME = re.compile(
    r"^(?:platform |cachedir:|rootdir:|configfile:|plugins:|benchmark:|collect|"
    r"testpaths:|created:|\d+ workers?|\[gw\d+\]|scheduling tests|"
    r"tests?/\S+\.py\s|selftest/\S+\.py\s|\S+\.py::|"
    r"=+ .*(?:test session starts|passed|failed|skipped|error|no tests ran|warnings summary|"
    r"short test summary info|FAILURES|ERRORS|deselected|xfailed|xpassed).* =+$|"
    r"_+ .* _+$|-- Docs: |[.sFEx]+\s*(?:\[\s*\d+%\])?$|"
    r"(?:FAILED|ERROR|SKIPPED|PASSED) |!+ .* !+$|Interrupted: |"
    r"\s*\d+ (?:passed|failed|skipped|error)|no tests ran in |\S+\.py:\d+: )"
)


_SECTION = re.compile(r"^=+ (.*) =+$")
_CODE_SECTIONS = ("FAILURES", "ERRORS", "warnings summary")  # tracebacks: code, not sentences


def our_lines(output: str) -> str:
    """The lines of a pytest run's output that mobygrade wrote (pytest's chrome left out,
    and its FAILURES/ERRORS tracebacks: the summary and the reports carry every message)."""
    kept = []
    in_code = False
    for line in output.splitlines():
        section = _SECTION.match(line)
        if section:
            in_code = section.group(1).strip() in _CODE_SECTIONS
        if in_code or _PYTEST_CHROME.match(line):
            continue
        kept.append(line)
    return "\n".join(kept)


# Report fields that are data, not sentences (ids, names, versions, paths, statuses).
DATA_KEYS = frozenset({
    "id", "check_id", "mode", "part", "status", "nodeids", "objects", "visibility",
    "schema_version", "lab", "checkpoint", "lang", "docker_host", "engine_version", "images",
    "endpoint", "started_at", "suite_fingerprint", "blocked_by", "filename", "file",
    "observations", "host", "url", "source", "transport", "context", "api_version",
    "output_format", "extra_data", "mark",
})


def report_strings(data: object, key: str = "") -> Iterator[tuple[str, str]]:
    """(field, text) of every sentence-bearing string in a JSON report."""
    if isinstance(data, dict):
        for name, value in data.items():
            if str(name) not in DATA_KEYS:
                yield from report_strings(value, str(name))
    elif isinstance(data, list):
        for value in data:
            yield from report_strings(value, key)
    elif isinstance(data, str):
        yield key, data


def json_leaks(text: str, lang: str, where: str) -> list[Leak]:
    leaks = []
    for key, value in report_strings(json.loads(text)):
        leaks += foreign_words(value, lang, f"{where} [{key}]")
    return leaks


def leaks_in(texts: Iterable[tuple[str, str]], lang: str) -> list[Leak]:
    """Leaks of (where, text) pairs: a pytest output (only our lines), a report by its suffix."""
    out: list[Leak] = []
    for where, text in texts:
        if where.endswith(".json"):
            out += json_leaks(text, lang, where)
        elif where.endswith((".md", ".xml", ".html")):
            out += foreign_words(text, lang, where)
        else:
            out += foreign_words(our_lines(text), lang, where)
    return out


# -- where a leaked sentence comes from ------------------------------------------------

REPO = Path(__file__).resolve().parent.parent


def _sources() -> list[tuple[str, int, str]]:
    out = []
    for folder in ("fixtures", "tests", "grading"):
        for path in sorted((REPO / folder).rglob("*")):
            if path.suffix in (".py", ".toml") and "__pycache__" not in path.parts:
                rel = str(path.relative_to(REPO))
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                    out.append((rel, number, line))
    return out


def source_of(leak: Leak, sources: list[tuple[str, int, str]]) -> str:
    """``file:line`` of a literal holding the leaked word with its neighbours, else ''."""
    words = re.findall(r"[\w']+", leak.line)
    lowered = [w.lower() for w in words]
    try:
        at = lowered.index(leak.word.lower())
    except ValueError:
        return ""
    for width in (4, 3, 2):  # the longest run of words around the leak found in one line
        for start in range(max(0, at - width + 1), at + 1):
            phrase = words[start:start + width]
            if len(phrase) < width:
                continue
            pattern = re.compile(r"\W+".join(re.escape(w) for w in phrase))
            hits = [f"{rel}:{n}" for rel, n, text in sources if pattern.search(text)]
            if hits:
                return ", ".join(hits[:3])
    return ""


def describe(leaks: list[tuple[str, Leak]]) -> str:
    """One line per leaked line: the case, the words, the source, the line."""
    sources = _sources()
    grouped: dict[tuple[str, str], list[str]] = {}
    for case_id, leak in leaks:
        field = leak.where.split(" [")[-1].rstrip("]")
        grouped.setdefault((leak.line.strip(), field), []).append(
            f"{case_id}:{leak.word}")
    lines = []
    for (line, field), hits in sorted(grouped.items()):
        first = hits[0].split(":", 1)[1]
        source = source_of(Leak(first, line), sources) or "source not found"
        words = sorted({h.split(":", 1)[1] for h in hits})
        cases = sorted({h.split(":", 1)[0] for h in hits})
        lines.append(f"- [{field}] {words} from {source} (cases: {', '.join(cases)})\n    {line}")
    return "\n".join(lines)


def assert_no_leak(case_id: str, per_lang: dict[str, list[tuple[str, str]]]) -> None:
    """Fail with every leak of every language's texts, each with its source."""
    found: list[tuple[str, Leak]] = []
    for lang, texts in per_lang.items():
        found += [(f"{case_id}/{lang}", leak) for leak in leaks_in(texts, lang)]
    assert not found, (f"{len(found)} word(s) of the other language in {case_id}:\n"
                       + describe(found))

"""Every sentence the suite quotes from the handout can be found in the handout.

A student reads « Étape « … » » in a report and searches the handout for it: each
quotation must be a verbatim fragment of ``docker-3-reseaux-volumes.md``, typos
included (« lancons », « Lors que »), or a shorter verbatim fragment that avoids the
typo. Only whitespace and Markdown code spans (the backticks, which the rendered page
does not show) are normalised; accents, punctuation and the spaces before « : » are
compared as written.

Quotations checked: every « … » of a check's ``lab_step`` (``inspect.toml``,
``provision.toml``, both languages), the ``STEP_*`` steps the inspect checks put in
their hints (``fixtures.inspect.rules``), the checkpoints' sentences
(``grading.cli_help.CHECKPOINT_STOPS``) and every « … » that follows « étape » or
« step » in ``messages.toml``. The handout is kept in ``selftest/data/`` (the CI has no
``/work/shared``); when the shared copy is on the machine it must be the same text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
HANDOUT = HERE / "data" / "docker-3-reseaux-volumes.md"
SHARED = Path("/work/shared/lab/docker-3-reseaux-volumes.md")
QUOTE = re.compile(r"«\s*([^«»]*?)\s*»")
STEP_QUOTE = re.compile(r"(?:[ÉéEe]tape|[Ss]tep)\s*«\s*([^«»]*?)\s*»")


def normal(text: str) -> str:
    """Whitespace runs as one space, Markdown backticks gone: the text a reader sees."""
    return re.sub(r"\s+", " ", text.replace("`", "")).strip()


def handout_text() -> str:
    return normal(HANDOUT.read_text(encoding="utf-8"))


def quotations() -> list[tuple[str, str]]:
    """(where, quoted text) of every quotation of the handout the suite ships."""
    from fixtures.inspect import rules
    from grading.catalog import DEFAULT_DIR, load_catalog
    from grading.cli_help import CHECKPOINT_STOPS
    from grading.messages import load_messages

    out: list[tuple[str, str]] = []
    catalog = load_catalog(DEFAULT_DIR)
    for (mode, check_id), entry in catalog.entries.items():
        steps = dict(entry.lab_step_texts) or {"": entry.lab_step}
        for lang, step in steps.items():
            where = f"{mode}.toml [{check_id}] lab_step{'.' + lang if lang else ''}"
            out += [(where, q) for q in QUOTE.findall(step)]
    out += [(f"fixtures.inspect.rules.{name}", value) for name, value in vars(rules).items()
            if name.startswith("STEP_") and isinstance(value, str)]
    for part, stops in CHECKPOINT_STOPS.items():
        out += [(f"cli_help checkpoint {part}.{lang}", q) for lang, stop in stops.items()
                for q in QUOTE.findall(stop)]
    for key, texts in load_messages(DEFAULT_DIR).items():
        for lang, said in texts.items():
            out += [(f"messages.toml [{key}] {lang}", q) for q in STEP_QUOTE.findall(said)
                    if "{" not in q]  # « {step} »: one of the quotations above
    return list(dict.fromkeys(out))


QUOTATIONS = quotations()


def test_the_handout_copy_is_the_shared_handout() -> None:
    if not SHARED.is_file():
        pytest.skip("the shared handout is not on this machine")
    assert HANDOUT.read_text(encoding="utf-8") == SHARED.read_text(encoding="utf-8"), (
        f"the handout changed: copy {SHARED} to {HANDOUT} and run this test again")


def test_there_are_quotations_of_every_kind() -> None:
    wheres = " ".join(where for where, _ in QUOTATIONS)
    for kind in ("inspect.toml", "provision.toml", "rules.STEP_", "cli_help", "messages.toml"):
        assert kind in wheres, kind
    assert len(QUOTATIONS) >= 40


def test_every_quotation_is_found_verbatim_in_the_handout() -> None:
    text = handout_text()
    missing = [f"{where}: « {quoted} »" for where, quoted in QUOTATIONS
               if normal(quoted) not in text]
    assert missing == [], (f"{len(missing)} quotation(s) not found verbatim in the handout "
                           "(quote the handout as written, typos included, or a shorter "
                           "verbatim fragment):\n" + "\n".join(missing))


@pytest.mark.parametrize(("quoted", "found"), [
    ("Puis lancons les deux applications en utilisant notre réseau", True),
    ("Puis lançons les deux applications", False),  # the handout writes « lancons »
    ("Interrogeons le serveur DNS de notre réseau moby-counter", True),  # `moby-counter`
    ("Visitez la deuxième application: vous devriez voir", True),
    ("Visitez la deuxième application : vous devriez voir", False),
    ("Exécutez la commande ping -c 3 redis ... Quelle est l'adresse ip affichée ?", False),
])
def test_the_comparison(quoted: str, found: bool) -> None:
    assert (normal(quoted) in handout_text()) is found

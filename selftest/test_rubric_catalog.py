"""The shipped rubric and catalogs against the checks that exist in tests/.

These fail when a check author adds, renames or removes a check without updating
grading/rubric.toml and grading/catalog/<mode>.toml (formats in their headers).
"""

from __future__ import annotations

from pathlib import Path

from grading.catalog import DEFAULT_DIR, load_catalog, missing_entries
from grading.context import MODES, PARTS
from grading.discover import scan
from grading.rubric import DEFAULT_PATH, load_rubric

REPO = Path(__file__).resolve().parents[1]


def _defined() -> list[tuple[str, str]]:
    known = scan(REPO / "tests")
    return [(mode, check_id) for mode in MODES for check_id in known.ids(mode)]


def test_shipped_rubric_is_valid_for_the_checks_in_tests() -> None:
    rubric = load_rubric(DEFAULT_PATH, scan(REPO / "tests"))  # raises one line if not
    assert rubric.lab == "docker-3-reseaux-volumes"
    assert {part: rubric.category_name(part, "fr") for part in PARTS} == {
        "networks": "Réseaux", "volumes": "Volumes", "cleanup": "Nettoyage"}


def test_every_check_in_tests_has_a_rubric_entry() -> None:
    """A check left out of the rubric would silently count for nothing."""
    rubric = load_rubric(DEFAULT_PATH)
    missing = [f"[{mode}.\"{cid}\"]" for mode, cid in _defined() if rubric.entry(mode, cid) is None]
    assert not missing, f"add to grading/rubric.toml: {', '.join(missing)}"


def test_every_check_in_tests_has_a_complete_catalog_entry() -> None:
    problems = missing_entries(load_catalog(DEFAULT_DIR), _defined())
    assert not problems, "complete grading/catalog/<mode>.toml: " + "; ".join(problems)


def test_every_catalog_entry_is_a_check_of_tests() -> None:
    """A stale entry (renamed check) is dead text; so is one for a missing module."""
    defined = set(_defined())
    known = scan(REPO / "tests")
    stale = [
        f"{mode} {cid}" for (mode, cid) in load_catalog(DEFAULT_DIR).entries
        if (mode, cid) not in defined and (mode, cid.partition(".")[0]) in known.modules
    ]
    assert not stale, f"no such check in tests/: {', '.join(stale)}"


def test_hints_name_a_lab_step_and_differ_by_language() -> None:
    catalog = load_catalog(DEFAULT_DIR)
    for (mode, check_id), entry in catalog.entries.items():
        assert entry.lab_step.split(" · ")[0] in ("Réseaux", "Volumes", "Nettoyage"), check_id
        if entry.hint.get("fr") and entry.hint.get("en"):
            assert entry.hint["fr"] != entry.hint["en"] or "docker" in entry.hint["fr"], (
                f"{mode} {check_id}: the French and English hints are the same text"
            )


def test_each_graded_scale_is_whole_points() -> None:
    """A run's grade reads as N/20-like figures: each mode/part totals whole points."""
    rubric = load_rubric(DEFAULT_PATH)
    totals: dict[tuple[str, str], float] = {}
    for (mode, check_id), entry in rubric.entries.items():
        key = (mode, check_id.partition(".")[0])
        totals[key] = totals.get(key, 0.0) + entry.points
    provision = sum(v for (mode, _), v in totals.items() if mode == "provision")
    assert provision == 20
    assert {part: totals.get(("inspect", part)) for part in PARTS} == {
        "networks": 20, "volumes": 20, "cleanup": 6}
    assert all(value == int(value) for value in totals.values())


def test_every_message_has_both_languages_with_the_same_values() -> None:
    from grading.catalog import DEFAULT_DIR
    from grading.messages import load_messages

    messages = load_messages(DEFAULT_DIR)
    assert messages, "grading/catalog/messages.toml holds no sentence"
    for key, texts in messages.items():
        assert texts["fr"].strip() and texts["en"].strip(), key


def test_a_message_missing_a_language_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    import pytest as _pytest

    from grading.messages import MessagesError, parse_messages

    with _pytest.raises(MessagesError, match=r'\["inspect.x"\] has no en text'):
        parse_messages('["inspect.x"]\nfr = "bonjour {a}"\n', "m.toml")
    with _pytest.raises(MessagesError, match="different values"):
        parse_messages('["inspect.x"]\nfr = "bonjour {a}"\nen = "hello {b}"\n', "m.toml")


def test_the_reports_words_go_through_the_same_validation(tmp_path: Path) -> None:
    """summary., html. and class. words are catalog entries: an instructor's file that
    leaves one without a language, or with other placeholders, is refused like any other."""
    import pytest as _pytest

    from grading.catalog import CatalogError

    for body, problem in (('["html.title"]\nfr = "Résultats"\n', r'\["html.title"\] has no en'),
                          ('["summary.score_line"]\nfr = "Note : {score}/{max}"\n'
                           'en = "Score: {score}"\n', "different values"),
                          ('["class.title"]\nfr = "La classe"\nen = "The class"\nde = "x"\n',
                           "unknown language 'de'")):
        (tmp_path / "messages.toml").write_text(body, encoding="utf-8")
        with _pytest.raises(CatalogError, match=problem):
            load_catalog(tmp_path)


# Literal keys the code names, by the helper that prefixes them (a key held in a
# variable, such as a node's kind, is checked by the renderers' own self-tests).
_NAMED = (
    ("**/*.py", r"\bi18n\.text\(\s*\"([a-z_]+)\"", "summary."),
    ("render/html/*.py", r"(?<![.\w])text\(\s*[\"']([a-z_]+)[\"']", "html."),
    ("classrun/index.py", r"(?<![.\w])t\(\s*[\"']([a-z_]+)[\"']", "class."),
    ("**/*.py", r"\bmessages\.text\(\s*\"([a-z_.]+)\"", ""),
)


def test_every_word_the_code_names_is_in_the_catalog() -> None:
    """A key the catalog lacks would be shown as ``key(values)``: never in a shipped suite."""
    import re

    from grading.i18n import MARK_KINDS
    from grading.messages import default_messages

    known = default_messages()
    named = {f"mark.{kind}" for kind in MARK_KINDS}
    for pattern, regex, prefix in _NAMED:
        for path in (REPO / "grading").glob(pattern):
            named |= {prefix + key for key in re.findall(regex, path.read_text(encoding="utf-8"))}
    assert len(named) > 100, sorted(named)
    assert {"summary.heading", "mark.passed", "html.title", "class.title"} <= named
    assert sorted(named - set(known)) == []


def test_a_message_is_shown_in_the_run_language_with_nested_sentences() -> None:
    from grading.messages import format_message, says

    texts = {"outer": {"fr": "échec : {cause}", "en": "failed: {cause}"},
             "inner": {"fr": "{name} arrêté", "en": "{name} stopped"}}
    message = says("outer", cause=says("inner", name="redis"))
    assert format_message(message, "fr", texts) == "échec : redis arrêté"
    assert format_message(message, "en", texts) == "failed: redis stopped"
    assert format_message("plain data", "fr", texts) == "plain data"


def test_joined_sentences_are_each_in_the_run_language() -> None:
    from grading.messages import format_message, joined, says

    texts = {"inner": {"fr": "{name} arrêté", "en": "{name} stopped"}}
    message = joined([says("inner", name="redis"), "data", says("inner", name="redis2")])
    assert format_message(message, "fr", texts) == "redis arrêté ; data ; redis2 arrêté"
    assert format_message(message, "en", texts) == "redis stopped; data; redis2 stopped"
    assert format_message(joined([]), "en", texts) == ""

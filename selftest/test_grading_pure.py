"""The grading plugin's pure parts, without pytest runs or Docker: rubric, options,
prerequisite ordering, discovery, catalog and scoring."""

from __future__ import annotations

from pathlib import Path

import pytest

from grading import i18n
from grading.catalog import Catalog, CatalogEntry, CatalogError, missing_entries, parse_catalog
from grading.discover import scan
from grading.fingerprint import fingerprint
from grading.options import OptionError, default_lang, parse_lang, parse_min, parse_report
from grading.plugin import assertion_message
from grading.prereq import find_cycle, stable_order
from grading.rubric import RubricError, parse_rubric
from grading.scoring import ItemOutcome, MinSpec, RunMeta, grade

CHECKS = '''
def test_moby_counter2_network(): pass
def test_alias(): pass
async def test_dns_alias(): pass
class TestMore:
    def test_isolation(self): pass
def helper(): pass
'''


@pytest.fixture
def known(tmp_path: Path):
    (tmp_path / "tests" / "inspect").mkdir(parents=True)
    (tmp_path / "tests" / "inspect" / "test_networks.py").write_text(CHECKS)
    return scan(tmp_path / "tests")


# --- discovery ---------------------------------------------------------------


def test_scan_finds_functions_async_and_class_methods(known) -> None:
    assert known.ids("inspect") == [
        "networks.moby_counter2_network", "networks.alias", "networks.dns_alias",
        "networks.isolation",
    ]
    assert known.problem("inspect", "networks.alias") is None
    assert "no `def test_nope`" in (known.problem("inspect", "networks.nope") or "")
    assert known.problem("inspect", "volumes.anything") is None  # module absent: dormant
    assert "unknown check id" in (known.problem("inspect", "network.alias") or "")


def test_scan_survives_a_syntax_error(tmp_path: Path) -> None:
    (tmp_path / "provision").mkdir()
    (tmp_path / "provision" / "test_volumes.py").write_text("def test_a(:\n\ndef test_b():\n")
    assert scan(tmp_path).ids("provision") == ["volumes.a", "volumes.b"]


# --- rubric ------------------------------------------------------------------

GOOD = '''
lab = "lab"
[categories]
networks = { fr = "Réseaux", en = "Networks" }
[inspect."networks.alias"]
points = 2
requires = ["networks.moby_counter2_network"]
[inspect."networks.moby_counter2_network"]
points = 1.5
visibility = "hidden"
'''


def test_rubric_parses(known) -> None:
    rubric = parse_rubric(GOOD, "r.toml", known)
    assert rubric.requires("inspect", "networks.alias") == ("networks.moby_counter2_network",)
    assert rubric.entry("inspect", "networks.moby_counter2_network").points == 1.5
    assert rubric.entry("inspect", "networks.moby_counter2_network").visibility == "hidden"
    assert rubric.category_name("networks", "en") == "Networks"
    assert rubric.category_name("volumes", "en") == "Volumes"  # built-in default
    assert parse_rubric("", "r").category_name("cleanup", "fr") == "Nettoyage"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("points = [", "not valid TOML"),
        ('[inspect."networks.nope"]\npoints = 1', "unknown check id 'networks.nope'"),
        ('[inspect."networks.alias"]\npoints = -1', "negative points"),
        ('[inspect."networks.alias"]\npoints = "2"', "points must be a number"),
        ('[inspect."networks.alias"]\nrequires = []', "has no points"),
        ('[inspect."networks.alias"]\npoints = 1\nweight = 2', "unknown key 'weight'"),
        ('[inspect."networks.alias"]\npoints = 1\nvisibility = "secret"', "unknown visibility"),
        ('[inspect."networks.alias"]\npoints = 1\nrequires = ["networks.zzz"]', "requires: unknown"),
        ('[provison."networks.alias"]\npoints = 1', "unknown table or key 'provison'"),
        ('[categories]\nnetwork = { fr = "R" }', "unknown part 'network'"),
        (
            (
                '[inspect."networks.alias"]\npoints = 1\nrequires = ["networks.dns_alias"]\n'
                '[inspect."networks.dns_alias"]\npoints = 1\nrequires = ["networks.alias"]'
            ),
            "prerequisite cycle: networks.alias -> networks.dns_alias -> networks.alias",
        ),
        (
            "".join(f'[inspect."networks.{name}"]\npoints = 1\nrequires = ["networks.alias"]\n'
                    for name in ("dns_alias", "isolation", "moby_counter2_network"))
            + '[inspect."networks.alias"]\npoints = 1\n',
            '[inspect."networks.alias"] every other check of networks requires it',
        ),
    ],
)
def test_rubric_errors_are_one_line_naming_the_file(known, text: str, words: str) -> None:
    with pytest.raises(RubricError) as caught:
        parse_rubric(text, "my-rubric.toml", known)
    message = str(caught.value)
    assert words in message
    assert message.startswith("rubric my-rubric.toml:")
    assert "\n" not in message


def test_rubric_self_cycle_is_rejected(known) -> None:
    with pytest.raises(RubricError, match="cycle"):
        parse_rubric('[inspect."networks.alias"]\npoints = 1\nrequires = ["networks.alias"]',
                     "r", known)


# --- prerequisites -----------------------------------------------------------


def test_find_cycle() -> None:
    assert find_cycle({"a": ["b"], "b": ["c"], "c": []}) is None
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]


def test_stable_order_keeps_a_valid_order_and_moves_only_what_it_must() -> None:
    deps = {"alias": ["net"], "dns": ["alias"]}
    keys = ["net", "x", "alias", "y", "dns"]
    assert stable_order(keys, lambda k: deps.get(k, [])) == [0, 1, 2, 3, 4]
    keys = ["x", "dns", "y", "alias", "net", None, "z"]
    order = [keys[i] for i in stable_order(keys, lambda k: deps.get(k, []))]
    assert order == ["x", "net", "alias", "dns", "y", None, "z"]  # only prerequisites move


def test_stable_order_survives_a_cycle() -> None:
    deps = {"a": ["b"], "b": ["a"]}
    assert sorted(stable_order(["a", "b", "c"], lambda k: deps.get(k, []))) == [0, 1, 2]


# --- options -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LC_ALL": "fr_FR.UTF-8", "LANG": "en_US.UTF-8"}, "fr"),
        ({"LC_MESSAGES": "en_GB", "LANG": "fr_FR"}, "en"),
        ({"LANG": "C.UTF-8"}, "fr"),
        ({}, "fr"),
    ],
)
def test_default_lang(env: dict[str, str], lang: str) -> None:
    assert default_lang(env) == lang


def test_option_parsers(tmp_path: Path) -> None:
    assert parse_lang("EN", "--lang") == "en"
    assert parse_min("80%", "--grade-min") == MinSpec(80.0, percent=True)
    assert parse_min("17,5", "--grade-min") == MinSpec(17.5)
    spec = parse_report("junit:out/j.xml", "--grade-report", tmp_path)
    assert (spec.fmt, spec.path) == ("junit", tmp_path / "out" / "j.xml")
    (tmp_path / "file").write_text("")
    bad = [
        (lambda: parse_lang("de", "--lang"), "--lang: unknown language 'de'"),
        (lambda: parse_min("lots", "--grade-min"), "--grade-min: 'lots' is not a number"),
        (lambda: parse_min("120%", "--grade-min"), "out of range"),
        (lambda: parse_report("pdf:x.pdf", "--grade-report", tmp_path), "unknown format 'pdf'"),
        (lambda: parse_report("json", "--grade-report", tmp_path), "expected FORMAT:PATH"),
        (lambda: parse_report(f"json:{tmp_path}", "--grade-report", tmp_path), "is a directory"),
        (lambda: parse_report("json:file/x.json", "--grade-report", tmp_path), "not a directory"),
    ]
    for call, words in bad:
        with pytest.raises(OptionError) as caught:
            call()
        assert words in str(caught.value) and "\n" not in str(caught.value)


def test_assertion_message_drops_pytest_explanation_after_the_authors_text() -> None:
    assert assertion_message("expected 3 whales, found 1\nassert 1 >= 3") == (
        "expected 3 whales, found 1"
    )
    assert assertion_message("assert 1 == 2\n +  where 1 = f()") == "assert 1 == 2\n +  where 1 = f()"


# --- catalog -----------------------------------------------------------------


def test_catalog_parse_fallbacks_and_gaps() -> None:
    entries = parse_catalog(
        '["networks.alias"]\nlab_step = "Réseaux"\ntitle = { fr = "Alias", en = "Alias" }\n'
        'hint = { fr = "docker container run ... --network-alias redis" }\n',
        "inspect", "inspect.toml",
    )
    catalog = Catalog(entries)
    assert catalog.text("inspect", "networks.alias", "en").hint.startswith("docker container run")
    assert catalog.text("inspect", "networks.other", "en").title == "networks.other"
    assert missing_entries(catalog, [("inspect", "networks.alias"), ("inspect", "networks.x")]) == [
        "inspect networks.alias: hint.en",
        "inspect networks.x: no entry",
    ]
    assert CatalogEntry().gaps() == ["lab_step", "title.fr", "title.en", "hint.fr", "hint.en"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[x", "not valid TOML"),
        ('["alias"]\ntitle = { fr = "a", en = "b" }', "is not a check id"),
        ('["networks.alias"]\ntitle = "a"', "title must be"),
        ('["networks.alias"]\ntitle = { de = "a" }', "title must be"),
        ('["networks.alias"]\nhelp = "a"', "unknown key 'help'"),
    ],
)
def test_catalog_errors_are_one_line(text: str, words: str) -> None:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(text, "inspect", "inspect.toml")
    assert words in str(caught.value) and "\n" not in str(caught.value)


# --- scoring -----------------------------------------------------------------

RUBRIC = '''
[inspect."networks.moby_counter2_network"]
points = 2
[inspect."networks.alias"]
points = 2
requires = ["networks.moby_counter2_network"]
[inspect."networks.dns_alias"]
points = 2
requires = ["networks.alias"]
[inspect."networks.isolation"]
points = 3
'''


def _grade(known, outcomes, minimum=None, available=()):
    rubric = parse_rubric(RUBRIC, "r", known)
    return grade(outcomes, rubric, Catalog(), RunMeta(mode="inspect", lang="en"), minimum,
                 available)


def _item(name: str, status: str, fraction: float = 0.0, param: str = "") -> ItemOutcome:
    nodeid = f"tests/inspect/test_networks.py::test_{name}{param}"
    return ItemOutcome(nodeid, "inspect", f"networks.{name}", status, fraction, f"{name} {status}")


def test_a_fact_several_checks_say_is_shown_once_a_run(known) -> None:
    """The cleanup checks each say « le TP a été fait sur ce moteur : ... »: once is enough."""
    import dataclasses

    said = "the lab was done on this engine: it still holds the volume redis_data"
    result = _grade(known, [
        dataclasses.replace(_item("moby_counter2_network", "passed"), facts=(said,)),
        dataclasses.replace(_item("isolation", "passed"), facts=(said, "engine 20.10")),
    ])
    by_id = {c.check_id: c for c in result.checks}
    assert by_id["networks.moby_counter2_network"].facts == (said,)
    assert by_id["networks.isolation"].facts == ("engine 20.10",)


def test_blocked_is_transitive_and_authoritative(known) -> None:
    result = _grade(known, [
        _item("moby_counter2_network", "failed"),
        _item("alias", "passed"),  # ran on another xdist worker and passed: still blocked
        _item("dns_alias", "passed"),
        _item("isolation", "passed"),
    ])
    by_id = {c.check_id: c for c in result.checks}
    assert by_id["networks.alias"].status == "blocked"
    assert by_id["networks.alias"].message == "blocked by networks.moby_counter2_network"
    assert by_id["networks.dns_alias"].message == "blocked by networks.alias"
    assert (result.score, result.max_score) == (3, 9)
    assert not result.reached


def test_partial_credit_is_exact_and_parametrized_items_average(known) -> None:
    result = _grade(known, [
        _item("moby_counter2_network", "passed"),
        _item("alias", "failed", 0.5),
        _item("isolation", "passed", param="[a]"),
        _item("isolation", "failed", 0.0, param="[b]"),
        _item("isolation", "failed", 0.5, param="[c]"),
    ], available=["networks.moby_counter2_network", "networks.alias", "networks.dns_alias",
                  "networks.isolation"])
    by_id = {c.check_id: c for c in result.checks}
    assert by_id["networks.alias"].score == 1.0 and by_id["networks.alias"].mark == "partial"
    assert by_id["networks.isolation"].score == 1.5  # (1 + 0 + 0.5) / 3 of 3 points
    assert by_id["networks.isolation"].nodeids[-1].endswith("[c]")
    assert result.score == 4.5 and result.max_score == 7
    assert result.partial_selection and result.available == 4


def test_error_notrun_skipped_and_informational(known) -> None:
    result = _grade(known, [
        _item("moby_counter2_network", "error"),
        _item("isolation", "notrun"),
        ItemOutcome("tests/inspect/test_networks.py::test_extra", "inspect", "networks.extra",
                    "failed", 0.0, "boom"),
    ])
    by_id = {c.check_id: c for c in result.checks}
    assert by_id["networks.moby_counter2_network"].message.startswith("the suite's fault")
    assert by_id["networks.isolation"].status == "notrun"
    assert "not run" in by_id["networks.isolation"].message
    assert by_id["networks.isolation"].hint == ""  # nothing was measured: no hint
    assert result.incomplete is not None and result.incomplete.causes == ("not_run",)
    assert result.incomplete.not_run == ("networks.isolation",)
    assert by_id["networks.extra"].informational and by_id["networks.extra"].max_score == 0
    assert result.max_score == 5


def test_minimum_in_points_and_percent(known) -> None:
    items = [_item("moby_counter2_network", "passed"), _item("isolation", "failed")]
    assert _grade(known, items, MinSpec(40, percent=True)).reached  # 2 >= 2
    assert not _grade(known, items, MinSpec(2.5)).reached
    assert _grade(known, items, MinSpec(0)).min_score == 0


def test_points_are_never_truncated() -> None:
    assert i18n.points(1.5, "en") == "1.5"
    assert i18n.points(1.5, "fr") == "1,5"
    assert i18n.points(17.0, "fr") == "17"
    assert i18n.points(2 / 3, "en") == "0.67"


# --- fingerprint -------------------------------------------------------------


def test_fingerprint_changes_with_checks_catalog_and_rubric(tmp_path: Path) -> None:
    (tmp_path / "tests" / "provision").mkdir(parents=True)
    check = tmp_path / "tests" / "provision" / "test_networks.py"
    check.write_text("def test_a():\n    assert 1\n")
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "provision.toml").write_text("")
    first = fingerprint(tmp_path, b"points", catalog)
    assert first.startswith("sha256:") and first == fingerprint(tmp_path, b"points", catalog)
    assert fingerprint(tmp_path, b"points\r\n", catalog) == fingerprint(tmp_path, b"points\n", catalog)
    assert fingerprint(tmp_path, b"other", catalog) != first
    (catalog / "provision.toml").write_text("# edited")
    second = fingerprint(tmp_path, b"points", catalog)
    assert second != first
    check.write_text("def test_a():\n    pass\n")
    third = fingerprint(tmp_path, b"points", catalog)
    assert third != second
    (tmp_path / "tests" / "provision" / "__pycache__").mkdir()
    (tmp_path / "tests" / "provision" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    assert fingerprint(tmp_path, b"points", catalog) == third  # caches are not the suite


REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A copy of what this checkout's fingerprint covers outside grading/: pytest's
    configuration, the root modules, tests/ and fixtures/."""
    import shutil

    root = tmp_path / "checkout"
    root.mkdir()
    for name in ("pyproject.toml", "tox.ini", "conftest.py"):
        shutil.copy(REPO / name, root / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")
    for name in ("tests", "fixtures"):
        shutil.copytree(REPO / name, root / name, ignore=ignore)
    return root


def _print(root: Path) -> str:
    from grading.catalog import DEFAULT_DIR

    return fingerprint(root, b"rubric", DEFAULT_DIR, REPO / "grading")


def test_fingerprint_covers_pytest_configuration(checkout: Path) -> None:
    """addopts in pyproject.toml can load any plugin: editing it is editing the suite."""
    first = _print(checkout)
    assert _print(checkout) == first
    pyproject = checkout / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    assert 'addopts = "' in text
    pyproject.write_text(text.replace('addopts = "', 'addopts = "-p something ', 1))
    assert _print(checkout) != first
    pyproject.write_text(text)
    assert _print(checkout) == first
    for name, content in (("tox.ini", "[pytest]\naddopts = -p x\n"),
                          ("setup.cfg", "[tool:pytest]\naddopts = -p x\n"),
                          ("pytest.ini", "[pytest]\naddopts = -p x\n")):
        path = checkout / name
        before = path.read_text() if path.exists() else None
        path.write_text(content)
        assert _print(checkout) != first, name
        if before is None:
            path.unlink()
        else:
            path.write_text(before)
        assert _print(checkout) == first, name


def test_fingerprint_covers_every_conftest_and_root_module(checkout: Path) -> None:
    first = _print(checkout)
    for rel in ("tests/conftest.py", "tests/inspect/conftest.py", "something.py"):
        path = checkout / rel
        assert not path.exists(), rel
        path.write_text("def pytest_runtest_makereport(item, call): pass\n")
        assert _print(checkout) != first, rel
        path.unlink()
    assert _print(checkout) == first
    context_file = next(p for p in sorted((checkout / "fixtures" / "images").rglob("*"))
                      if p.is_file() and "__pycache__" not in p.parts)
    context_file.write_bytes(context_file.read_bytes() + b"\n# edited\n")
    assert _print(checkout) != first  # a stand-in image's build context

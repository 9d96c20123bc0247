"""The grading plugin end to end with pytester, no Docker: a fake lab suite in a temporary
rootdir (tests/provision/test_networks.py, a rubric, a catalog) run with ``-p grading.plugin``.

Covers the summary, every status, prerequisites (blocked, reordering), exit statuses 0/1/4,
each bad input, the five reports agreeing, GitHub outputs, --lang, NO_COLOR, -q and xdist.
"""

from __future__ import annotations

import base64
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from grading import validate

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[1]

RUBRIC = '''
lab = "fake-lab"
[categories]
networks = { fr = "Réseaux", en = "Networks" }
[provision."networks.moby_counter2_network"]
points = 2
[provision."networks.alias"]
points = 3
requires = ["networks.moby_counter2_network"]
[provision."networks.dns_alias"]
points = 2
requires = ["networks.alias"]
[provision."networks.app_connected"]
points = 3
[provision."networks.bridge_info"]
points = 0
'''

CATALOG = "".join(
    f'''
["networks.{name}"]
lab_step = "Réseaux · étape {name}"
title = {{ fr = "Titre {name}", en = "Title {name}" }}
hint = {{ fr = "Indice {name} : docker network create moby-counter2", en = "Hint {name}: docker network create moby-counter2" }}
'''
    for name in ("moby_counter2_network", "alias", "dns_alias", "app_connected", "bridge_info")
)

BODIES = {
    "pass": "pass",
    "fail": 'assert 1 == 2, "expected 1 network, found 2"',
    "partial": 'partial(0.5, "expected alias redis on redis2, found no alias")',
    "error": 'raise KeyError("boom")',
    "skip": 'pytest.skip("not on this engine")',
    "hinted": 'raise CheckFailed("redis is exited", hint="docker container start redis")',
    "blocked_hinted": 'raise CheckBlocked("redis is exited", hint="docker container start redis")',
    "fixture_fail": "student_object()",
    "fixture_error": "broken_fixture()",
    "blocked": 'raise CheckBlocked("container stopped")',
    "blocked_by": 'raise CheckBlocked("container stopped", by="step a")',
    "interrupt": "raise KeyboardInterrupt",
}

HEADER = '''
import os
import pytest
from grading.api import CheckBlocked, CheckFailed, DRIFT_KEY, FACT_KEY, partial

def _ran(name):
    with open(os.path.join(os.path.dirname(__file__), "ran.log"), "a") as log:
        log.write(name + "\\n")

@pytest.fixture
def student_object():
    raise CheckFailed("expected network moby-counter2, found none")

@pytest.fixture
def broken_fixture():
    raise RuntimeError("the probe image is missing")
'''

ORDER = ("moby_counter2_network", "alias", "dns_alias", "app_connected", "bridge_info")


def write_checks(pytester: pytest.Pytester, order: tuple[str, ...] = ORDER, **behaviour: str) -> None:
    functions = []
    for name in order:
        kind = behaviour.get(name, "pass")
        args = {"fixture_fail": "student_object", "fixture_error": "broken_fixture"}.get(kind, "")
        body = "pass" if kind.startswith("fixture") else BODIES[kind]
        extra = ""
        if name == "bridge_info":
            extra = '    request.node.user_properties.append((DRIFT_KEY, "redis 8 has no VOLUME"))\n'
            args = ", ".join(a for a in (args, "request") if a)
        functions.append(f"def test_{name}({args}):\n    _ran({name!r})\n{extra}    {body}\n")
    pytester.makepyfile(**{"tests/provision/test_networks": HEADER + "\n\n".join(functions)})


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A fake lab checkout: ini loading the plugin, rubric, catalog, all checks passing."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY",
                 "NO_COLOR", "FORCE_COLOR", "PY_COLORS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    pytester.makeini(
        "[pytest]\naddopts = -p grading.plugin -p no:cacheprovider -p no:randomly"
        " -p no:hypothesispytest -p no:benchmark\n"
        "grading_rubric = rubric.toml\ngrading_catalog = catalog\n"
    )
    (pytester.path / "rubric.toml").write_text(RUBRIC, encoding="utf-8")
    (pytester.path / "catalog").mkdir()
    (pytester.path / "catalog" / "provision.toml").write_text(CATALOG, encoding="utf-8")
    write_checks(pytester)
    return pytester


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def summary(result: pytest.RunResult, keep_colour: bool = False) -> list[str]:
    """The lines of the grade summary, from its heading to the minimum line (colour removed)."""
    plain = [ANSI.sub("", line) for line in result.outlines]
    start = next(i for i, line in enumerate(plain) if "mobygrade" in line and "=" in line)
    end = next(i for i in range(start, len(plain)) if plain[i].startswith("minimum"))
    return (result.outlines if keep_colour else plain)[start : end + 1]


def ran(pytester: pytest.Pytester) -> list[str]:
    log = pytester.path / "tests" / "provision" / "ran.log"
    return log.read_text().split() if log.exists() else []


# --- the summary and statuses ------------------------------------------------


def test_all_pass_exit_0_french_by_default(suite: pytest.Pytester) -> None:
    result = suite.runpytest()
    assert result.ret == 0
    lines = summary(result)
    assert lines[0].strip("= ") == "mobygrade : note"
    assert "Note : 10/10" in lines
    assert "Réseaux : 10/10" in lines
    assert "minimum 10/10 atteint" in lines
    result.stdout.fnmatch_lines(["*réussi*3/3*Titre alias [[]networks.alias[]]*",
                                 "*réussi*-*networks.bridge_info*(hors barème)*",
                                 "*Écart avec le sujet : redis 8 has no VOLUME*"])


def test_every_status_in_english(suite: pytest.Pytester) -> None:
    write_checks(suite, moby_counter2_network="fixture_fail", app_connected="partial",
                 bridge_info="fail")
    result = suite.runpytest("--lang", "en")
    assert result.ret == 1
    lines = summary(result)
    text = "\n".join(lines)
    assert "Score: 1.5/10" in lines
    assert re.search(r"failed +0/2 +Title moby_counter2_network", text)
    assert "expected network moby-counter2, found none" in text  # CheckFailed in a fixture
    blocked = next(i for i, line in enumerate(lines) if "Title alias" in line)
    assert re.search(r"blocked +0/3", lines[blocked])
    assert lines[blocked + 1].strip() == "blocked by networks.moby_counter2_network"
    assert "Title dns_alias" in lines[blocked + 2]  # one line only, no hint for blocked
    assert lines[blocked + 3].strip() == "blocked by networks.alias"
    assert re.search(r"partial +1.5/3 +Title app_connected", text)
    assert "Hint: Hint app_connected: docker network create moby-counter2" in text
    assert re.search(r"failed +- +Title bridge_info .*\(not counted\)", text)
    assert "Lab step: Réseaux · étape moby_counter2_network" in text
    # Blocked checks never ran: no fixture, no body.
    assert "alias" not in ran(suite) and "dns_alias" not in ran(suite)


def test_error_is_the_suites_fault_not_the_students(suite: pytest.Pytester) -> None:
    write_checks(suite, app_connected="error", bridge_info="fixture_error")
    result = suite.runpytest("--lang", "en")
    assert result.ret == 1
    text = "\n".join(summary(result))
    assert re.search(r"error +0/3 +Title app_connected", text)
    assert "the suite's fault, not yours: please report it (KeyError: 'boom' at " \
           "tests/provision/test_networks.py:" in text
    assert "(RuntimeError: the probe image is missing" in text  # fixture error
    assert "Score: 7/10" in text


def test_the_suites_fault_is_said_in_the_run_language(suite: pytest.Pytester) -> None:
    write_checks(suite, app_connected="error")
    text = "\n".join(summary(suite.runpytest("--lang", "fr")))
    assert "erreur de la suite de tests, pas de votre TP : merci de la signaler (KeyError : " \
           "'boom', dans tests/provision/test_networks.py:" in text


def test_skip_is_skipped_and_counts_zero(suite: pytest.Pytester) -> None:
    write_checks(suite, app_connected="skip")
    result = suite.runpytest("--lang", "en")
    text = "\n".join(summary(result))
    assert re.search(r"skipped +0/3 +Title app_connected", text)
    assert "not on this engine" in text
    assert result.ret == 1


def test_prerequisites_run_first_and_file_order_is_kept_otherwise(suite: pytest.Pytester) -> None:
    order = ("dns_alias", "app_connected", "alias", "bridge_info", "moby_counter2_network")
    write_checks(suite, order=order)
    result = suite.runpytest()
    assert result.ret == 0
    assert ran(suite) == ["moby_counter2_network", "alias", "dns_alias", "app_connected",
                          "bridge_info"]


def test_a_stopped_session_still_shows_what_passed(suite: pytest.Pytester) -> None:
    """A global stop (-x, Ctrl-C, a timeout) must not hide which checks passed."""
    write_checks(suite, order=("app_connected", "moby_counter2_network", "alias", "dns_alias",
                               "bridge_info"), moby_counter2_network="fail")
    result = suite.runpytest("-x", "--lang", "en")
    assert result.ret == 1
    lines = summary(result)
    text = "\n".join(lines)
    assert re.search(r"passed +3/3 +Title app_connected", text)
    assert re.search(r"blocked +0/3 +Title alias", text)
    bridge = next(i for i, line in enumerate(lines) if "Title bridge_info" in line)
    assert re.search(r"not run +- +Title bridge_info", lines[bridge])
    assert lines[bridge + 1].strip() == "not run: the session stopped before it"
    assert lines[bridge + 2].startswith("Incomplete run")  # not run: no hint, no lab step
    assert "Score: 3/10" in lines
    assert ("Incomplete run: session stopped early (stopping after 1 failures); "
            "3 check(s) not run") in lines


def test_a_check_missing_from_the_rubric_is_informational(suite: pytest.Pytester) -> None:
    suite.makepyfile(**{"tests/provision/test_volumes": "def test_extra():\n    assert False\n"})
    result = suite.runpytest("--lang", "en")
    assert result.ret == 0  # pytest alone would say 1: the failing check is not counted
    result.stdout.fnmatch_lines(["*failed*-*volumes.extra (not counted)*", "Score: 10/10"])


# --- exit status and --grade-min ---------------------------------------------


@pytest.mark.parametrize(
    ("minimum", "ret", "line"),
    [
        (None, 1, "minimum 7/10 not reached"),
        ("7", 0, "minimum 7/10 reached"),
        ("70%", 0, "minimum 7/10 reached"),
        ("7.5", 1, "minimum 7.5/10 not reached"),
    ],
)
def test_grade_min(suite: pytest.Pytester, minimum: str | None, ret: int, line: str) -> None:
    write_checks(suite, app_connected="fail")
    args = ["--lang", "en"] + (["--grade-min", minimum] if minimum else [])
    result = suite.runpytest(*args)
    if minimum is None:
        line = "minimum 10/10 not reached"
    assert result.ret == ret
    assert line in summary(result)


def test_grade_min_from_ini(suite: pytest.Pytester) -> None:
    write_checks(suite, app_connected="fail")
    result = suite.runpytest("-o", "grading_min=50%")
    assert result.ret == 0


def test_partial_selection_is_said_and_graded_out_of_the_selected(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--lang", "en", "-k", "dns_alias")
    lines = summary(result)
    assert "Score: 2/2" in lines
    assert "Incomplete run: partial selection: 1 of 5 checks, graded out of these only" in lines
    assert "prerequisite(s) not selected, assumed to pass: networks.alias" in lines
    assert result.ret == 0


def test_no_graded_item_no_summary_and_pytest_exit_status(suite: pytest.Pytester) -> None:
    suite.makepyfile(test_plain="def test_plain():\n    assert False\n")
    result = suite.runpytest("test_plain.py")
    assert result.ret == 1
    assert "mobygrade" not in result.stdout.str()
    assert not (suite.path / "report.json").exists()


def test_collect_only_prints_no_grade(suite: pytest.Pytester) -> None:
    result = suite.runpytest("--collect-only", "-q")
    assert result.ret == 0
    assert "mobygrade" not in result.stdout.str()


# --- bad input: one line, exit 4, nothing collected --------------------------


BAD_INPUTS = [
    ({"rubric.toml": "points = ["}, [], "rubric.toml:", "not valid TOML"),
    ({"rubric.toml": RUBRIC + '[provision."networks.nope"]\npoints = 1\n'}, [],
     "rubric", "unknown check id 'networks.nope': no `def test_nope`"),
    ({"rubric.toml": RUBRIC.replace("points = 3\nrequires", "points = -3\nrequires")}, [],
     "rubric", "negative points"),
    ({"rubric.toml": RUBRIC + '[provision."networks.moby_counter2_network".x]\n'}, [],
     "rubric", "unknown key 'x'"),
    ({"rubric.toml": RUBRIC.replace('points = 2\n[provision."networks.alias"]',
                                    'points = 2\nrequires = ["networks.dns_alias"]\n'
                                    '[provision."networks.alias"]')}, [],
     "rubric", "prerequisite cycle"),
    ({}, ["--rubric", "missing.toml"], "rubric", "missing.toml: no such file"),
    # the options' mistakes are said in the run's language (French here: LANG=fr_FR)
    ({}, ["--grade-report", "pdf:grade.pdf"], "--grade-report", "format inconnu 'pdf'"),
    ({}, ["--grade-report", "json"], "--grade-report", "FORMAT:CHEMIN attendu"),
    ({"afile": "x"}, ["--grade-report", "json:afile/grade.json"], "--grade-report",
     "impossible d'écrire"),
    ({}, ["--grade-report", "json:catalog"], "--grade-report", "c'est un répertoire"),
    ({}, ["--lang", "de"], "--lang", "langue inconnue 'de'"),
    ({}, ["-o", "grading_lang=es"], "grading_lang (ini)", "langue inconnue 'es'"),
    ({}, ["--grade-min", "lots"], "--grade-min", "n'est ni un nombre de points"),
    ({"catalog/provision.toml": '["networks.alias"]\ntitle = "x"\n'}, [], "catalog",
     "title must be"),
    ({"catalog/messages.toml": '["provision.x"]\nfr = "aucun réseau {name}"\n'}, [],
     "messages", '["provision.x"] has no en text'),
    ({"catalog/messages.toml": '["provision.x"]\nfr = "aucun {name}"\nen = "no {who}"\n'}, [],
     "messages", "fr and en use different values"),
]


@pytest.mark.parametrize(("files", "args", "names", "problem"), BAD_INPUTS)
def test_bad_input_is_one_line_exit_4_before_collection(
    suite: pytest.Pytester, files: dict[str, str], args: list[str], names: str, problem: str
) -> None:
    for name, text in files.items():
        (suite.path / name).write_text(text, encoding="utf-8")
    result = suite.runpytest(*args)
    assert result.ret == 4
    errors = [line for line in result.errlines if line.strip()]
    assert len(errors) == 1, errors
    assert errors[0].startswith("ERROR: ") and names in errors[0] and problem in errors[0]
    assert "collected" not in result.stdout.str() and not ran(suite)


@pytest.mark.parametrize(("args", "problem"), [
    (["--grade-report", "pdf:grade.pdf", "--lang", "en"], "unknown format 'pdf'"),
    (["--grade-min", "lots", "-o", "grading_lang=en"], "is not a number of points"),
    (["--lang", "de"], "langue inconnue 'de'"),  # not a language: the locale's (French)
])
def test_an_option_mistake_is_said_in_the_run_language(
    suite: pytest.Pytester, args: list[str], problem: str
) -> None:
    result = suite.runpytest(*args)
    errors = [line for line in result.errlines if line.strip()]
    assert result.ret == 4 and len(errors) == 1 and problem in errors[0], errors


def test_bad_input_in_a_real_process_has_no_traceback(suite: pytest.Pytester) -> None:
    (suite.path / "rubric.toml").write_text(RUBRIC + '[provision."networks.nope"]\npoints = 1\n')
    result = suite.runpytest_subprocess("--grade-report", "json:grade.json")
    assert result.ret == 4
    expected = (
        f"ERROR: rubric {suite.path / 'rubric.toml'}: [provision.\"networks.nope\"] unknown check "
        "id 'networks.nope': no `def test_nope` in tests/provision/test_networks.py"
    )
    assert [line for line in result.errlines if line.strip()] == [expected]
    assert "Traceback" not in result.stdout.str() and not (suite.path / "grade.json").exists()


def test_a_message_missing_a_language_in_a_real_process_is_exit_4_naming_it(
        suite: pytest.Pytester) -> None:
    """Bad input of issue 10: a catalog sentence without English stops the run before it starts."""
    (suite.path / "catalog" / "messages.toml").write_text(
        '["provision.network_missing"]\nfr = "aucun réseau nommé {name}"\n', encoding="utf-8")
    result = suite.runpytest_subprocess("--grade-report", "json:grade.json")
    assert result.ret == 4
    errors = [line for line in result.errlines if line.strip()]
    expected = (f"ERROR: messages {suite.path / 'catalog' / 'messages.toml'}: "
                '["provision.network_missing"] has no en text')
    assert errors == [expected], errors
    assert "Traceback" not in result.stdout.str() and not (suite.path / "grade.json").exists()
    assert not ran(suite)


@pytest.mark.parametrize(("lang", "shown"), [("fr", "aucun réseau nommé moby-counter2"),
                                              ("en", "no network named moby-counter2")])
def test_a_catalog_sentence_is_shown_in_the_run_language(
        suite: pytest.Pytester, lang: str, shown: str) -> None:
    """A check's says(...) message, a fact and a drift note: in the summary and the JSON report."""
    from selftest.language import leaks_in

    (suite.path / "catalog" / "messages.toml").write_text(
        '["provision.network_missing"]\n'
        'fr = "aucun réseau nommé {name}"\nen = "no network named {name}"\n'
        '["provision.fact"]\nfr = "le moteur répond en {ms} ms"\nen = "the engine answers in {ms} ms"\n',
        encoding="utf-8")
    body = ("    request.node.user_properties.append((FACT_KEY, says('provision.fact', ms=3)))\n"
            "    raise CheckFailed(says('provision.network_missing', name='moby-counter2'))\n")
    suite.makepyfile(**{"tests/provision/test_networks": HEADER.replace(
        "partial", "partial, says") + "\n\n".join(
        f"def test_{name}(request):\n" + (body if name == "moby_counter2_network" else "    pass\n")
        for name in ORDER)})
    result = suite.runpytest(f"--lang={lang}", "--grade-report", "json:grade.json")
    out = result.stdout.str()
    assert shown in out, out
    report = (suite.path / "grade.json").read_text(encoding="utf-8")
    assert shown in report
    assert ("3 ms" in out) and ("répond" in out) == (lang == "fr"), out
    said = [text for check in json.loads(report)["checks"]
            for text in [check["message"], *check["facts"]]]  # this fake catalog's titles are French
    assert leaks_in([("said", "\n".join(said))], lang) == []


def test_help_works_with_a_broken_rubric(suite: pytest.Pytester) -> None:
    (suite.path / "rubric.toml").write_text("points = [")
    result = suite.runpytest("--help")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*--grade-report=FORMAT:PATH*"])


# --- reports -----------------------------------------------------------------


def report_paths(suite: pytest.Pytester, out: str = "out") -> dict[str, Path]:
    """One path per format under ``out/``, none of which exists yet."""
    paths = {fmt: suite.path / out / name for fmt, name in (
        ("json", "grade.json"), ("gradescope", "results.json"), ("classroom", "classroom.b64"),
        ("junit", "junit.xml"), ("markdown", "grade.md"))}
    assert not any(path.exists() for path in paths.values()), out
    return paths


def report_args(paths: dict[str, Path]) -> list[str]:
    return [a for fmt, path in paths.items() for a in ("--grade-report", f"{fmt}:{path}")]


def run_with_reports(suite: pytest.Pytester, *args: str, out: str = "out",
                     subprocess: bool = False) -> tuple[pytest.RunResult, dict[str, Path]]:
    paths = report_paths(suite, out)
    run = suite.runpytest_subprocess if subprocess else suite.runpytest
    return run(*report_args(paths), *args), paths


def read_reports(paths: dict[str, Path]) -> dict[str, object]:
    """The five reports, parsed: json and gradescope dicts, classroom decoded, junit root,
    markdown text. Each must exist, parse and (Gradescope, Classroom) validate."""
    assert all(path.is_file() for path in paths.values()), paths
    gradescope = json.loads(paths["gradescope"].read_text(encoding="utf-8"))
    classroom = validate.decode_classroom(paths["classroom"].read_text(encoding="utf-8"))
    assert validate.gradescope_problems(gradescope) == []
    assert validate.classroom_problems(classroom) == []
    return {
        "json": json.loads(paths["json"].read_text(encoding="utf-8")),
        "gradescope": gradescope,
        "classroom": classroom,
        "junit": ET.parse(paths["junit"]).getroot(),
        "markdown": paths["markdown"].read_text(encoding="utf-8"),
    }


def read_scores(paths: dict[str, Path]) -> dict[str, dict[str, float]]:
    own = json.loads(paths["json"].read_text())
    gradescope = json.loads(paths["gradescope"].read_text())
    classroom = validate.decode_classroom(paths["classroom"].read_text())
    junit = ET.parse(paths["junit"]).getroot()
    assert validate.gradescope_problems(gradescope) == []
    assert validate.classroom_problems(classroom) == []
    props = [{p.get("name"): p.get("value") for p in case.iter("property")}
             for case in junit.iter("testcase")]
    suite_props = {p.get("name"): p.get("value") for p in junit.find("testsuite/properties")}
    return {
        "json": {**{c["id"]: c["score"] for c in own["checks"]}, "total": own["score"]},
        "gradescope": {**{t["extra_data"]["check_id"]: t["score"] for t in gradescope["tests"]},
                       "total": gradescope["score"]},
        "classroom": {**{t["name"].split("[")[-1].rstrip("]"): t["score"]
                         for t in classroom["tests"]},
                      "total": sum(t["score"] for t in classroom["tests"])},
        "junit": {**{p["check_id"]: float(p["score"]) for p in props},
                  "total": float(suite_props["score"])},
    }


def test_one_run_five_reports_agree_with_the_terminal(suite: pytest.Pytester) -> None:
    write_checks(suite, alias="partial", app_connected="fail")
    result, paths = run_with_reports(suite, "--lang", "en")
    assert result.ret == 1
    scores = read_scores(paths)
    assert scores["json"]["networks.alias"] == 1.5
    for fmt in ("gradescope", "classroom", "junit"):
        assert scores[fmt] == scores["json"], fmt
    assert "Score: 3.5/10" in summary(result)  # 2 + 1.5, dns_alias blocked, app_connected 0
    assert "**Score: 3.5/10**" in paths["markdown"].read_text()
    own = json.loads(paths["json"].read_text())
    assert own["schema_version"] == 1 and own["mode"] == "provision" and own["lab"] == "fake-lab"
    assert own["suite_fingerprint"].startswith("sha256:")
    for check in own["checks"]:
        if check["status"] != "passed":
            assert check["hint"], check["id"]
    workflow_line = (
        'GitHub Classroom, in the workflow: echo "result=$(cat out/classroom.b64)" >> '
        '"$GITHUB_OUTPUT"'
    )
    result.stdout.fnmatch_lines(["json report: out/grade.json", workflow_line])


def test_hints_exist_in_both_languages(suite: pytest.Pytester) -> None:
    write_checks(suite, app_connected="fail")
    hints = {}
    for lang in ("fr", "en"):
        out = suite.path / f"{lang}.json"
        suite.runpytest("--lang", lang, "--grade-report", f"json:{out}")
        check = next(c for c in json.loads(out.read_text())["checks"]
                     if c["id"] == "networks.app_connected")
        hints[lang] = check["hint"]
    assert hints["fr"].startswith("Indice app_connected") and hints["en"].startswith("Hint ")


@pytest.mark.parametrize("kind", ["hinted", "blocked_hinted"])
def test_a_check_may_give_the_hint_that_fits_the_host(suite: pytest.Pytester, kind: str) -> None:
    """CheckFailed/CheckBlocked(hint=...) replaces the catalog's hint for that check only; a
    check blocked by its prerequisite keeps the catalog's."""
    write_checks(suite, moby_counter2_network=kind, app_connected="fail")
    out = suite.path / "r.json"
    suite.runpytest("--lang", "en", "--grade-report", f"json:{out}")
    checks = {c["id"]: c for c in json.loads(out.read_text())["checks"]}
    assert checks["networks.moby_counter2_network"]["hint"] == "docker container start redis"
    assert checks["networks.moby_counter2_network"]["status"] == (
        "failed" if kind == "hinted" else "blocked")
    assert checks["networks.alias"]["hint"].startswith("Hint alias")
    assert checks["networks.app_connected"]["hint"].startswith("Hint app_connected")


def test_github_output_and_step_summary(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    output = suite.path / "github_output"
    step_summary = suite.path / "step_summary.md"
    step_summary.write_text("earlier step text\n")
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step_summary))
    result = suite.runpytest("--lang", "en", "--grade-report", "classroom:c.b64",
                             "--grade-report", f"markdown:{step_summary}")
    assert result.ret == 0
    encoded = (suite.path / "c.b64").read_text().strip()
    assert output.read_text() == f"result={encoded}\n"
    assert json.loads(base64.b64decode(encoded))["status"] == "pass"
    text = step_summary.read_text()
    assert text.startswith("earlier step text\n") and "**Score: 10/10**" in text
    result.stdout.fnmatch_lines(["GitHub Classroom: result appended to $GITHUB_OUTPUT*"])


def test_fingerprint_tells_a_modified_suite(suite: pytest.Pytester) -> None:
    def fingerprint() -> str:
        suite.runpytest("--grade-report", "json:fp.json")
        return str(json.loads((suite.path / "fp.json").read_text())["suite_fingerprint"])

    first = fingerprint()
    assert fingerprint() == first
    write_checks(suite, alias="pass", order=ORDER[::-1])
    second = fingerprint()
    assert second != first
    (suite.path / "rubric.toml").write_text(RUBRIC.replace("points = 3", "points = 4", 1))
    assert fingerprint() != second


def test_run_info_from_fixtures_reaches_the_report(suite: pytest.Pytester) -> None:
    suite.makeconftest(
        "import pytest\nfrom grading.api import RUN_INFO_KEY\n"
        "@pytest.fixture(autouse=True)\ndef _info(pytestconfig):\n"
        "    info = pytestconfig.stash.setdefault(RUN_INFO_KEY, {})\n"
        "    info['images'] = {'redis': 'redis:alpine'}\n"
        "    info['engine_version'] = '20.10.24'\n"
    )
    for args in ((), ("-n", "2")):
        out = suite.path / f"info{len(args)}.json"  # fresh per run: each must write its own
        assert not out.exists()
        result = suite.runpytest_subprocess("--grade-report", f"json:{out}", *args)
        assert result.ret == 0, result.stdout.str()
        report = json.loads(out.read_text())
        assert report["images"] == {"redis": "redis:alpine"}, args
        assert report["engine_version"] == "20.10.24", args


# --- terminal: -q, NO_COLOR, xdist -------------------------------------------


def test_quiet_keeps_the_summary(suite: pytest.Pytester) -> None:
    write_checks(suite, app_connected="fail")
    for flag in ("-q", "-qq"):
        result = suite.runpytest(flag, "--lang", "en")
        lines = summary(result)
        assert "Score: 7/10" in lines and "Networks: 7/10" in lines
        assert any("Title app_connected" in line for line in lines)
        if flag == "-qq":
            assert not any("Title alias" in line for line in lines)  # passed: hidden


def test_no_color(suite: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    write_checks(suite, app_connected="fail")
    monkeypatch.setenv("FORCE_COLOR", "1")
    coloured = suite.runpytest_subprocess("--lang", "en")
    assert "\x1b[" in "\n".join(summary(coloured, keep_colour=True))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR")
    plain = suite.runpytest_subprocess("--lang", "en")
    assert "\x1b[" not in plain.stdout.str()
    assert summary(coloured) == summary(plain)  # marks are words: nothing is lost


def test_xdist_gives_the_same_grade(suite: pytest.Pytester) -> None:
    """The parallel run writes its own five reports (fresh paths: a run that wrote nothing
    cannot pass on the serial run's files) and they say what the serial run's say."""
    # pytest-xdist is a dev dependency (pyproject's dev extra, installed by tox).
    write_checks(suite, moby_counter2_network="fail", app_connected="partial")
    serial, serial_paths = run_with_reports(suite, "--lang", "en", out="serial")
    parallel, parallel_paths = run_with_reports(suite, "--lang", "en", "-n", "2",
                                                out="parallel", subprocess=True)
    assert parallel.ret == serial.ret == 1
    assert "2 workers" in parallel.stdout.str()  # it did run in parallel
    assert read_scores(parallel_paths) == read_scores(serial_paths)
    serial_reports, parallel_reports = read_reports(serial_paths), read_reports(parallel_paths)

    def comparable(report: object) -> object:
        data = json.loads(json.dumps(report))
        for key in ("started_at", "duration_s"):
            data.pop(key)
        for check in data["checks"]:
            check.pop("duration_s")
        return data

    assert comparable(parallel_reports["json"]) == comparable(serial_reports["json"])
    statuses = {c["id"]: c["status"] for c in parallel_reports["json"]["checks"]}
    assert statuses == {"networks.moby_counter2_network": "failed", "networks.alias": "blocked",
                        "networks.dns_alias": "blocked", "networks.app_connected": "failed",
                        "networks.bridge_info": "passed"}
    assert parallel_reports["json"]["incomplete"] is None
    assert parallel_reports["markdown"] == serial_reports["markdown"]
    assert [t["output"] for t in parallel_reports["gradescope"]["tests"]] == \
        [t["output"] for t in serial_reports["gradescope"]["tests"]]
    lines = summary(parallel)
    assert "Score: 1.5/10" in lines
    assert sum("mobygrade: grade" in line for line in parallel.outlines) == 1
    assert any(line.strip() == "blocked by networks.moby_counter2_network" for line in lines)


# --- CheckBlocked ------------------------------------------------------------


def test_check_blocked_in_the_summary_and_every_report(suite: pytest.Pytester) -> None:
    """A check that could not measure (CheckBlocked) is ``blocked`` with its reason, 0 points,
    everywhere; ``by`` is carried as ``blocked_by``; its dependents in the rubric are blocked."""
    write_checks(suite, moby_counter2_network="blocked", app_connected="blocked_by")
    result, paths = run_with_reports(suite, "--lang", "en")
    assert result.ret == 1
    lines = summary(result)
    first = next(i for i, line in enumerate(lines) if "Title moby_counter2_network" in line)
    assert re.search(r"blocked +0/2 +Title moby_counter2_network", lines[first])
    assert lines[first + 1].strip() == "container stopped"
    app = next(i for i, line in enumerate(lines) if "Title app_connected" in line)
    assert re.search(r"blocked +0/3", lines[app]) and lines[app + 1].strip() == "container stopped"
    assert any(line.strip() == "blocked by networks.moby_counter2_network" for line in lines)
    assert "Score: 0/10" in lines
    assert "alias" not in ran(suite) and "dns_alias" not in ran(suite)  # dependents never ran

    reports = read_reports(paths)
    checks = {c["id"]: c for c in reports["json"]["checks"]}  # type: ignore[index]
    stopped = checks["networks.moby_counter2_network"]
    assert (stopped["status"], stopped["message"], stopped["blocked_by"], stopped["score"]) == \
        ("blocked", "container stopped", None, 0)
    by_step = checks["networks.app_connected"]
    assert (by_step["status"], by_step["message"], by_step["blocked_by"]) == \
        ("blocked", "container stopped", "step a")
    for dependent, prereq in (("alias", "moby_counter2_network"), ("dns_alias", "alias")):
        check = checks[f"networks.{dependent}"]
        assert (check["status"], check["blocked_by"]) == ("blocked", f"networks.{prereq}")
        assert check["message"] == f"blocked by networks.{prereq}"
    junit = reports["junit"]
    cases = {c.get("name"): c for c in junit.iter("testcase")}  # type: ignore[attr-defined]
    for name in ("test_moby_counter2_network", "test_app_connected"):
        skipped = cases[name].find("skipped")
        assert skipped is not None and skipped.get("message") == "container stopped", name
        props = {p.get("name"): p.get("value") for p in cases[name].iter("property")}
        assert props["status"] == "blocked" and props["score"] == "0"
    assert cases["test_alias"].find("skipped") is not None
    tests = {t["extra_data"]["check_id"]: t for t in reports["gradescope"]["tests"]}  # type: ignore[index]
    for check_id in ("networks.moby_counter2_network", "networks.app_connected"):
        test = tests[check_id]
        assert test["extra_data"]["status"] == "blocked" and test["score"] == 0
        assert test["status"] == "failed" and "container stopped" in test["output"]
    assert "blocked by networks.moby_counter2_network" in tests["networks.alias"]["output"]
    classroom = {t["name"]: t for t in reports["classroom"]["tests"]}  # type: ignore[index]
    stopped_test = classroom["Title moby_counter2_network [networks.moby_counter2_network]"]
    assert stopped_test["status"] == "fail" and "container stopped" in stopped_test["message"]
    rows = [line for line in str(reports["markdown"]).splitlines()
            if "moby_counter2_network`" in line and line.startswith("|")]
    assert len(rows) == 1 and "blocked" in rows[0] and "container stopped" in rows[0]


# --- incomplete runs: -x, Ctrl-C, -k -----------------------------------------


def assert_incomplete(paths: dict[str, Path], cause: str, not_run: list[str]) -> None:
    """Every report says the run is incomplete, why, and which checks did not run."""
    reports = read_reports(paths)
    own = reports["json"]
    assert isinstance(own, dict)
    assert own["incomplete"] is not None, own
    assert cause in own["incomplete"]["causes"] and own["incomplete"]["reason"]
    assert own["incomplete"]["not_run"] == not_run
    reason = own["incomplete"]["reason"]
    gradescope = reports["gradescope"]
    assert isinstance(gradescope, dict)
    assert f"Incomplete run: {reason}" in gradescope["output"]
    assert gradescope["extra_data"]["incomplete"] == own["incomplete"]
    classroom = reports["classroom"]
    assert isinstance(classroom, dict) and classroom["status"] == "error"
    junit = reports["junit"]
    suite_props = {p.get("name"): p.get("value")
                   for p in junit.find("testsuite/properties")}  # type: ignore[union-attr]
    assert suite_props["incomplete"] == reason
    assert suite_props["not_run"] == ",".join(not_run)
    assert f"> Incomplete run: {reason}" in str(reports["markdown"])
    # A check that did not run says "not run" only: no hint, no lab step, anywhere.
    for check in own["checks"]:
        if check["status"] != "notrun":
            continue
        assert check["message"] == "not run: the session stopped before it" and not check["hint"]
        test = next(t for t in gradescope["tests"] if t["extra_data"]["check_id"] == check["id"])
        assert test["output"] == check["message"], test
        entry = next(t for t in classroom["tests"] if t["name"].endswith(f"[{check['id']}]"))
        assert entry["message"] == check["message"]
        case = next(c for c in junit.iter("testcase")  # type: ignore[attr-defined]
                    if c.get("name") == "test_" + check["id"].split(".")[1])
        skipped = case.find("skipped")
        assert skipped is not None and skipped.text == check["message"]
        row = next(line for line in str(reports["markdown"]).splitlines()
                   if line.startswith("|") and f"{check['id']}`" in line)
        assert "not run" in row and "Hint" not in row and "Lab step" not in row


def test_x_stop_makes_every_report_incomplete(suite: pytest.Pytester) -> None:
    write_checks(suite, order=("app_connected", "moby_counter2_network", "alias", "dns_alias",
                               "bridge_info"), moby_counter2_network="fail")
    result, paths = run_with_reports(suite, "-x", "--lang", "en")
    assert result.ret == 1
    assert_incomplete(paths, "stopped", ["networks.alias", "networks.dns_alias",
                                         "networks.bridge_info"])
    own = json.loads(paths["json"].read_text())
    assert own["incomplete"]["causes"] == ["stopped", "not_run"]
    assert "stopping after 1 failures" in own["incomplete"]["reason"]
    assert {c["id"]: c["status"] for c in own["checks"]}["networks.bridge_info"] == "notrun"


def test_interrupt_makes_every_report_incomplete(suite: pytest.Pytester) -> None:
    """Ctrl-C during a check (a KeyboardInterrupt): exit 2, the reports written, incomplete."""
    write_checks(suite, app_connected="interrupt")
    result, paths = run_with_reports(suite, "--lang", "en", subprocess=True)
    assert result.ret == 2
    assert_incomplete(paths, "interrupted", ["networks.app_connected", "networks.bridge_info"])
    own = json.loads(paths["json"].read_text())
    assert own["incomplete"]["causes"] == ["interrupted", "not_run"]
    assert own["incomplete"]["reason"] == "session interrupted (Ctrl-C); 2 check(s) not run"
    assert "Incomplete run: session interrupted (Ctrl-C); 2 check(s) not run" in summary(result)


def test_interrupt_in_french(suite: pytest.Pytester) -> None:
    write_checks(suite, app_connected="interrupt")
    result, paths = run_with_reports(suite, subprocess=True)
    assert result.ret == 2
    own = json.loads(paths["json"].read_text())
    assert own["incomplete"]["reason"] == \
        "session interrompue (Ctrl-C); 2 vérification(s) non exécutée(s)"
    assert any(line.startswith("Évaluation incomplète : session interrompue")
               for line in summary(result))
    assert "Non exécutées : `networks.app_connected`" in paths["markdown"].read_text()


def test_partial_selection_makes_every_report_incomplete(suite: pytest.Pytester) -> None:
    result, paths = run_with_reports(suite, "--lang", "en", "-k", "dns_alias")
    assert result.ret == 0  # out of the selected checks: full marks
    assert_incomplete(paths, "partial_selection",
                      ["networks.moby_counter2_network", "networks.alias",
                       "networks.app_connected", "networks.bridge_info"])


def test_a_complete_run_is_not_incomplete(suite: pytest.Pytester) -> None:
    result, paths = run_with_reports(suite, "--lang", "en")
    assert result.ret == 0
    reports = read_reports(paths)
    assert reports["json"]["incomplete"] is None  # type: ignore[index]
    assert reports["classroom"]["status"] == "pass"  # type: ignore[index]
    assert "Incomplete" not in str(reports["markdown"])
    assert "Incomplete" not in reports["gradescope"]["output"]  # type: ignore[index]
    assert not any("Incomplete" in line for line in summary(result))


# --- every word of the summary and the reports in the run's language --------------------

SENTENCES = '''
["provision.network_missing"]
fr = "attendu : un réseau nommé {name} ; trouvé : aucun"
en = "expected a network named {name}, found none"
["provision.alias_missing"]
fr = "redis2 n'a pas l'alias {alias}"
en = "redis2 has no alias {alias}"
["provision.no_volume"]
fr = "{image} ne déclare pas VOLUME /data"
en = "{image} declares no VOLUME /data"
["provision.engine"]
fr = "le moteur répond en {ms} ms"
en = "the engine answers in {ms} ms"
'''


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_failed_blocked_partial_and_partial_selection_read_in_the_run_language(
        suite: pytest.Pytester, lang: str) -> None:
    """The summary's words around the catalog's (expected/found, blocked by, Info, drift,
    partial selection, incomplete), in the terminal, the JSON and the Markdown reports."""
    from selftest.language import leaks_in

    (suite.path / "catalog" / "messages.toml").write_text(SENTENCES, encoding="utf-8")
    quoted = re.sub(r'lab_step = "Réseaux · étape (\w+)"',  # the handout's words, quoted
                    r'lab_step = "Réseaux · « étape \1 »"', CATALOG)
    (suite.path / "catalog" / "provision.toml").write_text(quoted, encoding="utf-8")
    bodies = {
        "moby_counter2_network": "raise CheckFailed(says('provision.network_missing', "
                                 "name='moby-counter2'))",
        "alias": "pass",
        "dns_alias": "pass",
        "app_connected": "request.node.user_properties.append((FACT_KEY, says('provision.engine', "
                         "ms=3)))\n    partial(0.5, says('provision.alias_missing', alias='redis'))",
        "bridge_info": "request.node.user_properties.append((DRIFT_KEY, says("
                       "'provision.no_volume', image='redis:8')))\n    pass",
    }
    suite.makepyfile(**{"tests/provision/test_networks": HEADER.replace(
        "partial", "partial, says") + "\n\n".join(
        f"def test_{name}(request):\n    {body}\n" for name, body in bodies.items())})
    result = suite.runpytest(f"--lang={lang}", "-k", "not dns_alias",
                             "--grade-report", "json:grade.json",
                             "--grade-report", "markdown:grade.md")
    assert result.ret == 1, result.stdout.str()
    out = result.stdout.str()
    assert ("sélection partielle" if lang == "fr" else "partial selection") in out
    assert ("bloqué par" if lang == "fr" else "blocked by") in out
    texts = [("output", out),
             ("grade.json", (suite.path / "grade.json").read_text(encoding="utf-8")),
             ("grade.md", (suite.path / "grade.md").read_text(encoding="utf-8"))]
    assert leaks_in(texts, lang) == []

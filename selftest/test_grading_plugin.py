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
    "fixture_fail": "student_object()",
    "fixture_error": "broken_fixture()",
}

HEADER = '''
import os
import pytest
from grading.api import CheckFailed, DRIFT_KEY, FACT_KEY, partial

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
    text = "\n".join(summary(result))
    assert re.search(r"passed +3/3 +Title app_connected", text)
    assert re.search(r"blocked +0/3 +Title alias", text)
    assert re.search(r"skipped +- +Title bridge_info", text)
    assert "not run: the session stopped before it" in text
    assert "Score: 3/10" in text


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
    assert "partial selection: 1 of 5 checks, graded out of these only" in lines
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
    ({}, ["--grade-report", "pdf:grade.pdf"], "--grade-report", "unknown format 'pdf'"),
    ({}, ["--grade-report", "json"], "--grade-report", "expected FORMAT:PATH"),
    ({"afile": "x"}, ["--grade-report", "json:afile/grade.json"], "--grade-report",
     "cannot write"),
    ({}, ["--grade-report", "json:catalog"], "--grade-report", "is a directory"),
    ({}, ["--lang", "de"], "--lang", "unknown language 'de'"),
    ({}, ["-o", "grading_lang=es"], "grading_lang (ini)", "unknown language 'es'"),
    ({}, ["--grade-min", "lots"], "--grade-min", "not a number of points"),
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
    assert errors == [f"ERROR: messages {suite.path / 'catalog' / 'messages.toml'}: "
                      '["provision.network_missing"] has no en text'], errors
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


def run_with_reports(suite: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict[str, Path]]:
    paths = {fmt: suite.path / "out" / name for fmt, name in (
        ("json", "grade.json"), ("gradescope", "results.json"), ("classroom", "classroom.b64"),
        ("junit", "junit.xml"), ("markdown", "grade.md"))}
    reports = [a for fmt, path in paths.items() for a in ("--grade-report", f"{fmt}:{path}")]
    return suite.runpytest(*reports, *args), paths


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
        out = suite.path / "info.json"
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
    # pytest-xdist is a dev dependency (pyproject's dev extra, installed by tox).
    write_checks(suite, moby_counter2_network="fail", app_connected="partial")
    serial, serial_paths = run_with_reports(suite, "--lang", "en")
    serial_scores = read_scores(serial_paths)
    parallel = suite.runpytest_subprocess(
        "--lang", "en", "-n", "2",
        *[a for fmt, path in serial_paths.items() for a in ("--grade-report", f"{fmt}:{path}")],
    )
    assert parallel.ret == serial.ret == 1
    assert read_scores(serial_paths) == serial_scores
    lines = summary(parallel)
    assert "Score: 1.5/10" in lines
    assert sum("mobygrade: grade" in line for line in parallel.outlines) == 1
    assert any(line.strip() == "blocked by networks.moby_counter2_network" for line in lines)

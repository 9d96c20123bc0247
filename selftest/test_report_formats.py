"""The renderers, as pure functions of one GradeResult: the five reports agree on every
score, fractions are exact, zero-point checks are safe, and the Gradescope and Classroom
outputs satisfy those platforms' published field lists."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from grading import validate
from grading.catalog import Catalog, parse_catalog
from grading.render.junit import render_junit
from grading.render.platforms import render_classroom, render_gradescope, render_json
from grading.render.text import render_markdown, terminal_lines
from grading.rubric import parse_rubric
from grading.scoring import GradeResult, ItemOutcome, RunMeta, grade

REPO = Path(__file__).resolve().parents[1]

RUBRIC = '''
lab = "docker-3-reseaux-volumes"
[categories]
networks = { fr = "Réseaux", en = "Networks" }
volumes = { fr = "Volumes", en = "Volumes" }
[inspect."networks.moby_counter2_network"]
points = 2
[inspect."networks.alias"]
points = 3
requires = ["networks.moby_counter2_network"]
[inspect."networks.dns_alias"]
points = 2
requires = ["networks.alias"]
[inspect."networks.drift"]
points = 0
[inspect."volumes.redis_data"]
points = 2
visibility = "after_published"
[inspect."volumes.readonly"]
points = 1
'''

CATALOG = '''
["networks.alias"]
lab_step = "Réseaux · « Créons un deuxième redis avec le même domaine »"
title = { fr = "redis2 porte l'alias redis", en = "redis2 carries the alias redis" }
hint = { fr = "docker container run -d --name redis2 --network moby-counter2 --network-alias redis redis:alpine", en = "docker container run -d --name redis2 --network moby-counter2 --network-alias redis redis:alpine" }
'''


def _outcome(check_id: str, status: str, fraction: float = 0.0, message: str = "",
             **extra: object) -> ItemOutcome:
    part, name = check_id.split(".")
    return ItemOutcome(f"tests/inspect/test_{part}.py::test_{name}", "inspect", check_id,
                       status, fraction, message, 0.25, filename=f"tests/inspect/test_{part}.py",
                       line_no=10, **extra)  # type: ignore[arg-type]


def sample(lang: str = "en") -> GradeResult:
    rubric = parse_rubric(RUBRIC, "rubric.toml")
    catalog = Catalog(parse_catalog(CATALOG, "inspect", "inspect.toml"))
    meta = RunMeta(lab=rubric.lab, mode="inspect", checkpoint="networks", lang=lang,
                   docker_host="unix:///var/run/docker.sock", engine_version="20.10.24",
                   images={"redis": "redis:alpine"}, started_at="2026-01-01T00:00:00Z",
                   duration_s=3.2, fingerprint="sha256:abc")
    return grade([
        _outcome("networks.moby_counter2_network", "passed"),
        _outcome("networks.alias", "failed", 0.5, "expected alias redis, found redis2 without it"),
        _outcome("networks.dns_alias", "passed"),  # blocked: its prerequisite is only partial
        _outcome("networks.drift", "passed", notes=("redis:alpine 8 has no VOLUME /data",)),
        _outcome("volumes.redis_data", "failed", 0.0, "expected volume redis_data, found none"),
        _outcome("volumes.readonly", "error", 0.0, "KeyError: 'Mounts'"),
    ], rubric, catalog, meta)


def _scores_from_all(result: GradeResult) -> dict[str, dict[str, float]]:
    """check id -> score, and the total, read back from each of the five reports."""
    own = json.loads(render_json(result))
    gradescope = json.loads(render_gradescope(result))
    classroom = validate.decode_classroom(render_classroom(result))
    junit = ET.fromstring(render_junit(result))
    markdown = render_markdown(result)

    def junit_props(case: ET.Element) -> dict[str, str]:
        return {p.get("name", ""): p.get("value", "") for p in case.iter("property")}

    suite_props = {p.get("name"): p.get("value") for p in junit.find("testsuite/properties")}
    return {
        "json": {**{c["id"]: c["score"] for c in own["checks"]}, "total": own["score"]},
        "gradescope": {
            **{t["extra_data"]["check_id"]: t["score"] for t in gradescope["tests"]},
            "total": gradescope["score"],
        },
        "classroom": {
            **{t["name"].rsplit("[", 1)[-1].rstrip("]") if "[" in t["name"] else t["name"]:
               t["score"] for t in classroom["tests"]},
            "total": sum(t["score"] for t in classroom["tests"]),
        },
        "junit": {
            **{junit_props(c)["check_id"]: float(junit_props(c)["score"])
               for c in junit.iter("testcase")},
            "total": float(suite_props["score"] or 0),
        },
        "markdown": {"total": result.score if f"Score: {own['score']}/{own['max_score']}"
                     in markdown else -1},
    }


def test_five_reports_agree_on_every_score() -> None:
    result = sample()
    scores = _scores_from_all(result)
    expected = {c.check_id: c.score for c in result.checks}
    assert expected["networks.alias"] == 1.5
    assert expected["networks.dns_alias"] == 0
    for fmt in ("json", "gradescope", "classroom", "junit"):
        assert {k: v for k, v in scores[fmt].items() if k != "total"} == expected, fmt
        assert scores[fmt]["total"] == result.score == 3.5, fmt
    assert scores["markdown"]["total"] == result.score


def test_json_schema_version_1_fields() -> None:
    report = json.loads(render_json(sample()))
    for key in ("schema_version", "lab", "mode", "checkpoint", "docker_host", "engine_version",
                "images", "score", "max_score", "started_at", "duration_s",
                "suite_fingerprint", "checks"):
        assert key in report, key
    assert report["schema_version"] == 1
    assert report["images"] == {"redis": "redis:alpine"}
    assert report["score"] == sum(c["score"] for c in report["checks"])
    for check in report["checks"]:
        assert {"id", "title", "category", "lab_step", "status", "score", "max_score",
                "message", "hint", "duration_s"} <= set(check)
        assert check["status"] in ("passed", "failed", "blocked", "error", "skipped", "notrun")
    drift = next(c for c in report["checks"] if c["id"] == "networks.drift")
    assert drift["notes"] == ["redis:alpine 8 has no VOLUME /data"] and drift["informational"]
    error = next(c for c in report["checks"] if c["id"] == "volumes.readonly")
    assert "the suite's fault" in error["message"] and error["score"] == 0


def test_gradescope_matches_the_published_field_list() -> None:
    payload = json.loads(render_gradescope(sample()))
    assert validate.gradescope_problems(payload) == []
    by_id = {t["extra_data"]["check_id"]: t for t in payload["tests"]}
    zero = by_id["networks.drift"]  # gradescope-utils#31: zero-point checks must not crash
    assert (zero["score"], zero["max_score"], zero["status"]) == (0, 0, "passed")
    assert by_id["networks.alias"]["score"] == 1.5 and by_id["networks.alias"]["status"] == "failed"
    assert by_id["volumes.redis_data"]["visibility"] == "after_published"
    assert [t["number"] for t in payload["tests"]] == ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2"]
    assert "--network-alias redis" in by_id["networks.alias"]["output"]


def test_classroom_matches_the_published_field_list() -> None:
    encoded = render_classroom(sample())
    payload = validate.decode_classroom(encoded)
    assert validate.classroom_problems(payload) == []
    assert payload["max_score"] == 10 and payload["status"] == "fail"
    # The grading reporter's "Points x/y": sum of tests' scores over max_score.
    assert sum(t["score"] for t in payload["tests"]) == 3.5
    statuses = {t["name"]: t["status"] for t in payload["tests"]}
    assert "error" in statuses.values() and "pass" in statuses.values()


def test_validators_catch_broken_payloads() -> None:
    good = json.loads(render_gradescope(sample()))
    broken = dict(good, tests=[dict(good["tests"][0], status="ok", weight=1)], bogus=1)
    problems = validate.gradescope_problems(broken)
    assert any("unknown key 'bogus'" in p for p in problems)
    assert any("status 'ok'" in p for p in problems)
    assert any("unknown key 'weight'" in p for p in problems)
    assert any("differs from the tests' sum" in p for p in problems)
    classroom = validate.decode_classroom(render_classroom(sample()))
    del classroom["tests"][0]["line_no"]
    classroom["tests"][1]["score"] = "1"
    problems = validate.classroom_problems(classroom)
    assert any("missing key 'line_no'" in p for p in problems)
    assert any("score is not a number" in p for p in problems)
    with pytest.raises(ValueError):
        validate.decode_classroom("not base64!")


# The platforms' published field lists, pinned here (in the project, not in notes outside
# the checkout): Gradescope's autograder specification, "Output format" (results.json:
# https://gradescope-autograders.readthedocs.io/en/latest/specs/), and the runner result
# that GitHub Classroom's autograding-grading-reporter decodes (its README's "result" output).
# A change on either side must be a deliberate edit of both this list and grading/validate.py.
PUBLISHED = {
    "GRADESCOPE_TOP": {"score", "execution_time", "output", "output_format", "visibility",
                       "stdout_visibility", "extra_data", "tests", "leaderboard"},
    "GRADESCOPE_TEST": {"score", "max_score", "status", "name", "number", "output",
                        "output_format", "tags", "visibility", "extra_data"},
    "GRADESCOPE_STATUS": {"passed", "failed"},
    "GRADESCOPE_FORMATS": {"text", "simple_format", "md", "html", "ansi"},
    "GRADESCOPE_VISIBILITY": {"hidden", "after_due_date", "after_published", "visible"},
    "CLASSROOM_TOP": {"version", "status", "max_score", "tests"},
    "CLASSROOM_TEST": {"name", "status", "message", "test_code", "filename", "line_no",
                       "duration", "score"},
    "CLASSROOM_STATUS": {"pass", "fail", "error"},
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_field_lists_are_the_published_ones(name: str) -> None:
    """The validators' field lists are exactly the published ones pinned above."""
    assert getattr(validate, name) == PUBLISHED[name]


def test_readme_documents_the_classroom_and_gradescope_fields() -> None:
    """The README's Reports section names every field the reports write."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    reports = readme[readme.index("### Reports"):readme.index("#### JSON report")]
    for field in PUBLISHED["CLASSROOM_TOP"] | PUBLISHED["CLASSROOM_TEST"]:
        assert f'"{field}"' in reports, field
    written = json.loads(render_gradescope(sample()))["tests"][0]
    for field in set(written) - {"extra_data", "output_format"}:
        assert f"`{field}`" in reports, field


def test_junit_testcases_carry_points_as_properties() -> None:
    root = ET.fromstring(render_junit(sample()))
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("6", "2", "1")
    alias = next(c for c in suite.iter("testcase") if c.get("name") == "test_alias")
    props = {p.get("name"): p.get("value") for p in alias.iter("property")}
    assert props == {"check_id": "networks.alias", "score": "1.5", "max_score": "3",
                     "status": "failed", "category": "Networks",
                     "title": "redis2 carries the alias redis"}
    assert alias.get("classname") == "tests.inspect.test_networks"
    failure = alias.find("failure")
    assert failure is not None and "--network-alias redis" in (failure.text or "")


def test_markdown_and_terminal_show_the_score_line_and_hints() -> None:
    markdown = render_markdown(sample("fr"))
    assert "**Note : 3,5/10**" in markdown
    assert "### Réseaux : 3,5/7" in markdown
    assert "partiel | 1,5/3" in markdown
    assert "--network-alias redis" in markdown
    lines = [line.text for line in terminal_lines(sample("en"))]
    assert "Score: 3.5/10" in lines
    assert "minimum 10/10 not reached" in lines
    assert any(line.startswith("  partial  1.5/3  redis2 carries the alias redis") for line in lines)
    assert any("(not counted)" in line for line in lines)
    quiet = [line.text for line in terminal_lines(sample("en"), verbosity=-2)]
    assert not any("networks.moby_counter2_network" in line for line in quiet)  # passed: hidden
    assert "Score: 3.5/10" in quiet


def not_graded(lang: str = "en", midrun: bool = False) -> GradeResult:
    """A host that could not be graded: its engine refused (every check not run) or, with
    ``midrun``, went away after two checks had passed."""
    rubric = parse_rubric(RUBRIC, "rubric.toml")
    catalog = Catalog(parse_catalog(CATALOG, "inspect", "inspect.toml"))
    meta = RunMeta(lab=rubric.lab, mode="inspect", checkpoint="networks", lang=lang,
                   docker_host="tcp://127.0.0.1:1", not_graded="the engine refuses connections",
                   fingerprint="sha256:abc")
    ran = {"networks.moby_counter2_network": "passed", "networks.alias": "failed"} \
        if midrun else {}
    return grade([ItemOutcome("", "inspect", check_id, ran.get(check_id, "notrun"), 0.5)
                  for check_id in ("networks.moby_counter2_network", "networks.alias",
                                   "networks.dns_alias", "networks.drift",
                                   "volumes.redis_data", "volumes.readonly")],
                 rubric, catalog, meta)


@pytest.mark.parametrize("midrun", [False, True])
def test_a_host_not_graded_has_no_score_in_any_report(midrun: bool) -> None:
    """"Not graded", never 0/10 with hints: JSON's scores are null, JUnit's empty; Gradescope
    and Classroom need numbers (0, nothing counted) and say why; people's reports show none."""
    result = not_graded("en", midrun)
    own = json.loads(render_json(result))
    assert own["not_graded"] == {"reason": "the engine refuses connections"}
    assert own["score"] is None and own["min_reached"] is False and own["max_score"] == 10
    assert [c["score"] for c in own["categories"]] == [None, None]
    assert [c["score"] for c in own["checks"]] == [None] * 6
    assert not any(c["hint"] for c in own["checks"])
    gradescope = json.loads(render_gradescope(result))
    assert validate.gradescope_problems(gradescope) == []
    assert gradescope["score"] == 0 and {t["score"] for t in gradescope["tests"]} == {0}
    assert gradescope["output"].startswith("Not graded: the engine refuses connections")
    assert gradescope["extra_data"]["not_graded"] == "the engine refuses connections"
    classroom = validate.decode_classroom(render_classroom(result))
    assert validate.classroom_problems(classroom) == []
    assert classroom["status"] == "error" and {t["score"] for t in classroom["tests"]} == {0}
    assert all(t["test_code"] == "" for t in classroom["tests"])
    junit = ET.fromstring(render_junit(result))
    props = [{p.get("name"): p.get("value") for p in props}
             for props in junit.iter("properties")]
    assert props[0]["score"] == "" and props[0]["not_graded"] == "the engine refuses connections"
    assert [p["score"] for p in props[1:]] == [""] * 6
    assert all(c.get("name") for c in junit.iter("testcase"))
    for text in (render_markdown(result), "\n".join(line.text for line in terminal_lines(result))):
        assert "Not graded: the engine refuses connections" in text
        assert not re.search(r"\d/\d", text), text  # no 0/10, no Networks: 2/7, no 0/3
        assert "Hint" not in text and "--network-alias" not in text
    french = render_markdown(not_graded("fr", midrun))
    assert "Non noté : the engine refuses" in french and "### Réseaux\n" in french
    assert "non exécuté | — |" in french


# --- every report stays valid whatever a check's message holds ------------------------

NASTY = ("".join(chr(code) for code in range(0x20)) + " \x1b[31mred\x1b[0m plain "
         "a | b \x7f \ufffe \uffff \ud800 end")


def nasty_result(lang: str = "en") -> GradeResult:
    rubric = parse_rubric(RUBRIC, "rubric.toml")
    catalog = Catalog(parse_catalog(CATALOG, "inspect", "inspect.toml"))
    meta = RunMeta(lab=rubric.lab, mode="inspect", checkpoint="networks", lang=lang,
                   started_at="2026-01-01T00:00:00Z", fingerprint="sha256:abc")
    return grade([
        _outcome("networks.moby_counter2_network", "failed", 0.0, NASTY),
        _outcome("volumes.readonly", "error", 0.0, NASTY),
        _outcome("networks.dns_alias", "blocked", 0.0, NASTY),
        _outcome("networks.drift", "passed", notes=(NASTY,)),
    ], rubric, catalog, meta)


XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def test_junit_is_xml_1_0_whatever_the_message_holds() -> None:
    """Control characters (a container log's colour codes) are shown in caret notation
    (``\x1b`` -> ``^[``), U+FFFE/U+FFFF and lone surrogates as U+FFFD: the file parses."""
    text = render_junit(nasty_result())
    assert not XML_FORBIDDEN.search(text)
    root = ET.fromstring(text.encode("utf-8"))  # what a CI's JUnit reader does
    case = next(c for c in root.iter("testcase") if c.get("name") == "test_moby_counter2_network")
    failure = case.find("failure")
    assert failure is not None and failure.text is not None
    assert "^[[31mred^[[0m plain a | b ^? \ufffd \ufffd \ufffd end" in failure.text
    # tab and line feed are kept; XML reads a carriage return as a line feed
    assert failure.text.startswith("^@^A^B^C^D^E^F^G^H\t\n^K^L\n^N^O^P^Q^R^S^T^U^V^W^X^Y^Z^[^\\^]^^^_ ")
    assert failure.get("message", "").startswith("^@^A^B")  # attributes too
    error = next(c for c in root.iter("testcase") if c.get("name") == "test_readonly").find("error")
    assert error is not None and "^[[31mred" in (error.text or "")
    drift = next(c for c in root.iter("testcase") if c.get("name") == "test_drift")
    assert "^[[31mred" in (drift.findtext("system-out") or "")


def test_json_gradescope_classroom_keep_the_text_and_stay_valid() -> None:
    result = nasty_result()
    raw = NASTY.replace("\ud800", "\ufffd")  # a lone surrogate cannot be UTF-8
    own = json.loads(render_json(result).encode("utf-8"))
    check = next(c for c in own["checks"] if c["id"] == "networks.moby_counter2_network")
    assert check["message"] == raw  # JSON escapes control characters: kept exactly
    gradescope_text = render_gradescope(result)
    gradescope = json.loads(gradescope_text.encode("utf-8"))
    assert validate.gradescope_problems(gradescope) == []
    assert raw in gradescope["tests"][0]["output"]
    classroom = validate.decode_classroom(render_classroom(result))
    assert validate.classroom_problems(classroom) == []
    assert raw in classroom["tests"][0]["message"]


def test_markdown_tables_survive_pipes_line_breaks_and_controls() -> None:
    markdown = render_markdown(nasty_result())
    markdown.encode("utf-8")
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", markdown)  # no control character
    rows = [line for line in markdown.split("\n") if line.startswith("|")]
    assert len(rows) == 2 * 2 + 4  # header and rule per category, one row per check
    for row in rows:
        cells = re.split(r"(?<!\\)\|", row)
        assert len(cells) == 6 and cells[0] == "" and cells[-1] == "", row
    check_row = next(row for row in rows if "networks.moby_counter2_network" in row)
    assert "^[[31mred^[[0m plain a \\| b" in check_row and "<br>" in check_row

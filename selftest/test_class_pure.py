"""``mobygrade class`` / ``gradebook`` without Docker: roster, shards, outcomes, CSV shapes,
merge equivalence, the index page (parsed: every row, accessibility), bad input (exit 4,
nothing graded), and the shard + merge commands the CI workflows run."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from fixtures.inspect.probe import MARK, parse_batch
from grading.classrun import command, gradebook, roster, shard, store
from grading.classrun.gradebook import Row, exit_status
from grading.classrun.index import Entry, bins, failed_most, render_index
from grading.classrun.outcome import Outcome, outcome_of
from grading.classrun.roster import RosterError, Student, parse_roster
from grading.cli import main as cli_main
from grading.messages import text
from grading.options import default_lang

ROOT = Path(__file__).resolve().parent.parent
DEAD = "unix:///nonexistent/mobygrade-selftest/docker.sock"

# --------------------------------------------------------------------------- roster


def test_roster_reads_required_and_optional_columns_in_any_case_and_order() -> None:
    students = parse_roster("\ufeffEmail,Student,docker_host,Name,extra\n"
                            "a@x.org,alice,tcp://h1:2375,Alice,zz\n\n"
                            "b@x.org,bob,context:lab,,\n")
    assert [s.student for s in students] == ["alice", "bob"]
    assert students[0] == Student("alice", "tcp://h1:2375", "Alice", "a@x.org", "", 2)
    assert students[1].docker_host == "context:lab" and students[1].line == 4


@pytest.mark.parametrize(("text", "words"), [
    ("student,name\nalice,A\n", ["docker_host", "missing"]),
    ("name,docker_host\nA,tcp://h:1\n", ["student", "missing"]),
    ("student,docker_host\nalice,tcp://h:1\nalice,tcp://h:2\n", ["line 3", "alice", "line 2"]),
    ("student,docker_host\n../x,tcp://h:1\n", ["line 2", "not a usable id"]),
    ("student,docker_host\n.hidden,tcp://h:1\n", ["not a usable id"]),
    ("student,docker_host\nalice,\n", ["line 2", "no docker_host"]),
    ("student,docker_host\n", ["no student"]),
])
def test_bad_rosters_are_one_line_naming_the_problem(text: str, words: list[str]) -> None:
    with pytest.raises(RosterError) as caught:
        parse_roster(text, "r.csv")
    message = str(caught.value)
    assert "\n" not in message and message.startswith("r.csv")
    for word in words:
        assert word in message


def test_student_env_replaces_the_engine_variables_only() -> None:
    base = {"DOCKER_HOST": "tcp://old:1", "DOCKER_TLS_VERIFY": "1", "DOCKER_CONTEXT": "x",
            "HOME": "/h", "MOBYGRADE_SSH_CONFIG": "/c"}
    env = roster.student_env(Student("a", "context:lab"), base)
    assert env == {"DOCKER_CONTEXT": "lab", "HOME": "/h", "MOBYGRADE_SSH_CONFIG": "/c"}
    env = roster.student_env(Student("a", "tcp://h:2376", cert_path="/certs"), base)
    assert env["DOCKER_HOST"] == "tcp://h:2376" and env["DOCKER_CERT_PATH"] == "/certs"
    assert env["DOCKER_TLS_VERIFY"] == "1" and "DOCKER_CONTEXT" not in env


def test_check_hosts_refuses_unknown_contexts_bad_schemes_and_unreadable_certs(
        tmp_path: Path) -> None:
    base = {"DOCKER_CONFIG": str(tmp_path / "docker"), "HOME": str(tmp_path)}
    roster.check_hosts([Student("a", "tcp://h:2375"), Student("b", "ssh://u@h")], base)
    for student, words in [
        (Student("a", "context:nowhere", line=5), ["line 5", "unknown docker context",
                                                   "nowhere"]),
        (Student("a", "ftp://h", line=2), ["unsupported scheme"]),
        (Student("a", "tcp://h:2376", cert_path=str(tmp_path / "none"), line=3),
         ["line 3", "cert_path", "ca.pem"]),
    ]:
        with pytest.raises(RosterError) as caught:
            roster.check_hosts([student], base)
        for word in words:
            assert word in str(caught.value)


def test_fingerprint_ignores_order_and_contact_columns() -> None:
    a = [Student("a", "tcp://h:1", "A"), Student("b", "tcp://h:2")]
    b = [Student("b", "tcp://h:2", email="x"), Student("a", "tcp://h:1")]
    assert roster.fingerprint(a) == roster.fingerprint(b)
    assert roster.fingerprint(a) != roster.fingerprint([Student("a", "tcp://h:9")])


# --------------------------------------------------------------------------- shards


@pytest.mark.parametrize("text", ["3/2", "0/2", "1/0", "a/b", "1", "2/-1", ""])
def test_bad_shards(text: str) -> None:
    with pytest.raises(shard.ShardError):
        shard.parse_shard(text)


def test_shards_partition_the_roster_whatever_its_order() -> None:
    ids = [f"student{i}" for i in range(200)]
    for n in (1, 2, 3, 7):
        slices = [shard.select(ids, ids, k, n) for k in range(1, n + 1)]
        assert sorted(s for one in slices for s in one) == sorted(ids)
        assert all(slices), "every shard of a class of 200 holds someone"
        backwards = list(reversed(ids))
        assert [set(shard.select(backwards, backwards, k, n)) for k in range(1, n + 1)] == \
            [set(s) for s in slices]
    assert shard.parse_shard(" 2/4 ") == (2, 4)


# --------------------------------------------------------------------------- outcomes


def report(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "schema_version": 1, "lab": "docker-3-reseaux-volumes", "lang": "en",
        "engine_version": "20.10", "score": 15.5, "max_score": 20,
        "checks": [
            {"id": "networks.a", "title": "A", "status": "passed", "score": 10, "max_score": 10,
             "informational": False, "message": "", "objects": []},
            {"id": "networks.b", "title": "B", "status": "failed", "score": 5.5,
             "max_score": 10, "informational": False, "message": "expected x, found y",
             "objects": ["container:redis2"]},
            {"id": "networks.info", "title": "I", "status": "passed", "score": 0,
             "max_score": 0, "informational": True, "message": ""},
        ],
        "observations": {"patterns": [{"app": "moby-counter", "whales": ["100:100", "210:100",
                                                                         "bad"]}],
                         "topology": {"networks": [{}], "containers": [{}, {}], "volumes": []}},
    }
    base.update(extra)
    return base


def test_outcome_rules() -> None:
    out = outcome_of("a", None, None, timed_out_s=30, lang="en")
    assert (out.status, out.score) == ("not graded", None) and "30 s" in out.reason
    out = outcome_of("a", 3, None, "noise\nmobygrade: no engine at x\nmobygrade: json report: /p")
    assert (out.status, out.reason) == ("not graded", "no engine at x")
    assert "exit status 1" in outcome_of("a", 1, None, "", lang="en").reason
    out = outcome_of("a", 3, report(not_graded={"reason": "ssh refused"}))
    assert (out.status, out.reason, out.score) == ("not graded", "ssh refused", None)
    # a suite without the not_graded key: exit 3, or an engine that never answered
    assert outcome_of("a", 3, report(), "mobygrade: gone").status == "not graded"
    dead = report(engine_version=None, score=0)
    for check in dead["checks"]:
        check.update(status="failed", score=0, message="no Docker engine: socket missing")
    out = outcome_of("a", 1, dead)
    assert (out.status, out.reason) == ("not graded", "no Docker engine: socket missing")
    # with the key, the report decides
    assert outcome_of("a", 1, report(not_graded=None, engine_version=None)).status == "graded"
    out = outcome_of("a", 2, report(not_graded=None, incomplete={"reason": "interrupted",
                                                                  "not_run": ["networks.b"]}))
    assert (out.status, out.reason, out.score) == ("incomplete", "interrupted", 15.5)
    crashed = report(not_graded=None, incomplete=None)
    crashed["checks"][1].update(status="error", score=0, message="ConnectionError: gone")
    out = outcome_of("a", 1, crashed, lang="en")
    assert out.status == "incomplete" and "networks.b: ConnectionError: gone" in out.reason
    out = outcome_of("a", 1, report(not_graded=None, incomplete=None), duration_s=3.21)
    assert (out.status, out.score, out.max_score) == ("graded", 15.5, 20)
    assert list(out.checks) == ["networks.a", "networks.b"], "informational checks stay out"
    assert Outcome.from_json(json.loads(json.dumps(out.to_json()))) == out


def test_the_reasons_a_class_words_itself_are_in_the_class_language() -> None:
    from selftest.language import foreign_words

    for lang, wanted in (("fr", "pas de résultat en 30 s"), ("en", "no result within 30 s")):
        assert wanted in outcome_of("a", None, None, timed_out_s=30, lang=lang).reason
    crashed = report(not_graded=None, incomplete=None)
    crashed["checks"][1].update(status="error", score=0, message="x")
    reasons = [outcome_of("a", None, None, timed_out_s=30, lang="fr").reason,
               outcome_of("a", 1, None, "", lang="fr").reason,
               outcome_of("a", 3, report(), "", lang="fr").reason,
               outcome_of("a", 1, crashed, lang="fr").reason]
    assert "code de sortie 1" in reasons[1] and "vérification(s) non évaluée(s)" in reasons[3]
    assert [r for r in reasons if foreign_words(r, "fr")] == []


# --------------------------------------------------------------------------- gradebooks


def rows() -> list[Row]:
    graded = outcome_of("alice", 1, report())
    incomplete = outcome_of("bob", 2, report(score=10, incomplete={"reason": "stopped"}))
    missing = Outcome("carol", "not graded", "ssh: connection refused")
    return [Row(Student("alice", "tcp://a:1", "Alice A", "alice@x.org"), graded),
            Row(Student("bob", "tcp://b:1", "", "bob@x.org"), incomplete),
            Row(Student("carol", "tcp://c:1", "Carol, C.", ""), missing)]


def parse_csv(text: str) -> list[list[str]]:
    assert text.endswith("\r\n")
    return list(csv.reader(io.StringIO(text)))


def test_gradebook_csv_shape() -> None:
    table = parse_csv(gradebook.gradebook_csv(rows()))
    assert table[0] == ["student", "name", "email", "score", "max_score", "status", "reason",
                        "networks.a", "networks.b"]
    assert table[1] == ["alice", "Alice A", "alice@x.org", "15.5", "20", "graded", "", "10",
                        "5.5"]
    assert table[2][:7] == ["bob", "", "bob@x.org", "10", "20", "incomplete", "stopped"]
    assert table[3] == ["carol", "Carol, C.", "", "", "", "not graded",
                        "ssh: connection refused", "", ""]


def test_moodle_and_canvas_shapes() -> None:
    moodle = parse_csv(gradebook.moodle_csv(rows(), "Docker lab", lang="en"))
    assert moodle[0] == ["ID number", "Email address", "Docker lab", "Docker lab (feedback)"]
    assert moodle[1] == ["alice", "alice@x.org", "15.5", "graded"]
    assert moodle[3] == ["carol", "", "", "not graded: ssh: connection refused"]
    canvas = parse_csv(gradebook.canvas_csv(rows(), "Docker lab (1234)"))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                         "Docker lab (1234)"]
    assert canvas[1] == ["Points Possible", "", "", "", "", "20"]
    assert canvas[2] == ["Alice A", "", "alice", "alice@x.org", "", "15.5"]
    assert canvas[3][0] == "bob" and canvas[4][-1] == ""


def test_a_french_class_reads_french_feedback_and_summary(tmp_path: Path) -> None:
    """The students read Moodle's feedback and the teacher the run's last lines: in the
    class's language; gradebook.csv's status column keeps its machine values."""
    moodle = parse_csv(gradebook.moodle_csv(rows(), "TP Docker", lang="fr"))
    assert [r[3] for r in moodle[1:]] == [
        "notée", "incomplète : stopped", "non notée : ssh: connection refused"]
    assert [r[5] for r in parse_csv(gradebook.gradebook_csv(rows()))[1:]] == [
        "graded", "incomplete", "not graded"]
    french = command.summary(tmp_path, rows(), True, "fr")
    assert french.startswith("mobygrade: 3 machine(s) : 1 notée(s), 1 incomplète(s), "
                             "1 non notée(s) (interrompue : --resume note le reste)\n"), french
    assert "mobygrade:   carol : non notée : ssh: connection refused\n" in french
    for english in ("host(s)", "graded,", "not graded", "interrupted"):
        assert english not in french, english
    english = command.summary(tmp_path, rows(), True, "en")
    assert english.startswith("mobygrade: 3 host(s): 1 graded, 1 incomplete, 1 not graded "
                              "(interrupted: --resume grades the rest)\n"), english
    assert "mobygrade:   carol: not graded: ssh: connection refused\n" in english


def test_exit_status_rule() -> None:
    every = rows()
    assert exit_status(every) == 3
    assert exit_status(every[:2]) == 1
    assert exit_status(every[:1]) == 0
    assert exit_status(every[:1], interrupted=True) == 2


# --------------------------------------------------------------------------- index page


class PageParser(HTMLParser):
    """Collects what the accessibility rules are about."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.svgs: list[dict[str, Any]] = []
        self.tables: list[dict[str, Any]] = []
        self.th: list[dict[str, str]] = []
        self.rows: list[str] = []
        self.urls: list[str] = []
        self.meta: list[dict[str, str]] = []
        self.scripts = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        self.stack.append((tag, found))
        for key in ("href", "src", "action", "xlink:href"):
            if key in found:
                self.urls.append(found[key])
        if tag == "svg" and found.get("role") == "img":
            self.svgs.append({"attrs": found, "title": False})
        if tag == "title" and self.svgs and any(t == "svg" for t, _ in self.stack[:-1]):
            self.svgs[-1]["title"] = True
        if tag == "table":
            self.tables.append({"caption": False})
        if tag == "caption":
            self.tables[-1]["caption"] = True
        if tag == "th":
            self.th.append(found)
        if tag == "tr" and "data-student" in found and any(
                t == "section" and a.get("id") == "students" for t, a in self.stack):
            self.rows.append(found["data-student"])
        if tag == "meta":
            self.meta.append(found)
        if tag == "script":
            self.scripts += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def check_page(page: str, students: list[str]) -> PageParser:
    parsed = PageParser()
    parsed.feed(page)
    assert parsed.rows == students, "one row per roster line, in roster order"
    assert all(svg["title"] for svg in parsed.svgs), "every picture has a title"
    assert all(svg["attrs"].get("aria-labelledby") for svg in parsed.svgs)
    assert parsed.tables and all(t["caption"] for t in parsed.tables)
    assert all(th.get("scope") in ("col", "row") for th in parsed.th)
    assert parsed.scripts == 0
    csp = [m for m in parsed.meta if m.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0]["content"]
    for url in parsed.urls:
        assert url.startswith(("#", "students/", "data:")), url
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", page)
    for colour in re.findall(r"--(?:ink|muted|ok|bad|warn|info):(#[0-9a-f]{6})", page):
        assert contrast(colour, "#ffffff") >= 4.5, colour
    assert contrast("#0b6b2e", "#f3f5f8") >= 4.5  # status words on the table heads' soft grey
    return parsed


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_index_page_has_every_row_and_follows_the_accessibility_rules(lang: str) -> None:
    entries = [Entry(r, report() if r.outcome.counted else None, r.outcome.counted,
                     r.outcome.counted) for r in rows()]
    page = render_index(entries, lab="docker-3-reseaux-volumes", checkpoint="networks",
                        lang=lang)
    parsed = check_page(page, ["alice", "bob", "carol"])
    assert len(parsed.svgs) == 3, "two thumbnails and the distribution"
    text = " ".join(parsed.text)
    words = {"en": ("graded", "incomplete", "not graded", "Grade distribution"),
             "fr": ("notée", "incomplète", "non notée", "Répartition des notes")}[lang]
    for word in words:
        assert word in text
    assert 'href="students/alice.html"' in page and 'href="students/carol.html"' not in page
    assert "ssh: connection refused" in page  # the hosts not graded, and why
    assert 'data-whales="2"' in page  # the thumbnail draws the valid whales only
    # the topology's verdict names the object in words, not as the report's kind:name id
    assert {"fr": "le conteneur redis2", "en": "the container redis2"}[lang] in page
    assert "container:redis2" not in " ".join(parsed.text)
    assert f'<html lang="{lang}">' in page
    assert not re.search(r"\bclass\.[a-z_]+\(", text), "a catalog key in place of its words"


def test_index_escapes_what_comes_from_the_roster_and_reports() -> None:
    evil = Row(Student('x"><script>', "tcp://h:1", "<img src=//evil>"),
               Outcome('x"><script>', "not graded", "<b>refused</b>"))
    page = render_index([Entry(evil, None)], lab="<lab>", checkpoint="networks", lang="en")
    assert "<script>" not in page and "<img src" not in page and "<b>refused" not in page


def test_failed_most_and_bins() -> None:
    entries = [Entry(r, report()) for r in rows()]
    assert failed_most(entries) == [("networks.b", "B", 2)]
    assert bins([0, 10, 19.9, 20], 20) == [1, 0, 0, 0, 0, 1, 0, 0, 0, 2]


# --------------------------------------------------------------------------- store + merge


def make_class(directory: Path, students: list[Student], outcomes: dict[str, Outcome],
               shard_text: str | None) -> store.ClassInfo:
    info = store.ClassInfo(roster.fingerprint(students), "networks", shard_text, ["--lang=en"])
    store.prepare(directory, students, info, resume=False)
    for sid, outcome in outcomes.items():
        store.write_outcome(directory, outcome)
        paths = store.report_paths(directory, sid)
        paths["json"].write_text(json.dumps(report(score=outcome.score)))
        paths["html"].write_text("<p>report</p>")
    return info


def class_of(n: int) -> tuple[list[Student], dict[str, Outcome]]:
    students = [Student(f"s{i:03d}", f"tcp://h{i}:2375", f"Name {i}", f"s{i}@x.org", line=i + 2)
                for i in range(n)]
    outcomes = {}
    for i, s in enumerate(students):
        if i % 5 == 4:
            outcomes[s.student] = Outcome(s.student, "not graded", f"host {i} refused")
        else:
            outcomes[s.student] = outcome_of(s.student, 1, report(score=float(i % 21)))
    return students, outcomes


def test_two_shards_merged_give_the_unsharded_gradebook(tmp_path: Path) -> None:
    students, outcomes = class_of(23)
    info = make_class(tmp_path / "all", students, outcomes, None)
    command.publish(tmp_path / "all", info, students)
    ids = [s.student for s in students]
    for k in (1, 2):
        mine = shard.select(students, ids, k, 2)
        make_class(tmp_path / f"shard{k}", students,
                   {s.student: outcomes[s.student] for s in mine}, f"{k}/2")
    merged, merged_students = store.merge([tmp_path / "shard1", tmp_path / "shard2"],
                                          tmp_path / "merged")
    command.publish(tmp_path / "merged", merged, merged_students,
                    missing_reason=command.NOT_IN_SHARDS)
    for name in store.OUTPUTS:
        assert (tmp_path / "merged" / name).read_text() == (tmp_path / "all" / name).read_text()
    # a missing shard: its students are rows saying so, never dropped
    store.merge([tmp_path / "shard1"], tmp_path / "half")
    rows_ = command.publish(tmp_path / "half", merged, students,
                            missing_reason=command.NOT_IN_SHARDS)
    missing = text(command.NOT_IN_SHARDS, command.class_lang(tmp_path / "half", merged, students))
    assert len(rows_) == 23 and any(r.outcome.reason == missing for r in rows_)


def test_store_refuses_another_class_and_foreign_files(tmp_path: Path) -> None:
    students, outcomes = class_of(3)
    make_class(tmp_path / "c", students, outcomes, None)
    other = [Student("zz", "tcp://z:1")]
    info = store.ClassInfo(roster.fingerprint(other), "networks")
    with pytest.raises(store.StoreError, match="another class"):
        store.prepare(tmp_path / "c", other, info, resume=False)
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "notes.txt").write_text("mine")
    with pytest.raises(store.StoreError, match="not a mobygrade class"):
        store.prepare(tmp_path / "foreign", other, info, resume=False)
    with pytest.raises(store.StoreError, match="--resume"):
        store.prepare(tmp_path / "new", other, info, resume=True)


# --------------------------------------------------------------------------- the commands


def write_roster(path: Path, lines: list[str]) -> Path:
    path.write_text("student,name,email,docker_host,cert_path\n" + "\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("case", ["columns", "duplicate", "context", "cert", "out", "shard",
                                  "option"])
def test_bad_input_is_one_line_exit_4_and_nothing_graded(
        case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))
    good = write_roster(tmp_path / "r.csv", [f"a,,,{DEAD},", f"b,,,{DEAD},"])
    out = tmp_path / "out"
    args = [str(good), "--checkpoint", "networks", "--out", str(out)]
    if case == "columns":
        (tmp_path / "bad.csv").write_text("id,host\na,tcp://h:1\n")
        args[0] = str(tmp_path / "bad.csv")
    elif case == "duplicate":
        args[0] = str(write_roster(tmp_path / "bad.csv", [f"a,,,{DEAD},", f"a,,,{DEAD},"]))
    elif case == "context":
        args[0] = str(write_roster(tmp_path / "bad.csv", ["a,,,context:nosuch,"]))
    elif case == "cert":
        args[0] = str(write_roster(tmp_path / "bad.csv",
                                   [f"a,,,tcp://127.0.0.1:9,{tmp_path / 'no-certs'}"]))
    elif case == "out":
        out.mkdir()
        (out / "grades.xlsx").write_text("someone else's")
    elif case == "shard":
        args += ["--shard", "3/2"]
    elif case == "option":
        args += ["--grade-report", "json:x.json"]
    assert cli_main(["class", *args]) == 4
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("mobygrade: "), err
    assert not (out / "results").exists() or not any((out / "results").iterdir())
    assert not (out / "gradebook.csv").exists()


def mobygrade(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "grading.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def ci_commands(path: Path) -> tuple[str, str]:
    """The shard script and the merge command of a CI file, as written there."""
    shard_lines, merge = [], ""
    for raw in path.read_text().splitlines():
        line = raw.strip().removeprefix("- ").removeprefix("run: ")
        if line.startswith(("SHARD=", "mobygrade class")):
            shard_lines.append(line)
        elif line.startswith("mobygrade gradebook"):
            merge = line
    assert shard_lines and merge, path
    return "\n".join(shard_lines), merge


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_the_ci_shard_and_merge_commands(tmp_path: Path, ci: str) -> None:
    """The lines .github/workflows/class.yml and docs/gitlab-class.yml (the README's GitLab
    job) run, as written, on hosts that cannot be reached (no Docker needed): two shards,
    then the merge; the merged gradebook is the unsharded one."""
    lines = [f"s{i},Name {i},s{i}@x.org,unix:///nonexistent/mg-{i}.sock," for i in range(5)]
    write_roster(tmp_path / "roster.csv", lines)
    whole = mobygrade("class", "roster.csv", "--checkpoint", "cleanup", "--out", "whole",
                      cwd=tmp_path)
    assert whole.returncode == 3, whole.stderr + whole.stdout
    path = ROOT / (".github/workflows/class.yml" if ci == "github" else "docs/gitlab-class.yml")
    shard_script, merge = ci_commands(path)
    shim = tmp_path / "bin" / "mobygrade"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} -m grading.cli "$@"\n')
    shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env.update(PYTHONPATH=str(ROOT), PATH=f"{shim.parent}:{env.get('PATH', '')}",
               ROSTER="roster.csv", CHECKPOINT="cleanup", SHARDS="2", CI_NODE_TOTAL="2")
    for k in (1, 2):
        done = subprocess.run(["bash", "-ec", shard_script], cwd=tmp_path, timeout=300,
                              env={**env, "SHARD": str(k), "CI_NODE_INDEX": str(k)},
                              capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr  # 3 is not a CI failure
        assert (tmp_path / f"shard-{k}" / "gradebook.csv").exists()
    if ci == "github":  # actions/download-artifact puts each artifact in shards/<name>/
        (tmp_path / "shards").mkdir()
        for k in (1, 2):
            (tmp_path / f"shard-{k}").rename(tmp_path / "shards" / f"shard-{k}")
    merged = subprocess.run(["bash", "-ec", merge], cwd=tmp_path, env=env, timeout=300,
                            capture_output=True, text=True, check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    for name in ("gradebook.csv", "gradebook-moodle.csv", "gradebook-canvas.csv"):
        assert (tmp_path / "gradebook" / name).read_bytes() == \
            (tmp_path / "whole" / name).read_bytes()
    table = parse_csv((tmp_path / "gradebook" / "gradebook.csv").read_bytes().decode())
    assert [r[0] for r in table[1:]] == [f"s{i}" for i in range(5)]
    assert {r[5] for r in table[1:]} == {"not graded"}
    assert all("mg-" in r[6] for r in table[1:]), "the reason names the host's socket"
    check_page((tmp_path / "gradebook" / "index.html").read_text(), [f"s{i}" for i in range(5)])
    # a bad roster is a CI failure (exit 4), not a gradebook
    (tmp_path / "bad.csv").write_text("id,host\n")
    bad = subprocess.run(["bash", "-ec", shard_script], cwd=tmp_path, timeout=60,
                         env={**env, "ROSTER": "bad.csv", "SHARD": "1", "CI_NODE_INDEX": "1"},
                         capture_output=True, text=True, check=False)
    assert bad.returncode != 0 and "student" in bad.stderr


def test_resume_grades_nothing_more_when_every_line_has_its_result(tmp_path: Path) -> None:
    lines = [f"s{i},,,unix:///nonexistent/mg-{i}.sock," for i in range(3)]
    write_roster(tmp_path / "roster.csv", lines)
    first = mobygrade("class", "roster.csv", "--checkpoint", "cleanup", "--out", "c",
                      cwd=tmp_path)
    assert first.returncode == 3
    stamp = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "c" / "results").iterdir()}
    again = mobygrade("class", "roster.csv", "--checkpoint", "cleanup", "--out", "c",
                      "--resume", cwd=tmp_path)
    counts = text("class.summary", default_lang(os.environ), n=3, g=0, i=0, x=3)
    assert again.returncode == 3 and counts in again.stdout, again.stdout
    assert stamp == {p.name: p.stat().st_mtime_ns for p in (tmp_path / "c" / "results").iterdir()}


def test_probe_batch_output_without_final_newline() -> None:
    logs = f"{MARK} 0 begin\n<html>\n{MARK} 0 end 0\n{MARK} 1 begin\n" \
           f'{{"connected": true}}{MARK} 1 end 0\n'
    page, ping = parse_batch(logs, 2)
    assert (page.rc, page.output) == (0, "<html>")
    assert (ping.rc, ping.output) == (0, '{"connected": true}')


class SilentEngine:
    """A tcp listener that accepts connections and never answers: a host that hangs."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.held: list[Any] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        for conn in self.held:
            conn.close()


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


def test_time_bound_and_ctrl_c(tmp_path: Path) -> None:
    """A host that never answers is stopped at --timeout; Ctrl-C stops the class at once,
    kills the running hosts' process groups and still writes the gradebook."""
    silent = SilentEngine()
    try:
        write_roster(tmp_path / "roster.csv",
                     [f"s{i},,,tcp://127.0.0.1:{silent.port}," for i in range(3)]
                     + [f"d{i},,,unix:///nonexistent/mg-{i}.sock," for i in range(2)])
        done = mobygrade("class", "roster.csv", "--checkpoint", "cleanup", "--out", "bounded",
                         "--timeout", "4", "--jobs", "5", "--lang", "en", cwd=tmp_path)
        assert done.returncode == 3, done.stdout + done.stderr
        table = parse_csv((tmp_path / "bounded" / "gradebook.csv").read_bytes().decode())
        silent_rows = [r for r in table[1:] if r[0].startswith("s")]
        assert all(r[5] == "not graded" and "no result within 4 s" in r[6]
                   for r in silent_rows), silent_rows
        assert not processes_mentioning(str(tmp_path / "bounded"))

        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        env["PYTHONPATH"] = str(ROOT)
        proc = subprocess.Popen(
            [sys.executable, "-m", "grading.cli", "class", "roster.csv", "--checkpoint",
             "cleanup", "--out", "stopped", "--jobs", "2"], cwd=tmp_path, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        logs = tmp_path / "stopped" / "students"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(list(logs.glob("*.log"))) < 2:
            time.sleep(0.05)
        time.sleep(1.0)
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        assert time.monotonic() - started < 10, "Ctrl-C ends the class at once"
        assert proc.returncode == 2, out + err
        lang = default_lang(env)  # no --lang: the locale's
        assert text("class.run_interrupted", lang) in out
        table = parse_csv((tmp_path / "stopped" / "gradebook.csv").read_bytes().decode())
        assert [r[0] for r in table[1:]] == ["s0", "s1", "s2", "d0", "d1"]
        assert {r[5] for r in table[1:]} == {"not graded"}
        assert any(r[6] == text(command.NOT_RUN, lang) for r in table[1:])
        assert not processes_mentioning(str(tmp_path / "stopped")), "running hosts were killed"
        # --resume grades the lines left: the two unreachable ones finish, the silent ones
        # are stopped by the bound
        again = mobygrade("class", "roster.csv", "--checkpoint", "cleanup", "--out", "stopped",
                          "--resume", "--timeout", "3", "--jobs", "5", cwd=tmp_path)
        assert again.returncode == 3
        table = parse_csv((tmp_path / "stopped" / "gradebook.csv").read_bytes().decode())
        assert all(r[6] != text(command.NOT_RUN, lang) for r in table[1:])
    finally:
        silent.close()


def test_progress_line_only_on_a_terminal() -> None:
    from grading.classrun.scheduler import Progress

    stream = io.StringIO()
    progress = Progress(8, stream)
    progress.done, progress.running, progress.unreached = 3, 4, 1
    progress.show()
    progress.close()
    assert "3/8 done · running 4 · not reached 1" in stream.getvalue()
    assert stream.getvalue().startswith("\r\x1b[K")
    Progress(8, None).show()  # not a terminal: nothing, no error

"""The ``mobygrade`` command and plain pytest from any directory, without Docker.

Every run is a subprocess whose engine is a unix socket that does not exist, so
nothing reaches a Docker engine: collection (``--collect-only``) never connects,
and the one graded run below is inspect mode, whose checks fail on the dead host.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from grading import argv, cli_help, suite
from grading.cli import main as cli_main
from grading.context import PARTS

ROOT = Path(__file__).resolve().parent.parent
DEAD_ENGINE = "unix:///nonexistent/mobygrade-selftest/docker.sock"


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("PYTEST_", "LC_")) and k != "LANG"}
    return {**base, "PYTHONPATH": str(ROOT), "DOCKER_HOST": DEAD_ENGINE, **extra}


def run(args: Sequence[str], cwd: Path | str = "/", **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env(**extra),
                          capture_output=True, text=True, timeout=120, check=False)


def cli(*args: str, cwd: Path | str = "/", **extra: str) -> subprocess.CompletedProcess[str]:
    return run(["-m", "grading.cli", *args], cwd=cwd, **extra)


def node_ids(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in done.stdout.splitlines() if "::" in line]


def checks_in(module: str) -> list[str]:
    tree = ast.parse((ROOT / module).read_text())
    return [f"{module}::{node.name}" for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]


def out(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout + done.stderr


@pytest.fixture
def rubric(tmp_path: Path) -> Path:
    """A copy of the shipped rubric outside the checkout."""
    path = tmp_path / "elsewhere" / "my rubric.toml"
    path.parent.mkdir()
    shutil.copy(ROOT / "grading" / "rubric.toml", path)
    return path


@pytest.fixture
def bad_rubric(tmp_path: Path) -> Path:
    path = tmp_path / "bad-rubric.toml"
    path.write_text('lab = "x"\n[inspect."networks.no_such_check"]\npoints = 1\n')
    return path


# -- the command, from / ------------------------------------------------------------

@pytest.mark.parametrize("extra", [[], ["--lab-mode=inspect"], ["--lab-mode", "inspect"]])
def test_inspect_from_root_collects_the_checkpoint_checks_only(extra: list[str]) -> None:
    done = cli("inspect", "networks", *extra, "--collect-only", "-q")
    assert done.returncode == 0, out(done)
    assert node_ids(done) == checks_in("tests/inspect/test_networks.py")


def test_provision_from_root_collects_the_provision_checks_only() -> None:
    done = cli("provision", "--collect-only", "-q")
    assert done.returncode == 0, out(done)
    ids = node_ids(done)
    assert ids and all(nodeid.startswith("tests/provision/") for nodeid in ids)
    assert len(ids) == sum(len(checks_in(f"tests/provision/test_{part}.py")) for part in PARTS)


@pytest.mark.parametrize("form", ["space", "equals"])
def test_rubric_outside_the_checkout_either_form(form: str, rubric: Path, bad_rubric: Path) -> None:
    def rubric_args(path: Path) -> list[str]:
        return ["--rubric", str(path)] if form == "space" else [f"--rubric={path}"]

    done = cli("inspect", "networks", *rubric_args(rubric), "--collect-only", "-q")
    assert done.returncode == 0, out(done)
    assert node_ids(done) == checks_in("tests/inspect/test_networks.py")
    # the option reached the grading plugin: a malformed rubric there is its usage error
    done = cli("inspect", "networks", *rubric_args(bad_rubric), "--collect-only", "-q")
    assert done.returncode == 4, out(done)
    assert "networks.no_such_check" in out(done)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["frobnicate"],
        ["provision", "--lab-mode=inspect"],
        ["inspect", "networks", "--checkpoint=volumes"],
    ],
)
def test_command_line_mistakes_exit_4_with_one_line(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(args) == 4
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1 and captured.err.startswith("mobygrade: ")


@pytest.mark.parametrize(
    "args",
    [
        ["inspect"],
        ["inspect", "networks", "--grade-min", "lots"],
        ["inspect", "networks", "--lang", "de"],
        ["provision", "--checkpoint=networks"],
    ],
)
def test_suite_usage_errors_exit_4_with_one_line(args: list[str]) -> None:
    done = cli(*args, "--collect-only")
    lines = [line for line in out(done).splitlines() if line.strip()]
    assert done.returncode == 4, out(done)
    assert len(lines) == 1, out(done)


def test_auto_is_passed_to_the_plugin_as_a_checkpoint() -> None:
    done = cli("inspect", "auto", "--collect-only", "-q")
    if done.returncode == 0:  # auto detection implemented by the plugin
        assert all(nodeid.startswith("tests/inspect/") for nodeid in node_ids(done))
    else:
        assert done.returncode == 4 and "auto" in out(done), out(done)


def test_graded_run_lists_the_reports_with_absolute_paths(tmp_path: Path) -> None:
    done = cli("inspect", "cleanup", "--grade-report", "json:grade.json",
               "--grade-report=markdown:sub/../grade.md", "--lang", "en", "-q", cwd=tmp_path)
    assert done.returncode == 3, out(done)  # a dead host is not graded
    assert (tmp_path / "grade.json").is_file() and (tmp_path / "grade.md").is_file()
    lines = done.stdout.splitlines()
    assert f"mobygrade: json report: {tmp_path / 'grade.json'}" in lines
    assert f"mobygrade: markdown report: {tmp_path / 'grade.md'}" in lines


@pytest.mark.parametrize(("lang", "word"), [("fr", "avant"), ("en", "before")])
def test_help_lists_the_checkpoints_with_the_handout_sentences(
    lang: str, word: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", f"{lang}_XX.UTF-8")
    other = "en" if lang == "fr" else "fr"
    for args in (["--help"], ["inspect", "networks", "-h", "--lang", lang],
                 ["help", f"--lang={lang}"], ["provision", "--help", "--lang", other, "--lang", lang]):
        assert cli_main(args) == 0
        text = capsys.readouterr().out
        for part in PARTS:
            assert f"\n  {part} " in text
        assert f"{word} « Arrêtons nos conteneurs" in text
        assert "« Visitez la deuxième application" in text
        assert "Lancez trois `prune`" in text
        assert str(ROOT) in text


def test_help_quotes_the_handout_exactly() -> None:
    handout = Path("/work/shared/lab/docker-3-reseaux-volumes.md")
    if not handout.is_file():
        pytest.skip("the handout is not on this machine")
    text = handout.read_text()
    for stops in cli_help.CHECKPOINT_STOPS.values():
        quoted = stops["fr"].split("« ", 1)[1].rsplit(" »", 1)[0]
        assert quoted in text


# -- plain pytest -------------------------------------------------------------------

def test_pytest_on_the_checkout_from_elsewhere_collects_the_graded_checks_only() -> None:
    done = run(["-m", "pytest", str(ROOT), "--collect-only", "-q"])
    assert done.returncode == 0, out(done)
    ids = node_ids(done)
    assert ids and all(nodeid.startswith("tests/provision/") for nodeid in ids)
    done = run(["-m", "pytest", str(ROOT), "--lab-mode=inspect", "--checkpoint=networks",
                "--collect-only", "-q"])
    assert node_ids(done) == checks_in("tests/inspect/test_networks.py"), out(done)


def test_pytest_dot_in_the_checkout_collects_the_graded_checks_only() -> None:
    done = run(["-m", "pytest", ".", "--collect-only", "-q"], cwd=ROOT)
    assert done.returncode == 0, out(done)
    assert node_ids(done) and all(n.startswith("tests/") for n in node_ids(done))


@pytest.mark.parametrize("target", ["selftest", "selftest/test_cli.py"])
def test_selftests_named_by_path_are_collected(target: str) -> None:
    done = run(["-m", "pytest", target, "--collect-only", "-q"], cwd=ROOT)
    assert done.returncode == 0, out(done)
    ids = node_ids(done)
    assert ids and all(nodeid.startswith("selftest/") for nodeid in ids)
    assert any(nodeid.startswith("selftest/test_cli.py::") for nodeid in ids)


@pytest.mark.parametrize("form", ["space", "equals"])
def test_pytest_with_a_rubric_outside_the_checkout(form: str, rubric: Path) -> None:
    """Plain pytest: the `=` form always works; the space form needs a path argument (#1435)."""
    opt = ["--rubric", str(rubric)] if form == "space" else [f"--rubric={rubric}"]
    inspect = ["--lab-mode=inspect", "--checkpoint=networks", "--collect-only", "-q"]
    runs = [run(["-m", "pytest", str(ROOT), *opt, *inspect]),
            run(["-m", "pytest", ".", *opt, *inspect], cwd=ROOT)]
    if form == "equals":
        runs.append(run(["-m", "pytest", *opt, *inspect], cwd=ROOT))
    for done in runs:
        assert node_ids(done) == checks_in("tests/inspect/test_networks.py"), out(done)


# -- pure helpers -------------------------------------------------------------------

def test_join_values_rewrites_the_suite_value_options_only() -> None:
    args = ["--rubric", "/x y/r.toml", "-k", "dns", "--grade-report", "json:g.json",
            "--lang=en", "--lab-keep", "--", "--rubric", "z"]
    assert argv.join_values(args) == [
        "--rubric=/x y/r.toml", "-k", "dns", "--grade-report=json:g.json", "--lang=en",
        "--lab-keep", "--", "--rubric", "z"]
    assert argv.values(args, "--rubric") == ["/x y/r.toml"]
    assert argv.join_values(["--rubric"]) == ["--rubric"]  # pytest reports the missing value


def test_suite_is_this_checkout() -> None:
    found = suite.locate()
    assert found.root == ROOT and found.ini == ROOT / "pyproject.toml"
    args = suite.pytest_args(found)
    assert f"--rootdir={ROOT}" in args and f"--confcutdir={ROOT}" in args


def test_suite_not_found(tmp_path: Path) -> None:
    (tmp_path / "grading").mkdir()
    with pytest.raises(suite.SuiteNotFound, match="conftest.py and tests"):
        suite.locate(tmp_path / "grading")

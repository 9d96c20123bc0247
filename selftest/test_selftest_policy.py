"""selftest/conftest.py's policy, run on a fake project with pytester: with ``CI=true`` a
skipped self-test fails the session (each skip printed with its reason), unless the test is
marked ``never_in_ci("reason")``; outside CI a skip stays a skip."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[1]

TESTS = '''
import pytest

def test_ok():
    pass

def test_missing_tool():
    pytest.skip("no debootstrap on this machine")

@pytest.mark.never_in_ci("needs a second physical host")
def test_allowed():
    pytest.skip("no second host")

@pytest.mark.xfail(reason="known engine bug")
def test_expected_failure():
    assert False
'''


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    pytester.makeini(
        "[pytest]\naddopts = -p no:cacheprovider -p no:randomly\n"
        "markers =\n    never_in_ci(reason): allowed to skip in CI\n"
    )
    pytester.makeconftest((REPO / "selftest" / "conftest.py").read_text(encoding="utf-8"))
    pytester.makepyfile(test_things=TESTS)
    return pytester


def test_outside_ci_a_skip_is_a_skip(project: pytest.Pytester) -> None:
    result = project.runpytest("-rs")
    assert result.ret == 0
    result.assert_outcomes(passed=1, skipped=2, xfailed=1)
    assert "SKIPPED IN CI" not in result.stdout.str()


@pytest.mark.parametrize("value", ["true", "TRUE", "1"])
def test_in_ci_a_skip_fails_the_session_and_is_listed(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CI", value)
    result = project.runpytest()
    assert result.ret == 1
    result.stdout.fnmatch_lines([
        "*1 self-test(s) skipped in CI: a skip in CI is an error*",
        "SKIPPED IN CI test_things.py::test_missing_tool: no debootstrap on this machine",
    ])
    out = result.stdout.str()
    assert "test_allowed" not in out and "test_expected_failure" not in out


def test_in_ci_only_allowed_skips_pass(project: pytest.Pytester,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    project.makepyfile(test_things=TESTS.replace(
        'def test_missing_tool():\n    pytest.skip("no debootstrap on this machine")', ""))
    result = project.runpytest()
    assert result.ret == 0
    assert "SKIPPED IN CI" not in result.stdout.str()


def test_ci_false_is_not_ci(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "false")
    assert project.runpytest().ret == 0


def test_in_ci_a_module_skipped_at_collection_counts(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    project.makepyfile(test_things="import pytest\npytest.importorskip('no_such_module_xyz')\n",
                       test_other="def test_ok():\n    pass\n")
    result = project.runpytest()
    assert result.ret == 1
    result.stdout.fnmatch_lines(["SKIPPED IN CI test_things.py: *no_such_module_xyz*"])


def test_in_ci_a_failing_session_keeps_its_status(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    project.makepyfile(test_more="def test_fails():\n    assert False\n")
    result = project.runpytest()
    assert result.ret == 1
    result.stdout.fnmatch_lines(["SKIPPED IN CI test_things.py::test_missing_tool: *"])


def test_in_ci_with_xdist(project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Skips and the marker cross xdist workers (pytest-xdist: dev extra)."""
    monkeypatch.setenv("CI", "true")
    result = project.runpytest_subprocess("-n", "2")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["SKIPPED IN CI test_things.py::test_missing_tool: *"])
    assert "test_allowed" not in result.stdout.str()

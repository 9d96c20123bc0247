"""No English in a French provision run, and no French in an English one (issue 10).

Runs the graded provision suite as a student would (``python -m pytest
--lab-images=local tests --lang=fr|en``, with JSON and Markdown reports) on the
engine the environment names, and scans the whole output (pytest's own lines
left out) and both reports with :mod:`selftest.language`. Provision mode uses
run-prefixed names and labels, so the shared main engine is fine. Leaks are
reported with the source line of the literal that holds them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from selftest.language import assert_no_leak

pytestmark = pytest.mark.selftest_docker

REPO = Path(__file__).resolve().parent.parent
RUN_TIMEOUT_S = 900


def provision_texts(lang: str, tmp_path: Path, *extra: str) -> list[tuple[str, str]]:
    """(where, text) of one provision run: its output, its JSON and Markdown reports."""
    report, md = tmp_path / f"grade-{lang}.json", tmp_path / f"grade-{lang}.md"
    env = {**os.environ, "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--lab-images=local", "tests", f"--lang={lang}",
         "-p", "no:cacheprovider", f"--grade-report=json:{report}",
         f"--grade-report=markdown:{md}", *extra],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False,
    )
    output = done.stdout + done.stderr
    # selftest.faults' own header names the faults it injects: the self-test's words, not ours
    output = "\n".join(line for line in output.splitlines() if not line.startswith("lab faults:"))
    assert report.exists(), f"no JSON report (exit {done.returncode}):\n{output[-3000:]}"
    assert "Traceback" not in output, output[-3000:]
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["lang"] == lang
    return [("output", output), (report.name, report.read_text(encoding="utf-8")),
            (md.name, md.read_text(encoding="utf-8"))]


def test_provision_run_reads_in_its_language(tmp_path: Path) -> None:
    assert_no_leak("provision", {lang: provision_texts(lang, tmp_path) for lang in ("fr", "en")})


def test_provision_run_kept_reads_in_its_language(tmp_path: Path) -> None:
    """``--lab-keep`` prints how to remove what it left: in the run's language too.
    (One check only; what it kept is removed with the commands it printed.)"""
    texts = {}
    for lang in ("fr", "en"):
        texts[lang] = provision_texts(lang, tmp_path, "--lab-keep", "-k", "test_ipam")
        commands = [line.strip() for line in texts[lang][0][1].splitlines()
                    if line.strip().startswith("docker ")]
        assert commands, texts[lang][0][1][-3000:]
        for command in commands:
            subprocess.run(["sh", "-c", command], capture_output=True, timeout=120, check=False)
    assert_no_leak("provision --lab-keep", texts)


# The lab built wrong (selftest.faults): every failed check's message, in both languages.
FAULT_GROUPS = [
    ("redis_misnamed", "no_volume", "keep_running", "bridge_link"),
    ("app2_on_net1", "rw_share", "app_hostname"),
    ("no_alias", "no_save"),
    ("app2_default_bridge", "recreate_same_volume", "hosts_override"),
]


@pytest.mark.parametrize("faults", FAULT_GROUPS, ids="+".join)
def test_failed_provision_checks_read_in_their_language(faults: tuple[str, ...],
                                                          tmp_path: Path) -> None:
    fault = f"--lab-fault={','.join(faults)}"
    assert_no_leak("+".join(faults), {
        lang: provision_texts(lang, tmp_path, "-p", "selftest.faults", fault)
        for lang in ("fr", "en")})

"""No English in a French inspect run, and no French in an English one, on scripted hosts.

Each case builds a scripted student host (``selftest/student_hosts.py``: the
correct host and two broken ones per checkpoint), grades it with ``--lang=fr``
and ``--lang=en``, and scans what the student reads: the run's output (pytest's
own lines left out), the JSON report's sentences and the Markdown report, with
``selftest.language``. A leak is reported with the case, the field and, when a
literal of the suite's code or catalog holds the words, its source file and line.

The scripted hosts use the lab's names: never on the main engine. Run them on a
second engine, which sets ``DOCKER_HOST``::

    python -m selftest.engines --version=bookworm --load-lab-images -- \\
        python -m pytest selftest/test_language_hosts.py -q

Without ``DOCKER_HOST``, or with it naming the main engine's socket, the cases
skip. An engine that is not there (``host_down``) needs no engine and always runs.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import docker
import pytest

from fixtures.images.lab import LabImages, ensure_images
from selftest.language import assert_no_leak
from selftest.student_hosts import BUILDERS, StudentHost, grade

REPO = Path(__file__).resolve().parent.parent
MAIN_ENGINE = ("unix:///var/run/docker.sock", "/var/run/docker.sock", "unix:///run/docker.sock")
LANGS = ("fr", "en")


@dataclass(frozen=True)
class Case:
    checkpoint: str
    mistake: str = ""

    @property
    def id(self) -> str:
        return f"{self.checkpoint}-{self.mistake or 'correct'}"


CASES = [
    Case("networks"), Case("networks", "first_network_misnamed"), Case("networks", "no_alias"),
    Case("volumes"), Case("volumes", "volume_misnamed"), Case("volumes", "no_ro"),
    Case("cleanup"), Case("cleanup", "volume_left"), Case("cleanup", "stopped_container_left"),
]


def graded_texts(checkpoint: str, docker_host: str, lang: str) -> list[tuple[str, str]]:
    """(where, text) of one graded run: its output and its JSON and Markdown reports."""
    with tempfile.TemporaryDirectory(prefix="mg-lang-") as tmp:
        md = os.path.join(tmp, "report.md")
        run = grade(checkpoint, docker_host, f"--lang={lang}", f"--grade-report=markdown:{md}")
        texts = [("output", run.output)]
        if run.report:
            import json

            texts.append(("report.json", json.dumps(run.report, ensure_ascii=False)))
        if os.path.exists(md):
            texts.append(("report.md", Path(md).read_text(encoding="utf-8")))
    assert run.report, f"no JSON report (exit {run.returncode}):\n{run.output[-3000:]}"
    assert "Traceback" not in run.output, run.output[-3000:]
    return texts


# -- the cases -------------------------------------------------------------------------


@pytest.mark.parametrize("checkpoint", ["networks", "volumes", "cleanup"])
def test_host_down(checkpoint: str) -> None:
    """No engine: every check fails with the one engine line, in the run's language."""
    dead = "unix:///tmp/mobygrade-no-engine.sock"
    assert_no_leak(f"{checkpoint}-host_down",
                   {lang: graded_texts(checkpoint, dead, lang) for lang in LANGS})


@pytest.fixture(scope="module")
def second_engine() -> str:
    """``DOCKER_HOST`` of the engine the scripted hosts may use (never the main one)."""
    url = os.environ.get("DOCKER_HOST", "")
    if not url or url in MAIN_ENGINE:
        pytest.skip("scripted hosts use the lab's names: run under python -m selftest.engines "
                    "(a second engine), which sets DOCKER_HOST")
    return url


@pytest.fixture
def student_images(second_engine: str) -> LabImages:
    """The stand-in images on the second engine, for the shared ``student`` fixture."""
    client = docker.DockerClient(base_url=second_engine, timeout=60)
    try:
        return ensure_images(client, "local", lambda line: None)
    finally:
        client.close()


@pytest.fixture
def student_docker_host(second_engine: str) -> str:
    """The engine of the shared ``student`` fixture."""
    return second_engine


@pytest.mark.selftest_docker
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_scripted_host_in_both_languages(case: Case, student: StudentHost,
                                         second_engine: str) -> None:
    BUILDERS[case.checkpoint](student, case.mistake)
    assert_no_leak(case.id, {lang: graded_texts(case.checkpoint, second_engine, lang)
                             for lang in LANGS})

"""A host that holds only the lab's two images, and no registry: graded at every checkpoint.

A classroom machine or a VM graded remotely has ``redis:alpine`` and
``russmckendrick/moby-counter`` and nothing else, and reaches no registry or
mirror. This module runs inside a second engine's own network namespace (an
engine with its firewall, so its networks are isolated), loaded with the two
stand-ins only, which it re-tags with the lab's names (tox runs it so)::

    python -m selftest.engines --version=bookworm --load mobygrade/redis:local \
        --load mobygrade/moby-counter:local -- python -m pytest selftest/test_lab_images_only.py

A scripted student does each part of the lab with those images, and each
checkpoint is graded. Every check is measured (nothing is
``blocked`` for want of an image), nothing is built, pulled or loaded there (the
engine's images are the same before and after), and no probe stays behind.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import docker
import pytest

from fixtures.engine import engine_url
from selftest.student_hosts import BUILDERS, StudentHost, grade, one_student_at_a_time

pytestmark = pytest.mark.selftest_docker

DEFAULT = "unix:///var/run/docker.sock"
STAND_INS = ("mobygrade/redis:local", "mobygrade/moby-counter:local")
LAB_REDIS = "redis:alpine"
LAB_APP = "russmckendrick/moby-counter:latest"


@pytest.fixture(scope="module")
def lab_only_engine() -> Iterator[str]:
    """This module's engine, its only images the lab's two (no suite image, no probe)."""
    url = engine_url()
    if url == DEFAULT:
        pytest.fail("run inside a second engine: python -m selftest.engines --load "
                    f"{STAND_INS[0]} --load {STAND_INS[1]} -- python -m pytest {__file__}")
    client = docker.DockerClient(base_url=url, timeout=60)
    try:
        client.images.get(STAND_INS[0]).tag(LAB_REDIS)
        client.images.get(STAND_INS[1]).tag(LAB_APP)
        for stand_in in STAND_INS:
            client.images.remove(stand_in, noprune=True)
        yield url
    finally:
        client.close()


def image_tags(client: docker.DockerClient) -> list[str]:
    return sorted(tag for image in client.images.list(all=True) for tag in image.tags)


@pytest.mark.parametrize("checkpoint", ["networks", "volumes", "cleanup"])
def test_a_host_with_only_the_lab_images_is_graded_and_left_as_it_was(
        checkpoint: str, lab_only_engine: str) -> None:
    client = docker.DockerClient(base_url=lab_only_engine, timeout=60)
    try:
        assert image_tags(client) == sorted([LAB_APP, LAB_REDIS])
        with one_student_at_a_time(docker_host=lab_only_engine):
            student = StudentHost(LAB_REDIS, LAB_APP, {**os.environ, "DOCKER_HOST": lab_only_engine})
            student.claim()
            try:
                BUILDERS[checkpoint](student, "")
                before = image_tags(client), len(client.images.list(all=True))
                run = grade(checkpoint, lab_only_engine)
                shown = f"exit {run.returncode}\n{run.output[-3000:]}"
                assert run.report and not run.report.get("not_graded"), shown
                statuses = set(run.statuses.values())
                assert statuses == {"passed"}, f"{run.statuses}\n{shown}"
                assert run.report["score"] == run.report["max_score"] > 0, shown
                assert (image_tags(client), len(client.images.list(all=True))) == before, \
                    "grading built, pulled or loaded an image on the student's engine"
                left = client.containers.list(all=True, filters={"label": "mobygrade.run"})
                assert not left, f"grading left {[c.name for c in left]}"
            finally:
                student.remove_all()
    finally:
        client.close()

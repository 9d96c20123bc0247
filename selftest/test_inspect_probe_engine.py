"""Inspect mode's probe batches on a real engine: what is asked ahead is asked once, and a
batch that cannot run leaves each question to be asked again on its own.

Uses the main engine with names of its own (never the lab's): a volume holding a file,
a container that mounts it read-only and one that mounts it read-write (both created,
never started).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import docker
import pytest

from fixtures.images.lab import LabImages, ensure_images
from fixtures.inspect.probe import Batch, HostProbe, write_test
from fixtures.labels import RUN_LABEL, RunIdentity

pytestmark = pytest.mark.selftest_docker


@dataclass(frozen=True)
class Share:
    image: str
    volume: str
    readonly: str  # container ids
    readwrite: str


@pytest.fixture(scope="module")
def images(docker_client: docker.DockerClient) -> LabImages:
    return ensure_images(docker_client, "local", lambda line: None)


@pytest.fixture(scope="module")
def share(docker_client: docker.DockerClient, images: LabImages) -> Iterator[Share]:
    tag = "mgtest-" + secrets.token_hex(3)
    volume = docker_client.volumes.create(f"{tag}-data")
    made = []
    try:
        writer = docker_client.containers.run(
            images.redis, entrypoint=["sh", "-c", "printf REDIS0011 > /data/dump.rdb"],
            volumes={volume.name: {"bind": "/data", "mode": "rw"}}, name=f"{tag}-writer",
            detach=True)
        made.append(writer)
        writer.wait(timeout=30)
        for mode in ("ro", "rw"):
            made.append(docker_client.containers.create(
                images.redis, name=f"{tag}-{mode}", volumes={volume.name: {"bind": "/data",
                                                                          "mode": mode}}))
        yield Share(images.redis, volume.name, made[1].id, made[2].id)
    finally:
        for container in made:
            container.remove(force=True)
        volume.remove(force=True)


def probes_made(client: docker.DockerClient, identity: RunIdentity) -> int:
    return len(client.containers.list(all=True, filters={"label": f"{RUN_LABEL}={identity.run_id}"}))


def test_the_write_test_and_the_files_are_answered_by_one_container(
        docker_client: docker.DockerClient, share: Share) -> None:
    identity = RunIdentity()
    probe = HostProbe(docker_client, identity)
    try:
        probe.ahead(Batch(share.image, mounts_of=share.readonly,
                          with_mounts=tuple(tuple(c) for c in write_test()),
                          volumes=(share.volume,)))
        assert probe.write_fails(share.image, share.readonly)[0] is True
        assert probe.volume_files(share.image, share.volume)["dump.rdb"][0] == 9
        assert probe._count == 1  # both answered by the batch asked ahead
        # not asked ahead: asked now, and the read-write share takes the write (undone)
        assert probe.write_fails(share.image, share.readwrite)[0] is False
        assert probe._count == 2
        assert set(probe.volume_files(share.image, share.volume)) == {"dump.rdb"}
    finally:
        probe.close()
    assert probes_made(docker_client, identity) == 0


def test_a_batch_that_cannot_run_leaves_each_question_to_be_asked_again(
        docker_client: docker.DockerClient, share: Share) -> None:
    identity = RunIdentity()
    probe = HostProbe(docker_client, identity)
    gone = "sha256:" + "0" * 64  # an image that is not (or no longer) on the host
    try:
        probe.ahead(Batch(gone, mounts_of=share.readonly,
                          with_mounts=tuple(tuple(c) for c in write_test()),
                          volumes=(share.volume,)))
        assert probe.write_fails(share.image, share.readonly)[0] is True
        assert probe.volume_files(share.image, share.volume)["dump.rdb"][0] == 9
        assert probe._count == 3  # the batch that failed, then one probe per question
    finally:
        probe.close()
    assert probes_made(docker_client, identity) == 0

"""A redis image without ``VOLUME /data`` (today's redis:alpine): detected, reported, handled.

The self-test flattens the local redis stand-in into an image that declares no
volume (``docker export | docker import`` keeps its files, entrypoint and
command, drops ``VOLUME``), runs the volumes and cleanup checks with it and
asserts that they all pass, that ``volumes.anonymous_volume`` reports the
drift (the suite supplied ``-v /data``, labelled), and that nothing is left.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import docker
import pytest

from fixtures.images.lab import ensure_images
from fixtures.labels import IMAGE_LABEL, RunIdentity
from selftest.provision_run import leftovers, run_suite

pytestmark = pytest.mark.selftest_docker

TAG = "mobygrade/redis-novolume:selftest"
SOURCE_LABEL = "mobygrade.source"
VOLUME_CHECKS = {
    "volumes.anonymous_volume", "volumes.recreate_loses_data", "volumes.anonymous_reattach",
    "volumes.named_persists", "volumes.readonly", "volumes.same_pattern",
    "volumes.ro_no_divergence_on_disk", "cleanup.prune_scoped",
}


def changes(config: dict[str, object], source_id: str) -> list[str]:
    """``docker import --change`` lines that keep the image's config, without its volumes."""
    out: list[str] = []
    for key in ("Entrypoint", "Cmd"):
        value = config.get(key)
        if value:
            out.append(f"{key.upper()} {json.dumps(value)}")
    if config.get("WorkingDir"):
        out.append(f"WORKDIR {config['WorkingDir']}")
    for item in config.get("Env") or []:  # type: ignore[attr-defined]
        out.append(f"ENV {item}")
    for port in config.get("ExposedPorts") or {}:  # type: ignore[attr-defined]
        out.append(f"EXPOSE {port}")
    out.append(f"LABEL {IMAGE_LABEL}=selftest-redis-novolume {SOURCE_LABEL}={source_id}")
    return out


def image_without_volume(client: docker.DockerClient, source: str) -> str:
    """``TAG``: ``source`` flattened, without VOLUME; rebuilt only when ``source`` changed."""
    image = client.images.get(source)
    try:
        if client.images.get(TAG).labels.get(SOURCE_LABEL) == image.id:
            return TAG
    except docker.errors.ImageNotFound:
        pass
    run = RunIdentity()
    container = client.containers.create(
        source, name=run.name("export"), labels=run.labels("selftest"), network_mode="none"
    )
    try:
        argv = ["docker", "import"]
        for line in changes(image.attrs["Config"], str(image.id)):
            argv += ["--change", line]
        exporter = subprocess.Popen(["docker", "export", container.id], stdout=subprocess.PIPE)
        done = subprocess.run([*argv, "-", TAG], stdin=exporter.stdout, capture_output=True,
                              text=True, timeout=300, check=False)
        exporter.wait(timeout=60)
        assert done.returncode == 0 and exporter.returncode == 0, done.stderr
    finally:
        container.remove(force=True, v=True)
    assert not (client.images.get(TAG).attrs["Config"].get("Volumes") or {})
    return TAG


def test_redis_without_volume_is_lab_drift_not_a_failure(tmp_path: Path) -> None:
    client = docker.from_env(timeout=120)
    images = ensure_images(client, "local", lambda line: None)
    image = image_without_volume(client, images.redis)
    report = tmp_path / "report.json"
    run = run_suite(
        ["tests/provision/test_volumes.py", "tests/provision/test_cleanup.py",
         f"--lab-redis-image={image}"],
        report,
    )
    assert run.statuses == {check: "passed" for check in VOLUME_CHECKS}, run.describe()
    notes = {c["id"]: c["notes"] for c in json.loads(report.read_text())["checks"]}
    assert any("declares no VOLUME /data" in note for note in notes["volumes.anonymous_volume"])
    assert leftovers(client, run) == [], run.describe()

"""The image cache (content-hash labels) and how a session chooses and reports its images."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import docker
import docker.errors
import pytest

from fixtures.images import lab as images_lab
from fixtures.images.build import context_dir, context_hash, image_id
from fixtures.images.lab import LOCAL_TAGS, ensure_images
from fixtures.labels import CONTEXT_LABEL, IMAGE_LABEL

ROOT = Path(__file__).resolve().parents[1]
UNPULLABLE = "mobygrade.invalid/redis:alpine"  # .invalid never resolves: the pull fails at once
SECOND_ENSURE_BOUND_S = 2.0


# --- pure: the content hash -------------------------------------------------------------


def test_context_hash_covers_paths_bytes_and_parent(tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "Dockerfile").write_text("FROM x\n")
    (tmp_path / "static" / "a.js").write_text("1")
    first = context_hash(tmp_path, "sha256:aaa")
    assert context_hash(tmp_path, "sha256:aaa") == first
    assert context_hash(tmp_path, "sha256:bbb") != first, "a new parent image means a rebuild"
    (tmp_path / "static" / "a.js").write_text("2")
    changed_bytes = context_hash(tmp_path, "sha256:aaa")
    assert changed_bytes != first
    (tmp_path / "static" / "a.js").rename(tmp_path / "static" / "b.js")
    assert context_hash(tmp_path, "sha256:aaa") not in (first, changed_bytes)


def test_context_hash_ignores_python_caches(tmp_path: Path) -> None:
    (tmp_path / "server.py").write_text("print(1)\n")
    before = context_hash(tmp_path, "p")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "server.cpython-311.pyc").write_bytes(b"\0")
    assert context_hash(tmp_path, "p") == before


# --- engine: the cache and the session's choice -----------------------------------------


@pytest.mark.selftest_docker
def test_second_ensure_builds_nothing_and_labels_match_the_contexts(
    docker_client: docker.DockerClient,
) -> None:
    ensure_images(docker_client, "local", lambda line: None)
    lines: list[str] = []
    started = time.monotonic()
    again = ensure_images(docker_client, "local", lines.append)
    took = time.monotonic() - started
    assert again.built == () and not any(line.startswith("building") for line in lines), lines
    assert took < SECOND_ENSURE_BOUND_S, f"a cached ensure took {took:.2f} s"
    for role, tag in LOCAL_TAGS.items():
        image = docker_client.images.get(tag)
        base_tag = images_lab_base_tag(docker_client)
        parent = image_id(docker_client, base_tag)
        assert parent is not None
        assert image.labels[IMAGE_LABEL] == role
        assert image.labels[CONTEXT_LABEL] == context_hash(context_dir(role), parent)


def images_lab_base_tag(client: docker.DockerClient) -> str:
    from fixtures.images.baseimage import ensure_base

    tag, built = ensure_base(client, lambda line: None, may_pull=False)
    assert built is None, "the base was cached a moment ago"
    return tag


@pytest.mark.selftest_docker
def test_auto_falls_back_to_local_and_says_why(
    docker_client: docker.DockerClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(images_lab, "HUB_REDIS", UNPULLABLE)
    images = ensure_images(docker_client, "auto", lambda line: None)
    assert images.source == "local"
    assert (images.redis, images.app) == (LOCAL_TAGS["redis"], LOCAL_TAGS["moby-counter"])
    reason = str(images.reason)
    assert UNPULLABLE in reason and "cannot be pulled" in reason


def run_session(tmp_path: Path, *args: str, hub_redis: str | None = None
                ) -> subprocess.CompletedProcess[str]:
    """A pytest session in ``tmp_path`` with mobygrade's fixtures and one test using lab_images."""
    patch = f"import fixtures.images.lab\nfixtures.images.lab.HUB_REDIS = {hub_redis!r}\n"
    (tmp_path / "conftest.py").write_text(patch if hub_redis else "")
    (tmp_path / "test_uses_images.py").write_text(
        "def test_uses(lab_images):\n    print('CHECK RAN', lab_images.redis)\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "fixtures.plugin", "-p", "no:cacheprovider",
         "-s", "--rootdir", str(tmp_path), str(tmp_path), *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.selftest_docker
def test_session_reports_which_images_and_why(tmp_path: Path) -> None:
    done = run_session(tmp_path, "--lab-images=local")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "lab images: --lab-images=local" in done.stdout  # the header
    assert "lab images (local): redis=mobygrade/redis:local" in done.stdout
    assert "--lab-images=local" in done.stdout and "CHECK RAN mobygrade/redis:local" in done.stdout


@pytest.mark.selftest_docker
def test_failed_hub_pull_stops_the_run_with_one_line_before_any_check(tmp_path: Path) -> None:
    done = run_session(tmp_path, "--lab-images=hub", hub_redis=UNPULLABLE)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "CHECK RAN" not in output and "Traceback" not in output
    lines = [line for line in output.splitlines() if "cannot pull" in line]
    assert len(lines) == 1 and UNPULLABLE in lines[0] and "use --lab-images=local" in lines[0]


@pytest.mark.selftest_docker
def test_a_failed_build_is_one_line_naming_the_image_its_last_output_and_the_fix(
    docker_client: docker.DockerClient, tmp_path: Path
) -> None:
    from fixtures.images.build import ImageError, build

    base = ensure_images(docker_client, "local", lambda line: None)
    (tmp_path / "Dockerfile").write_text(
        f"FROM {base.probe}\nRUN printf 'about %s\\n' to-fail && exit 7\n")
    tag = "mobygrade-selftest/broken:local"
    with pytest.raises(ImageError) as caught:
        build(docker_client, "probe", tag, "0" * 64, {}, lambda line: None, directory=tmp_path)
    text = str(caught.value)
    assert "\n" not in text and tag in text and "Fix:" in text
    assert "returned a non-zero code: 7" in text and "last output: about to-fail" in text
    assert image_id(docker_client, tag) is None


@pytest.mark.selftest_docker
def test_base_from_an_existing_debian_image_is_built_then_reused(
    docker_client: docker.DockerClient, monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """The ``debian:bookworm-slim`` path, with our own base standing in for that image."""
    from fixtures.images import baseimage as images_base

    namespace = "mobygrade-selftest"
    request.addfinalizer(lambda: remove_namespace(docker_client, namespace))
    debootstrapped, _ = images_base.ensure_base(docker_client, lambda line: None, may_pull=False)
    monkeypatch.setattr(images_base, "DEBIAN_IMAGE", debootstrapped)
    monkeypatch.setattr(images_base, "debootstrap_digest", lambda: "not-" + "0" * 60)
    lines: list[str] = []
    tag, built = images_base.ensure_base(docker_client, lines.append, may_pull=False,
                                         namespace=namespace)
    assert built == "base" and tag.startswith(f"{namespace}/base:"), lines
    image = docker_client.images.get(tag)
    assert image.labels[IMAGE_LABEL] == "base"
    assert image.labels[CONTEXT_LABEL] == images_base.debian_digest(str(
        docker_client.images.get(debootstrapped).id))
    again, built_again = images_base.ensure_base(docker_client, lambda line: None,
                                                 may_pull=False, namespace=namespace)
    assert (again, built_again) == (tag, None)


def remove_namespace(client: docker.DockerClient, namespace: str) -> None:
    for image in client.images.list(filters={"label": IMAGE_LABEL}):
        for ref in image.tags:
            if ref.startswith(f"{namespace}/"):
                try:
                    client.images.remove(ref)
                except docker.errors.APIError:
                    pass

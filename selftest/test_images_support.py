"""Helpers shared by the image self-tests: a small lab of stand-in containers.

Defines no tests. A test module imports the ``*_fixture`` functions to use the
fixtures ``stand_in_images`` and ``stand_in_lab``. Every object made here carries the run's labels and a run
name, and a finalizer registered right after creation removes it.
"""

from __future__ import annotations

import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import docker
import docker.errors
import pytest
from docker.models.containers import Container
from docker.models.networks import Network

from fixtures.images.lab import LabImages, ensure_images
from fixtures.labels import RunIdentity
from fixtures.wait import wait_until

HTTP_TIMEOUT_S = 3.0
START_TIMEOUT_S = 20.0


def remove_container(client: docker.DockerClient, ident: str) -> None:
    try:
        client.containers.get(ident).remove(force=True, v=True)
    except docker.errors.NotFound:
        pass


def logs_of(*containers: Container | None) -> str:
    """Evidence: the last lines of each container's logs."""
    parts = []
    for c in containers:
        if c is None:
            continue
        try:
            text = c.logs(tail=40).decode(errors="replace")
        except docker.errors.APIError as exc:
            text = f"(no logs: {exc})"
        parts.append(f"--- logs of {c.name} ---\n{text}")
    return "\n".join(parts)


def http(url: str, body: str | None = None, timeout: float = HTTP_TIMEOUT_S) -> tuple[int, str]:
    """(status, body) of one bounded HTTP call; POST when ``body`` is given."""
    data = None if body is None else body.encode()
    request = urllib.request.Request(url, data=data, method="GET" if data is None else "POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


@dataclass
class StandInLab:
    """A user-defined network, a volume, the stand-in redis (alias ``redis``) and the app."""

    client: docker.DockerClient
    run: RunIdentity
    images: LabImages
    finalizer: Callable[[Callable[[], None]], None]
    tag: str = field(default_factory=lambda: secrets.token_hex(3))
    network: Network | None = None
    volume: str = ""
    redis: Container | None = None
    app: Container | None = None
    base_url: str = ""
    redis_port: int = 6379

    def name(self, what: str) -> str:
        return self.run.name(f"{self.tag}-{what}")

    def make_network(self) -> Network:
        net = self.client.networks.create(self.name("net"), driver="bridge",
                                          labels=self.run.labels("selftest-net"))
        self.finalizer(lambda: _remove_network(self.client, net.id))
        self.network = net
        return net

    def make_volume(self) -> str:
        vol = self.client.volumes.create(self.name("data"), labels=self.run.labels("selftest-vol"))
        self.finalizer(lambda: _remove_volume(self.client, vol.name))
        self.volume = str(vol.name)
        return self.volume

    def run_container(self, image: str, what: str, *, aliases: tuple[str, ...] = (),
                      **kwargs: Any) -> Container:
        """Create and start a labelled container on the lab network (removed at teardown)."""
        assert self.network is not None
        endpoint = self.client.api.create_endpoint_config(aliases=list(aliases) or None)
        container = self.client.containers.create(
            image, name=self.name(f"{what}-{secrets.token_hex(2)}"),
            labels=self.run.labels(f"selftest-{what}"), network=self.network.name,
            networking_config={self.network.name: endpoint}, **kwargs)
        self.finalizer(lambda: remove_container(self.client, container.id))
        container.start()
        container.reload()
        return container

    def start_redis(self, *, read_only: bool = False, port: int = 6379,
                    **kwargs: Any) -> Container:
        mode = "ro" if read_only else "rw"
        self.redis_port = port
        if port != 6379:
            kwargs["command"] = ["redis-server", "--port", str(port)]
        self.redis = self.run_container(
            self.images.redis, "redis", aliases=("redis",),
            volumes={self.volume: {"bind": "/data", "mode": mode}}, **kwargs)
        wait_until(lambda: self.redis_cli("PING") == "PONG", timeout=START_TIMEOUT_S,
                   what="the stand-in redis to answer PING", evidence=lambda: logs_of(self.redis))
        return self.redis

    def remove_redis(self) -> None:
        if self.redis is not None:
            remove_container(self.client, self.redis.id)
            self.redis = None

    def redis_cli(self, *args: str) -> str:
        assert self.redis is not None
        code, out = self.redis.exec_run(["redis-cli", "-p", str(self.redis_port), *args],
                                        user="redis")
        text: str = out.decode(errors="replace").strip()
        return text if code == 0 else f"exit {code}: {text}"

    def start_app(self, **kwargs: Any) -> Container:
        self.app = self.run_container(self.images.app, "app",
                                      ports={"80/tcp": ("127.0.0.1", None)}, **kwargs)
        port = self.app.ports["80/tcp"][0]["HostPort"]
        self.base_url = f"http://127.0.0.1:{port}"
        wait_until(lambda: self.get("/v1/ping")[0] == 200, timeout=START_TIMEOUT_S,
                   what="the stand-in app to answer /v1/ping", evidence=self.evidence)
        return self.app

    def get(self, path: str) -> tuple[int, str]:
        return http(self.base_url + path)

    def post(self, path: str, body: str) -> tuple[int, str]:
        return http(self.base_url + path, body)

    def connected(self) -> bool:
        status, body = self.get("/v1/ping")
        return status == 200 and '"connected": true' in body

    def wait_connected(self, timeout: float = 10.0) -> float:
        """Seconds until the app says connected (bounded)."""
        start = time.monotonic()
        wait_until(self.connected, timeout=timeout, what="the app to report connected",
                   evidence=self.evidence, max_interval=0.05)
        return time.monotonic() - start

    def evidence(self) -> str:
        return logs_of(self.app, self.redis)


def _remove_network(client: docker.DockerClient, ident: str) -> None:
    try:
        client.networks.get(ident).remove()
    except docker.errors.NotFound:
        pass


def _remove_volume(client: docker.DockerClient, name: str) -> None:
    try:
        client.volumes.get(name).remove(force=True)
    except docker.errors.NotFound:
        pass


@pytest.fixture(scope="session", name="stand_in_images")
def stand_in_images_fixture(docker_client: docker.DockerClient,
                    pytestconfig: pytest.Config) -> LabImages:
    """The local stand-ins, whatever --lab-images says (they are what is under test)."""
    from fixtures.images.plugin import terminal_progress

    return ensure_images(docker_client, "local", terminal_progress(pytestconfig))


@pytest.fixture(name="stand_in_lab")
def stand_in_lab_fixture(docker_client: docker.DockerClient, run_identity: RunIdentity,
                 stand_in_images: LabImages, request: pytest.FixtureRequest
                 ) -> Iterator[StandInLab]:
    """A network and a volume, ready for ``start_redis`` and ``start_app``."""
    lab = StandInLab(docker_client, run_identity, stand_in_images, request.addfinalizer)
    lab.make_network()
    lab.make_volume()
    yield lab

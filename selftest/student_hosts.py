"""Scripted student hosts: the lab's docker CLI commands, typed as a student would, up to a checkpoint.

Each builder runs ``docker ...`` (list arguments, no shell) on the engine the
environment names, with the lab's exact names (``redis``, ``moby-counter``...),
so only one scripted host can exist on an engine at a time: :meth:`StudentHost.claim`
refuses (the self-test skips) when one of those names is taken by something the
self-tests did not make. What the scripted student creates carries the label
``mobygrade.selftest=<token>`` (a real student's objects carry none, and the
graded checks never look at labels); :meth:`StudentHost.remove_all` removes it
by exact name and label, also after a failure. Prunes a student would type are
run with that label filter, never on the whole engine; anonymous volumes (which
carry no label) are removed by their recorded names.

The student's "clicks" are POSTs to their own app (the self-test acting as the
student, never the grading).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
import requests

from fixtures.inspect.snapshot import LAB_CONTAINERS, LAB_NETWORKS, LAB_VOLUME
from fixtures.wait import wait_until

if TYPE_CHECKING:
    from fixtures.images.lab import LabImages

SELFTEST_LABEL = "mobygrade.selftest"
SECOND_REDIS = "redis-ro"  # the volumes part names no second redis: any name with the alias
CLI_TIMEOUT_S = 60
PRUNE_BUSY_TIMEOUT_S = 60.0  # the engine runs one prune at a time, host-wide
CONNECT_TIMEOUT_S = 30  # the app reconnects with a backoff of at most 1 s (stand-in)
PATTERN = ("100:100", "210:100", "320:100", "155:200", "265:200")  # five whales, two rows
LATER = ("400:400",)  # a whale clicked after the second redis started

# Names the mistakes give containers besides the lab's (claimed free before a case runs).
OTHER_CONTAINERS = ("lab-redis-1", "lab-moby-counter-1", "moby-counter-2", "redis-2", "cache",
                    "web", "moby-counter3", "counter-b")

# Mistakes (and faults) are the builders' ``mistake`` argument; selftest/test_inspect_hosts.py
# lists them with the statuses each must produce.

# An app that accepts connections on port 80 and never answers (the "app hangs" fault).
HANG_SERVER = (
    "import socket,time\n"
    "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
    "s.bind(('', 80)); s.listen(64); held=[]\n"
    "while True: held.append(s.accept()[0])\n"
)


# Anonymous volumes the scripted students made (they carry no label), one name a line;
# one ledger (and one lock) per engine: second engines (selftest.engines) run their
# own students at the same time as the main engine's.
ANON_LEDGER = os.path.join(tempfile.gettempdir(), "mobygrade-student-volumes.txt")


def per_engine(path: str, docker_host: str) -> str:
    """``path`` for the default engine; ``path`` with a short hash of the engine URL otherwise."""
    if docker_host in ("", "unix:///var/run/docker.sock"):
        return path
    stem, ext = os.path.splitext(path)
    return f"{stem}-{hashlib.sha256(docker_host.encode()).hexdigest()[:12]}{ext}"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRADE_TIMEOUT_S = 120  # a hang of the grader fails the self-test instead of blocking it


@dataclass(frozen=True)
class Graded:
    """One ``pytest --lab-mode=inspect`` run: exit status, wall time, its JSON report and output."""

    returncode: int
    wall_s: float
    pid: int
    report: dict[str, Any]  # the JSON report (grading/render/platforms.py)
    output: str
    html: str = ""  # the HTML report of the same run

    @property
    def statuses(self) -> dict[str, str]:
        return {str(c["id"]): str(c["status"]) for c in self.report.get("checks") or []}

    def message(self, check_id: str) -> str:
        checks = self.report.get("checks") or []
        return next((str(c["message"]) for c in checks if c["id"] == check_id), "")


def grade(checkpoint: str, docker_host: str, *extra: str,
          env: dict[str, str] | None = None) -> Graded:
    """Run the grader as a student would, with ``DOCKER_HOST=docker_host`` (and ``env``)."""
    import time

    with tempfile.TemporaryDirectory(prefix="mg-inspect-") as tmp:
        report_path = os.path.join(tmp, "report.json")
        html_path = os.path.join(tmp, "report.html")
        env = {**os.environ, "DOCKER_HOST": docker_host, **(env or {})}
        started = time.monotonic()
        proc = subprocess.Popen(
            ["python", "-m", "pytest", "--lab-mode=inspect", f"--checkpoint={checkpoint}",
             "--lab-images=local", "-p", "no:randomly", "-q",
             f"--grade-report=json:{report_path}", f"--grade-report=html:{html_path}", *extra],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            output, _ = proc.communicate(timeout=GRADE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
            raise AssertionError(f"grading hung for {GRADE_TIMEOUT_S} s:\n{output[-3000:]}") from None
        wall = time.monotonic() - started
        report: dict[str, Any] = {}
        if os.path.exists(report_path):
            with open(report_path, encoding="utf-8") as handle:
                report = json.load(handle)
        html = ""
        if os.path.exists(html_path):
            with open(html_path, encoding="utf-8") as handle:
                html = handle.read()
    return Graded(proc.returncode, wall, proc.pid, report, output, html)


class NameTaken(Exception):
    """A lab name exists on the engine and was not made by the self-tests."""


@contextmanager
def one_student_at_a_time(timeout: float = 900.0, docker_host: str = "") -> Iterator[None]:
    """A lock per engine (``docker_host``; "" is the default one): scripted students share
    the lab's names, so they never overlap on one engine (not even under pytest-xdist)."""
    path = per_engine(os.path.join(tempfile.gettempdir(), "mobygrade-student-host.lock"),
                      docker_host)
    with open(path, "a+") as handle:
        def locked() -> bool:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        wait_until(locked, timeout=timeout, what="another scripted student host to finish",
                   max_interval=1.0)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class StudentHost:
    """One scripted student on one engine; ``env`` carries DOCKER_HOST for the CLI."""

    redis_image: str
    app_image: str
    env: dict[str, str]
    docker_ip: str = "127.0.0.1"
    token: str = field(default_factory=lambda: "st" + secrets.token_hex(4))
    anonymous: set[str] = field(default_factory=set)  # still on the engine
    made: set[str] = field(default_factory=set)  # every anonymous volume this student made

    @property
    def ledger(self) -> str:
        """This engine's ledger of anonymous volumes (see ``ANON_LEDGER``)."""
        return per_engine(ANON_LEDGER, self.env.get("DOCKER_HOST", ""))

    # -- the CLI ----------------------------------------------------------
    def docker(self, *args: str, check: bool = True) -> str:
        def once() -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                ["docker", *args], env=self.env, capture_output=True, text=True,
                timeout=CLI_TIMEOUT_S, check=False,
            )

        proc = once()
        if "prune operation is already running" in proc.stderr:
            # The engine runs one prune at a time, host-wide (another run's): the student
            # would simply type it again.
            proc = wait_until(lambda: (p if "prune operation is already running" not in
                                       (p := once()).stderr else None),
                              timeout=PRUNE_BUSY_TIMEOUT_S, what="the engine to accept a prune")
        if check and proc.returncode != 0:
            raise RuntimeError(f"docker {' '.join(args)}: {proc.stderr.strip() or proc.stdout.strip()}")
        return proc.stdout.strip()

    @property
    def label(self) -> str:
        return f"{SELFTEST_LABEL}={self.token}"

    def network_create(self, name: str) -> None:
        self.docker("network", "create", "--label", self.label, name)

    def volume_create(self, name: str) -> None:
        self.docker("volume", "create", "--label", self.label, name)

    def volume_create_anonymous(self) -> str:
        """``docker volume create`` with no name: a 64-hex name, no label, recorded for removal."""
        name = self.docker("volume", "create")
        self.anonymous.add(name)
        self.made.add(name)
        with open(ANON_LEDGER, "a", encoding="utf-8") as ledger:
            ledger.write(f"{name}\n")
        return name

    def run(self, name: str, *options: str, image: str, command: Sequence[str] = ()) -> None:
        """``docker container run -d --name NAME OPTIONS IMAGE [COMMAND]`` (plus the label)."""
        self.docker("container", "run", "-d", "--name", name, "--label", self.label,
                    *options, image, *command)
        self._record_anonymous(name)

    def _mounts(self, name: str) -> list[dict[str, str]]:
        out = self.docker("container", "inspect", "--format", "{{json .Mounts}}", name)
        return list(json.loads(out or "[]") or [])

    def volume_at(self, name: str, destination: str) -> str:
        """The volume a container mounts at ``destination`` (docker inspect's .Mounts)."""
        return next(m["Name"] for m in self._mounts(name) if m.get("Destination") == destination)

    def _record_anonymous(self, name: str) -> None:
        mounts = self._mounts(name)
        new = {m["Name"] for m in mounts or []
               if m.get("Type") == "volume" and len(m.get("Name", "")) == 64} - self.anonymous
        self.anonymous.update(new)
        self.made.update(new)
        if new:  # on disk too: a crashed self-test's volumes are removed by the next claim()
            with open(self.ledger, "a", encoding="utf-8") as ledger:
                ledger.writelines(f"{v}\n" for v in sorted(new))

    def prune(self, kind: str) -> None:
        """``docker KIND prune``, as the lab says, scoped to this scripted student's objects."""
        self.docker(kind, "prune", "--force", "--filter", f"label={self.label}")
        if kind == "volume":  # anonymous volumes carry no label: remove the recorded ones
            self._remove_anonymous()

    def _remove_anonymous(self) -> None:
        for name in sorted(self.anonymous):
            self.docker("volume", "rm", name, check=False)
        self.anonymous = {n for n in self.anonymous if self._exists("volume", n)}

    def _exists(self, kind: str, name: str) -> bool:
        return bool(self.docker(kind, "inspect", "--format", "{{.Name}}", name, check=False))

    # -- the student's browser ---------------------------------------------
    def app_base(self, name: str) -> str:
        port = self.docker("container", "port", name, "80/tcp").splitlines()[0].rsplit(":", 1)[1]
        return f"http://{self.docker_ip}:{port}"

    def wait_connected(self, name: str) -> None:
        base = self.app_base(name)

        def connected() -> bool:
            body = requests.get(f"{base}/v1/ping", timeout=(2, 3)).json()
            return bool(body.get("connected"))

        wait_until(connected, timeout=CONNECT_TIMEOUT_S, what=f"{name} to say connected",
                   evidence=lambda: self.docker("logs", "--tail", "20", name, check=False))

    def wait_disconnected(self, name: str) -> None:
        base = self.app_base(name)

        def disconnected() -> bool:
            body = requests.get(f"{base}/v1/ping", timeout=(2, 3)).json()
            return not body.get("connected")

        wait_until(disconnected, timeout=CONNECT_TIMEOUT_S, what=f"{name} to say disconnected",
                   evidence=lambda: self.docker("logs", "--tail", "20", name, check=False))

    def wait_restarts(self, name: str, count: int) -> None:
        """Until the engine has restarted ``name`` ``count`` times: a loop, not a slow start."""

        def restarted() -> bool:
            out = self.docker("container", "inspect", "-f", "{{.RestartCount}}", name)
            return int(out.strip() or 0) >= count

        wait_until(restarted, timeout=CONNECT_TIMEOUT_S, what=f"{name} to restart {count} times",
                   evidence=lambda: self.docker("logs", "--tail", "20", name, check=False))

    def click(self, name: str, whales: Sequence[str]) -> None:
        """The student clicking on the page: one POST per whale."""
        base = self.app_base(name)
        for whale in whales:
            requests.post(f"{base}/v1/whales", data=whale, timeout=(2, 5)).raise_for_status()

    def whales(self, name: str) -> list[str]:
        return list(requests.get(f"{self.app_base(name)}/v1/whales", timeout=(2, 3)).json())

    # -- ownership -----------------------------------------------------------
    def _labelled(self, kind: str, name: str) -> str | None:
        """The self-test label's value on the object, "" when unlabelled, None when absent."""
        out = self.docker(kind, "inspect", "--format", "{{json .Config.Labels}}" if kind ==
                          "container" else "{{json .Labels}}", name, check=False)
        if not out:
            return None
        return str((json.loads(out) or {}).get(SELFTEST_LABEL, ""))

    def _lab_objects(self) -> list[tuple[str, str]]:
        """Every name a scripted student may use, the mistakes' misspellings included."""
        return ([("container", n) for n in (*LAB_CONTAINERS, SECOND_REDIS, *OTHER_CONTAINERS)]
                + [("network", n) for n in (*LAB_NETWORKS, *NET1_NAMES.values(), "moby-counter-2")]
                + [("volume", n) for n in (LAB_VOLUME, "redis-data", "webdata", "redis_dat")])

    def claim(self) -> None:
        """Make sure the lab's names are free: leftovers of earlier self-tests are removed,
        anything else raises :class:`NameTaken` (the self-test skips)."""
        for kind, name in self._lab_objects():
            owner = self._labelled(kind, name)
            if owner == "":
                raise NameTaken(f"the {kind} {name} exists on this engine and was not made by "
                                "the self-tests: these self-tests need the lab's names free")
        if os.path.exists(self.ledger):
            with open(self.ledger, encoding="utf-8") as ledger:
                self.anonymous.update(line.strip() for line in ledger if len(line.strip()) == 64)
        self.remove_all(any_selftest=True)
        with open(self.ledger, "w", encoding="utf-8") as ledger:
            ledger.writelines(f"{v}\n" for v in sorted(self.anonymous))
        self.made.clear()  # what earlier runs left is not this student's

    def remove_all(self, any_selftest: bool = False) -> None:
        """Remove what carries this student's label (or any self-test label), whatever its name,
        and the anonymous volumes recorded for it."""
        selector = f"label={SELFTEST_LABEL}" if any_selftest else f"label={self.label}"
        containers = self.docker("container", "ls", "-aq", "--filter", selector).split()
        for cid in containers:
            self._record_anonymous(cid)
        if containers:
            self.docker("container", "rm", "--force", "--volumes", *containers, check=False)
        for kind in ("network", "volume"):
            names = self.docker(kind, "ls", "-q", "--filter", selector).split()
            if names:
                self.docker(kind, "rm", *names, check=False)
        self._remove_anonymous()


@pytest.fixture
def student(student_images: LabImages, student_docker_host: str) -> Iterator[StudentHost]:
    """A scripted student on the engine ``student_docker_host`` names, with ``student_images``
    (both fixtures of the test module that asks for it; selftest/conftest.py shares this one):
    skipped when the lab's names belong to something else; what it made is removed afterwards."""
    with one_student_at_a_time(docker_host=student_docker_host):
        host = StudentHost(student_images.redis, student_images.app,
                           {**os.environ, "DOCKER_HOST": student_docker_host})
        try:
            host.claim()
        except NameTaken as exc:
            pytest.skip(str(exc))
        try:
            yield host
        finally:
            host.remove_all()


# -- the lab, command by command -------------------------------------------------
COMPOSE = ("--label", "com.docker.compose.project=lab")  # what docker compose puts on its objects
NET1_NAMES = {"first_network_misnamed": "moby_counter", "first_network_typo": "moby-couter",
              "compose_project": "lab_moby-counter"}
REDIS_NAMES = {"compose_project": "lab-redis-1"}
APP_NAMES = {"compose_project": "lab-moby-counter-1"}
APP2_NAMES = {"app2_container_typo": "moby-counter-2"}
REDIS2_NAMES = {"redis2_named_redis-2": "redis-2"}
LONG_BACKOFF = ("-e", "MOBYGRADE_BACKOFF_FIRST_S=300")  # stand-in only: a long outage, at once


def networks_part(h: StudentHost, mistake: str = "") -> None:
    """From "docker network create moby-counter" to just before "Arrêtons nos conteneurs"."""
    net1 = NET1_NAMES.get(mistake, "moby-counter")
    net2 = "moby-counter-2" if mistake == "second_network_misnamed" else "moby-counter2"
    redis = REDIS_NAMES.get(mistake, "redis")
    app = APP_NAMES.get(mistake, "moby-counter")
    app2 = APP2_NAMES.get(mistake, "moby-counter2")
    redis2 = REDIS2_NAMES.get(mistake, "redis2")
    compose = COMPOSE if mistake == "compose_project" else ()
    if mistake == "earlier_lab_leftovers":  # an earlier lab's redis, page and volume, still there
        h.volume_create("webdata")
        h.run("cache", "-v", "webdata:/data", image=h.redis_image)
        h.run("web", "-p", "8081:80", image=h.app_image)
    if compose:
        h.docker("network", "create", "--label", h.label, *compose, net1)
    else:
        h.network_create(net1)
    if mistake == "redis_restart_loop":  # a typo in the command, and --restart always
        h.run(redis, "--network", net1, "--restart", "always", image=h.redis_image,
              command=["redis-server", "--no-such-option"])
        h.wait_restarts(redis, 3)
    elif mistake == "redis_runs_app_image":  # the two images swapped in the commands
        h.run(redis, "--network", net1, image=h.app_image)
    elif mistake == "redis_connected_later":  # --network forgotten, fixed with network connect
        h.run(redis, image=h.redis_image)
        h.docker("network", "connect", net1, redis)
    elif compose:
        h.run(redis, "--network", net1, "--network-alias", "redis", *compose, image=h.redis_image)
    else:
        h.run(redis, "--network", net1, image=h.redis_image)
    port = "8080:8080" if mistake == "wrong_container_port" else "80"  # any host port is fine
    hang = ["python3", "-c", HANG_SERVER] if mistake == "app_hangs" else []
    network = [] if mistake == "app_on_default_bridge" else ["--network", net1]
    backoff = LONG_BACKOFF if mistake == "app_reconnecting" else ()
    h.run(app, *network, "-p", port, *compose, *backoff, image=h.app_image, command=hang)
    if mistake not in ("redis_restart_loop", "app_hangs", "wrong_container_port",
                       "redis_runs_app_image", "app_on_default_bridge"):
        h.wait_connected(app)
        if mistake != "no_pattern":
            h.click(app, PATTERN)  # "Faites un motif reconnaissable en cliquant"
    h.network_create(net2)
    app2_network = {"app2_on_first_network": ["--network", net1],
                    "app2_on_first_then_connected": ["--network", net1],
                    "app2_on_default_bridge": []}.get(mistake, ["--network", net2])
    port2 = "9091:80" if mistake == "app2_port_9091" else "9090:80"
    env2 = ("-e", f"USE_REDIS_HOST={redis2}") if mistake == "app2_use_redis_host" else ()
    h.run(app2, "-it", *app2_network, "-p", port2, *env2, image=h.app_image)
    no_alias = mistake in ("no_alias", "app2_use_redis_host")
    alias = [] if no_alias else ["--network-alias", "redis"]
    redis2_network = net1 if mistake == "redis2_on_first_network" else net2
    if mistake != "no_redis2":  # « Créons un deuxième redis avec le même domaine » skipped
        h.run(redis2, "--network", redis2_network, *alias, image=h.redis_image)
    if mistake == "app2_on_both_networks":
        h.docker("network", "connect", net1, app2)
    if mistake == "app2_on_first_then_connected":  # the playtest's student, following the hint
        h.docker("network", "connect", net2, app2)  # "docker network connect moby-counter2 ..."
    if mistake not in ("no_alias", "redis2_on_first_network", "app2_on_default_bridge",
                       "no_redis2"):
        h.wait_connected(app2)
    if mistake == "redis_stopped":
        h.docker("container", "stop", redis)
    if mistake == "second_pair_stopped":  # « Arrêtons nos conteneurs », then graded
        h.docker("container", "stop", app2, redis2)
    if mistake == "app_stopped":
        h.docker("container", "stop", app)
    if mistake == "app_reconnecting":  # redis away long enough for a long backoff, then back
        h.docker("container", "stop", redis)
        h.wait_disconnected(app)
        h.docker("container", "start", redis)


def volumes_part(h: StudentHost, mistake: str = "") -> None:
    """The networks part, then the volumes part up to "Visitez la deuxième application"."""
    networks_part(h)
    h.docker("container", "stop", "moby-counter2", "redis2")
    stale = mistake == "stale_app2_left"  # the networks part's pair left stopped, never pruned
    if not stale:
        h.prune("container")
        h.prune("network")
    h.prune("volume")
    first = h.volume_at("redis", "/data")  # "listez les volumes et inspectez les"
    h.docker("container", "stop", "redis")
    h.docker("container", "rm", "redis")  # its anonymous volume stays: it holds the pattern
    h.run("redis", "--network", "moby-counter", image=h.redis_image)
    h.wait_connected("moby-counter")  # reconnected to an empty redis: the whales are gone
    h.docker("container", "stop", "redis")
    h.docker("container", "rm", "redis")
    h.run("redis", "-v", f"{first}:/data", "--network", "moby-counter", image=h.redis_image)
    h.wait_connected("moby-counter")  # the pattern is back
    volume = "redis-data" if mistake == "volume_misnamed" else LAB_VOLUME
    h.volume_create(volume)
    if mistake == "redis_off_network":
        h.docker("container", "rm", "--force", "redis")
        h.run("redis", "-v", f"{volume}:/data", image=h.redis_image)
    elif mistake != "redis_not_on_redis_data":
        h.docker("container", "rm", "--force", "redis")
        h.run("redis", "-v", f"{volume}:/data", "--network", "moby-counter", image=h.redis_image)
        h.wait_connected("moby-counter")
        if mistake != "no_pattern_after_move":
            h.click("moby-counter", PATTERN)  # a new, empty volume: the student draws again
    if not stale:
        h.network_create("moby-counter2")
    ro = "" if mistake == "no_ro" else ":ro"
    mount = ["-v", f"{volume}:/data{ro}"]
    if mistake in ("second_redis_volume_typo", "second_redis_no_alias_volume_typo"):
        # -v redis_dat:/data:ro: docker makes a new, empty volume of that name (made here with
        # the self-test's label, so that it is removed with the rest)
        h.volume_create("redis_dat")
        mount = ["-v", "redis_dat:/data:ro"]
    elif mistake == "second_redis_without_volume":
        mount = []
    elif mistake == "second_redis_bind_mount":  # « Bind Mounting », just before this step
        where = h.docker("volume", "inspect", "--format", "{{.Mountpoint}}", volume)
        mount = ["-v", f"{where}:/data:ro"]
    elif mistake == "second_redis_mount_flag":
        mount = ["--mount", f"type=volume,src={volume},dst=/data,readonly"]
    elif mistake == "second_redis_volumes_from":
        mount = ["--volumes-from", "redis:ro"]
    by_env = mistake == "app2_use_redis_host"
    no_alias = by_env or mistake in ("second_redis_no_alias", "second_redis_no_alias_volume_typo")
    alias = [] if no_alias else ["--network-alias", "redis"]
    h.run(SECOND_REDIS, "--network", "moby-counter2", *alias, *mount, image=h.redis_image)
    app2_network = "moby-counter" if mistake == "app2_on_first_network" else "moby-counter2"
    app2 = {"stale_app2_left": "moby-counter3", "second_app_other_name": "counter-b"}.get(
        mistake, "moby-counter2")
    env = ["-e", f"USE_REDIS_HOST={SECOND_REDIS}"] if by_env else []
    h.run(app2, "--network", app2_network, "-p", "9090:80", *env, image=h.app_image)
    if not no_alias or by_env:  # without the alias, nothing answers to redis on moby-counter2
        h.wait_connected(app2)
    if mistake != "redis_off_network":
        h.click("moby-counter", LATER)  # clicks after the copy: tolerated
    if mistake == "app_stopped":
        h.docker("container", "stop", "moby-counter")
    if mistake == "second_pair_stopped":  # the second pair stopped (as at « Arrêtons »)
        h.docker("container", "stop", app2, SECOND_REDIS)


def cleanup_part(h: StudentHost, mistake: str = "") -> None:
    """Everything, then "arrêtez les deux redis et les deux moby-counter" and three prunes."""
    if mistake == "never_started":
        return  # a host that never did the lab
    other_app2 = mistake == "second_app_other_name_left"
    volumes_part(h, "second_app_other_name" if other_app2 else "")
    running = ["redis", SECOND_REDIS, "moby-counter", "moby-counter2"]
    if mistake == "stopped_container_left":
        running.remove("moby-counter2")  # stopped only after the prunes
    if other_app2:
        running.remove("moby-counter2")  # « les deux moby-counter »: counter-b forgotten
    if mistake != "skipped_stop":  # skipped_stop: the three prunes with everything running
        h.docker("container", "stop", *running)
    if mistake != "skipped_container_prune":  # stopped, but only networks and volumes pruned
        h.prune("container")
    h.prune("network")
    if mistake in ("orphan_anonymous_volume", "orphan_among_many_dangling"):
        h.docker("volume", "rm", LAB_VOLUME)  # redis_data only: the anonymous ones stay
        if mistake == "orphan_among_many_dangling":  # and others' empty ones, newer
            for _ in range(7):
                h.volume_create_anonymous()
    elif mistake != "volume_left":
        h.prune("volume")
    if mistake == "stopped_container_left":
        h.docker("container", "stop", "moby-counter2")


BUILDERS = {"networks": networks_part, "volumes": volumes_part, "cleanup": cleanup_part}

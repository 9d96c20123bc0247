"""A second Docker engine beside the main one, for self-tests that need another kind of host.

``secondary_engine()`` starts a dockerd with its own socket, data-root, exec-root,
containerd (own namespace) and network, yields its ``DOCKER_HOST`` and undoes
everything on exit. Two shapes:

- ``iptables=False``: in the host's network namespace, on its own bridge
  ``mgbrN`` (10.(200+N).0.1/24, user networks from 10.(200+N).128.0/17), with
  the FORWARD policy set to ACCEPT for the duration: a host without isolation
  between networks. Its published ports are reached on 127.0.0.1 as usual.
- ``iptables=True``: in a network namespace of its own (``mgnsN``). Every
  dockerd with iptables flushes the ``DOCKER*`` chains when it starts, so one
  started in the host's namespace would wipe the main engine's port mappings
  and isolation rules. Its published ports exist inside that namespace only:
  run clients there (``SecondaryEngine.inside(argv)``, or the CLI below). A
  veth to the host carries DNS only: ``--dns`` names a relay to the host's
  resolvers (``engines_dns``), so unknown names answer as on the host.

``version="26"`` uses Debian trixie's Engine 26 binaries, ``"28"`` Debian sid's
Engine 28 (containerd 2.1), both prepared by ``scripts/engine.sh N`` (run on
demand); ``"bookworm"`` the host's dockerd.

CLI (used by ``tox -e engine26`` and ``tox -e engine28``)::

    python -m selftest.engines [--version=26|28] [--no-iptables] [--load-lab-images]
        [--load IMAGE ...] -- COMMAND ...

runs COMMAND with ``DOCKER_HOST`` set (inside the engine's namespace, if any) and
``MOBYGRADE_ENGINE_NO_ISOLATION`` (``1`` with ``--no-iptables``), and exits with its status.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import docker

from fixtures.engine import engine_url
from fixtures.labels import IMAGE_LABEL
from fixtures.wait import wait_until
from selftest import engines_host as host
from selftest.engines_dns import dns_relay

REPO = Path(__file__).resolve().parent.parent
VERSIONS = ("bookworm", "26", "28")
PREPARED = ("26", "28")  # fetched and unpacked by scripts/engine.sh N
START_TIMEOUT_S = 60
PREPARE_TIMEOUT_S = 600
LOAD_TIMEOUT_S = 600


# Set by the CLI for COMMAND: "1" when the engine is a host without isolation (--no-iptables).
NO_ISOLATION_ENV = "MOBYGRADE_ENGINE_NO_ISOLATION"


class EngineUnsupported(Exception):
    """This host cannot run a second engine; ``str()`` is the reason (a skip reason)."""


@dataclass(frozen=True)
class SecondaryEngine:
    docker_host: str
    version: str  # what the engine reports, e.g. "26.1.5+dfsg1"
    api_version: str
    netns: str | None  # network namespace it runs in (iptables=True), else None
    bridge: str | None  # its default bridge in the host namespace (iptables=False)
    log: Path

    def inside(self, argv: Sequence[str]) -> list[str]:
        """``argv`` run in the engine's network namespace (unchanged when it has none)."""
        return netns_argv(self.netns, argv) if self.netns else list(argv)


def netns_argv(netns: str, argv: Sequence[str]) -> list[str]:
    """``argv`` in network namespace ``netns`` only. Not ``ip netns exec``: it remounts
    /sys in a new mount namespace, which hides the cgroup mounts dockerd needs."""
    return ["nsenter", f"--net=/run/netns/{netns}", "--", *argv]


def engine_dir(version: str) -> Path:
    """Where ``scripts/engine.sh VERSION`` unpacks that engine (``MOBYGRADE_ENGINE<N>_DIR``)."""
    default = f"/var/cache/mobygrade/engine{version}"
    return Path(os.environ.get(f"MOBYGRADE_ENGINE{version}_DIR", default))


def dockerd_binary(version: str) -> tuple[str, str]:
    """The dockerd to run and the PATH it needs (containerd, docker-proxy, docker-init)."""
    path = os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
    if version == "bookworm":
        found = shutil.which("dockerd", path=path + ":/usr/sbin:/usr/local/sbin")
        if not found:
            raise EngineUnsupported("dockerd is missing (apt-get install docker.io)")
        return found, path
    if version not in PREPARED:
        raise ValueError(f"version must be one of {VERSIONS}, not {version!r}")
    root = engine_dir(version) / "root"
    dockerd = root / "usr/sbin/dockerd"
    if not (dockerd.exists() and (root.parent / ".complete").exists()):
        prepare_engine(version)
    return str(dockerd), f"{root}/usr/sbin:{root}/usr/bin:{path}"


def prepare_engine(version: str) -> None:
    """Fetch and unpack Engine ``version`` (``scripts/engine.sh``); an error says why."""
    script = REPO / "scripts" / "engine.sh"
    env = {**os.environ, f"MOBYGRADE_ENGINE{version}_DIR": str(engine_dir(version))}
    try:
        done = subprocess.run(
            ["bash", str(script), version], capture_output=True, text=True, env=env,
            timeout=PREPARE_TIMEOUT_S, check=False,
        )
    except subprocess.TimeoutExpired:
        raise host.HostError(f"{script} {version} took more than {PREPARE_TIMEOUT_S} s") from None
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
        raise host.HostError(f"{script} {version} failed ({done.returncode}): " + " | ".join(tail))


def check_host(version: str) -> tuple[str, str]:
    """Root, ip, iptables and a dockerd, or :class:`EngineUnsupported` naming what is missing."""
    if os.geteuid() != 0:
        raise EngineUnsupported("a second engine needs root (dockerd, bridges, iptables)")
    for tool, package in (("ip", "iproute2"), ("iptables", "iptables")):
        if not shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin"):
            raise EngineUnsupported(f"{tool} is missing (apt-get install {package})")
    return dockerd_binary(version)


def dockerd_argv(dockerd: str, slot: host.Slot, *, iptables: bool) -> list[str]:
    work = slot.workdir
    (work / "daemon.json").write_text("{}\n")  # never the host's /etc/docker/daemon.json
    argv = [
        dockerd,
        f"--host=unix://{work}/docker.sock",
        f"--data-root={work}/data",
        f"--exec-root={work}/exec",
        f"--pidfile={work}/dockerd.pid",
        f"--config-file={work}/daemon.json",
        f"--containerd-namespace=mobygrade{slot.number}",
        f"--containerd-plugins-namespace=mobygrade{slot.number}-plugins",
        f"--iptables={str(iptables).lower()}",
    ]
    if iptables:  # own netns: docker0 and default pools of its own; DNS via the host relay
        argv.append(f"--dns={slot.veth_addresses[0]}")
    else:  # host namespace: our own bridge and address pool, no NAT rules
        argv += [f"--bridge={slot.bridge}", f"--default-address-pool={slot.address_pool}",
                 "--ip-masq=false"]
    return argv


def log_tail(log: Path, lines: int = 30) -> str:
    try:
        text = log.read_text(errors="replace").splitlines()[-lines:]
    except OSError as exc:
        return f"(no dockerd log: {exc})"
    return f"dockerd log ({log}), last lines:\n" + "\n".join(text)


def _wait_for_engine(proc: subprocess.Popen[bytes], url: str, log: Path) -> dict[str, str]:
    def answered() -> dict[str, str] | None:
        if proc.poll() is not None:
            return {"exited": str(proc.returncode)}
        client = docker.DockerClient(base_url=url, timeout=5)  # negotiates: needs the socket
        try:
            return dict(client.version())
        finally:
            client.close()

    facts = wait_until(answered, timeout=START_TIMEOUT_S, what=f"dockerd at {url}",
                       evidence=lambda: log_tail(log))
    if "exited" in facts:
        raise host.HostError(f"dockerd exited with status {facts['exited']}.\n{log_tail(log)}")
    return facts


def remove_containers(url: str) -> None:
    """Every container of that engine, force-removed with its anonymous volumes."""
    try:
        client = docker.DockerClient(base_url=url, timeout=30)
        containers = client.containers.list(all=True, ignore_removed=True)
    except docker.errors.DockerException:
        return  # the engine is gone: stopping it and deleting its data-root is all that is left
    try:
        for container in containers:
            with contextlib.suppress(docker.errors.APIError):
                container.remove(force=True, v=True)
    finally:
        client.close()


def lab_image_refs(url: str | None = None) -> list[str]:
    """The suite's own cached images (label ``mobygrade.image``) on the main engine."""
    client = docker.DockerClient(base_url=url or engine_url(), timeout=30)
    try:
        images = client.images.list(filters={"label": IMAGE_LABEL})
        return sorted({tag for image in images for tag in image.tags})
    finally:
        client.close()


def load_images(refs: Sequence[str], target: str, source: str | None = None) -> None:
    """``docker save`` from ``source`` (main engine) piped to ``docker load`` on ``target``."""
    if not refs:
        return
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    save = subprocess.Popen(["docker", "-H", source or engine_url(), "save", *refs],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        load = subprocess.run(["docker", "-H", target, "load", "--quiet"], stdin=save.stdout,
                              capture_output=True, text=True, timeout=LOAD_TIMEOUT_S, env=env,
                              check=False)
        save_err = save.communicate(timeout=LOAD_TIMEOUT_S)[1].decode(errors="replace")
    finally:
        if save.poll() is None:
            save.kill()
            save.wait()
    if save.returncode != 0 or load.returncode != 0:
        raise host.HostError(f"loading {', '.join(refs)} into {target} failed: "
                             f"{save_err.strip()} {load.stderr.strip()}")


def _make_netns(slot: host.Slot) -> None:
    """Namespace ``mgnsN`` with lo up and a veth to the host (for the DNS relay only)."""
    outside, inside = slot.veth
    out_ip, in_ip = slot.veth_addresses
    host.run("ip", "netns", "add", slot.netns)
    host.run("ip", "-n", slot.netns, "link", "set", "lo", "up")
    host.run("ip", "link", "add", outside, "type", "veth", "peer", "name", inside,
             "netns", slot.netns)
    host.run("ip", "addr", "add", f"{out_ip}/30", "dev", outside)
    host.run("ip", "link", "set", outside, "up")
    host.run("ip", "-n", slot.netns, "addr", "add", f"{in_ip}/30", "dev", inside)
    host.run("ip", "-n", slot.netns, "link", "set", inside, "up")


@contextlib.contextmanager
def started_engine(*, iptables: bool = True, version: str = "bookworm",
                   load: Sequence[str] = ()) -> Iterator[SecondaryEngine]:
    """A second engine, running until the block ends; see the module docstring."""
    dockerd, path = check_host(version)
    slot = host.claim_slot()
    owner = host.Owner(pid=os.getpid())
    url = f"unix://{slot.workdir}/docker.sock"
    log = slot.workdir / "dockerd.log"
    with contextlib.ExitStack() as undo:
        undo.callback(lambda: host.release(slot, owner))
        argv = dockerd_argv(dockerd, slot, iptables=iptables)
        if iptables:
            owner.netns, owner.bridge = slot.netns, slot.veth[0]
            host.write_owner(slot, owner)
            _make_netns(slot)
            undo.enter_context(dns_relay(slot.veth_addresses[0]))
            argv = netns_argv(slot.netns, argv)
        else:
            owner.bridge = slot.bridge
            host.write_owner(slot, owner)
            host.run("ip", "link", "add", slot.bridge, "type", "bridge")
            host.run("ip", "addr", "add", slot.bridge_cidr, "dev", slot.bridge)
            host.run("ip", "link", "set", slot.bridge, "up")
            undo.enter_context(host.forward_accept())
        host.write_owner(slot, owner)
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        env["PATH"] = path
        with open(log, "wb") as log_file:
            proc = subprocess.Popen(argv, stdout=log_file, stderr=subprocess.STDOUT, env=env,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        owner.dockerd_pid = proc.pid
        host.write_owner(slot, owner)
        undo.callback(lambda: host.stop_process(proc.pid))
        undo.callback(lambda: remove_containers(url))
        facts = _wait_for_engine(proc, url, log)
        load_images(load, url)
        yield SecondaryEngine(
            docker_host=url, version=str(facts.get("Version", "?")),
            api_version=str(facts.get("ApiVersion", "?")),
            netns=slot.netns if iptables else None, bridge=None if iptables else slot.bridge,
            log=log,
        )


@contextlib.contextmanager
def secondary_engine(*, iptables: bool = True, version: str = "bookworm",
                     load_images: Sequence[str] = ()) -> Iterator[str]:
    """``DOCKER_HOST`` of a second engine for a self-test; skips when the host cannot run one."""
    import pytest

    try:
        check_host(version)
    except EngineUnsupported as exc:
        pytest.skip(f"no secondary engine: {exc}")
    with started_engine(iptables=iptables, version=version, load=load_images) as engine:
        yield engine.docker_host


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m selftest.engines", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", choices=VERSIONS, default="bookworm")
    parser.add_argument("--no-iptables", action="store_true",
                        help="host namespace, no firewall rules: a host without isolation")
    parser.add_argument("--load", action="append", default=[], metavar="IMAGE")
    parser.add_argument("--load-lab-images", action="store_true",
                        help="build the local stand-ins on the main engine, then load every "
                        f"image labelled {IMAGE_LABEL} into the new one")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give a command after --")
    try:
        refs = list(args.load)
        if args.load_lab_images:
            subprocess.run([sys.executable, "-m", "fixtures.images.plugin", "--lab-images=local"],
                           check=True, timeout=1800, cwd=REPO)
            refs += lab_image_refs()
        with started_engine(iptables=not args.no_iptables, version=args.version,
                            load=refs) as engine:
            print(f"mobygrade: second engine {engine.version} (API {engine.api_version}) at "
                  f"{engine.docker_host}" + (f", netns {engine.netns}" if engine.netns else ""),
                  flush=True)
            env = {**os.environ, "DOCKER_HOST": engine.docker_host,
                   NO_ISOLATION_ENV: "1" if args.no_iptables else "0"}
            return subprocess.call(engine.inside(command), env=env)
    except (EngineUnsupported, host.HostError, subprocess.CalledProcessError,
            subprocess.TimeoutExpired, docker.errors.DockerException) as exc:
        print(f"mobygrade: cannot run a second engine: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())

"""Host plumbing for a second Docker engine: slots, bridges, netns, FORWARD policy, cleanup.

Everything here changes the host for the lifetime of one secondary engine and
undoes it afterwards; a run that crashed is swept by the next one (see
:func:`sweep_stale`). Commands run with bounded timeouts and without a shell.
"""

from __future__ import annotations

import contextlib
import fcntl
import ipaddress
import json
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from fixtures.sweep import pid_exists as alive

BASE_DIR = Path("/var/tmp/mobygrade-engines")  # on disk: data-roots can hold images
STATE_DIR = Path("/run/mobygrade")  # tmpfs: the FORWARD-policy refcount dies with a reboot
SLOTS = 32  # slot N uses 10.(200+N).0.0/16, bridge mgbrN, netns mgnsN
CMD_TIMEOUT_S = 30


class HostError(RuntimeError):
    """A host command failed; ``str()`` names the command and its output."""


def run(*argv: str, check: bool = True, timeout: float = CMD_TIMEOUT_S) -> str:
    """Run a command (no shell), bounded; its stdout, or :class:`HostError`."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise HostError(f"{' '.join(argv)}: {exc}") from None
    if check and done.returncode != 0:
        raise HostError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout


@dataclass(frozen=True)
class Slot:
    """One claimed slot: its directory and the names and addresses derived from its number."""

    number: int
    workdir: Path

    @property
    def bridge(self) -> str:
        return f"mgbr{self.number}"

    @property
    def netns(self) -> str:
        return f"mgns{self.number}"

    @property
    def network(self) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Network(f"10.{200 + self.number}.0.0/16")

    @property
    def bridge_cidr(self) -> str:
        """The bridge's own address: first /24 of the slot."""
        return f"10.{200 + self.number}.0.1/24"

    @property
    def veth(self) -> tuple[str, str]:
        """The host end and the namespace end of the netns engine's link to the host."""
        return f"mgvh{self.number}", f"mgvn{self.number}"

    @property
    def veth_addresses(self) -> tuple[str, str]:
        """Host end (the DNS relay's address) and namespace end, one /30."""
        return f"10.{200 + self.number}.1.1", f"10.{200 + self.number}.1.2"

    @property
    def address_pool(self) -> str:
        """``--default-address-pool`` for user-defined networks: upper half of the slot."""
        return f"base=10.{200 + self.number}.128.0/17,size=24"


@dataclass
class Owner:
    """What the sweeper needs to undo a slot whose harness died (``owner.json``)."""

    pid: int
    dockerd_pid: int = 0
    bridge: str = ""  # a link in the host namespace: the bridge, or the veth host end
    netns: str = ""


def write_owner(slot: Slot, owner: Owner) -> None:
    (slot.workdir / "owner.json").write_text(json.dumps(asdict(owner)))


def used_networks() -> list[ipaddress.IPv4Network]:
    """Every IPv4 network the host has an address or a route in."""
    nets: list[ipaddress.IPv4Network] = []
    for line in run("ip", "-4", "-o", "addr", "show").splitlines():
        fields = line.split()
        if "inet" in fields:
            nets.append(ipaddress.IPv4Interface(fields[fields.index("inet") + 1]).network)
    for line in run("ip", "-4", "route", "show", "table", "all").splitlines():
        fields = line.split()
        words = fields[1:] if fields and fields[0] in ("local", "broadcast", "unicast") else fields
        if words and words[0] != "default":
            with contextlib.suppress(ValueError):
                nets.append(ipaddress.IPv4Network(words[0], strict=False))
    return nets


def claim_slot() -> Slot:
    """The first free slot, claimed atomically by creating its directory."""
    BASE_DIR.mkdir(parents=True, exist_ok=True)
    sweep_stale()
    used = used_networks()
    for number in range(SLOTS):
        slot = Slot(number, BASE_DIR / f"mgd{number}")
        if any(slot.network.overlaps(net) for net in used):
            continue
        try:
            slot.workdir.mkdir()
        except FileExistsError:
            continue
        write_owner(slot, Owner(pid=os.getpid()))
        return slot
    raise HostError(f"no free slot among {SLOTS} under {BASE_DIR} (10.200-231.0.0/16 all in use)")


def stop_process(pid: int, *, grace: float = 20.0) -> None:
    """SIGTERM, a bounded wait, then SIGKILL."""
    if not alive(pid):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while alive(pid) and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.1)
    if alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while alive(pid) and time.monotonic() < deadline:
            _reap(pid)
            time.sleep(0.1)


def _reap(pid: int) -> None:
    """Collect our own child's exit status so that it stops being a zombie."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def _unescape(path: str) -> str:
    return path.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace(
        "\\134", "\\"
    )


def mounts_under(root: Path) -> list[str]:
    """Mount points at or below ``root`` in this mount namespace, deepest first."""
    prefix = str(root).rstrip("/")
    found = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = _unescape(line.split()[4])
        if point == prefix or point.startswith(prefix + "/"):
            found.append(point)
    return sorted(found, key=len, reverse=True)


def remove_tree(root: Path) -> None:
    """Unmount whatever is mounted below ``root`` (lazily), then delete it."""
    for point in mounts_under(root):
        run("umount", "--lazy", point, check=False)
    shutil.rmtree(root, ignore_errors=True)


def link_exists(name: str) -> bool:
    return Path("/sys/class/net", name).exists()


def netns_exists(name: str) -> bool:
    return Path("/run/netns", name).exists()


def release(slot: Slot, owner: Owner) -> None:
    """Undo a slot: its dockerd, bridge, netns and directory."""
    if owner.dockerd_pid and alive(owner.dockerd_pid) and _runs_in(owner.dockerd_pid, slot):
        stop_process(owner.dockerd_pid)
    if owner.bridge and link_exists(owner.bridge):
        run("ip", "link", "delete", owner.bridge, check=False)
    if owner.netns and netns_exists(owner.netns):
        run("ip", "netns", "delete", owner.netns, check=False)
    remove_tree(slot.workdir)


def _runs_in(pid: int, slot: Slot) -> bool:
    """Is ``pid`` still our dockerd (and not a recycled pid)?"""
    try:
        return str(slot.workdir) in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="ignore")
    except OSError:
        return False


def sweep_stale() -> None:
    """Release the slots whose harness process is gone (a crashed or killed run)."""
    if not BASE_DIR.is_dir():
        return
    for workdir in sorted(BASE_DIR.glob("mgd*")):
        try:
            owner = Owner(**json.loads((workdir / "owner.json").read_text()))
        except (OSError, ValueError, TypeError):
            # No owner file: a claim in progress or a wreck; only old ones are swept.
            if time.time() - workdir.stat().st_mtime < 300:
                continue
            owner = Owner(pid=0)
        if alive(owner.pid):
            continue
        number = int(workdir.name[3:]) if workdir.name[3:].isdigit() else -1
        release(Slot(number, workdir), owner)


# -- FORWARD policy --------------------------------------------------------------
# Several secondary engines may run at once (pytest-xdist): the first one records
# the policy and sets ACCEPT, the last one out restores what was recorded.


def forward_policy() -> str:
    first = run("iptables", "-w", "10", "-S", "FORWARD").splitlines()[0]
    return first.split()[-1]  # "-P FORWARD DROP"


def _set_forward_policy(policy: str) -> None:
    run("iptables", "-w", "10", "-P", "FORWARD", policy)


@contextlib.contextmanager
def _locked_state() -> Iterator[dict[str, object]]:
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    with open(STATE_DIR / "forward.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        path = STATE_DIR / "forward.json"
        try:
            state: dict[str, object] = json.loads(path.read_text())
        except (OSError, ValueError):
            state = {}
        holders = state.get("holders", [])
        assert isinstance(holders, list)
        state["holders"] = [h for h in holders if alive(int(str(h).split(":")[0]))]
        yield state
        if state["holders"]:
            path.write_text(json.dumps(state))
        else:
            if "original" in state and forward_policy() != state["original"]:
                _set_forward_policy(str(state["original"]))
            path.unlink(missing_ok=True)


@contextlib.contextmanager
def forward_accept() -> Iterator[str]:
    """FORWARD policy ACCEPT for the duration (a host without isolation); yields the original."""
    token = f"{os.getpid()}:{uuid.uuid4().hex}"
    with _locked_state() as state:
        state.setdefault("original", forward_policy())
        holders = state["holders"]
        assert isinstance(holders, list)
        holders.append(token)
        _set_forward_policy("ACCEPT")
        original = str(state["original"])
    try:
        yield original
    finally:
        with _locked_state() as state:
            holders = state["holders"]
            assert isinstance(holders, list)
            if token in holders:
                holders.remove(token)

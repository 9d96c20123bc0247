"""The secondary-engine harness without an engine: dockerd flags, slots, skips."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from selftest import engines, engines_host
from selftest.engines import EngineUnsupported, dockerd_argv, netns_argv, secondary_engine
from selftest.engines_host import Slot


def flags(argv: list[str]) -> dict[str, str]:
    return dict(arg[2:].split("=", 1) for arg in argv[1:] if arg.startswith("--") and "=" in arg)


@pytest.mark.parametrize("iptables", [True, False])
def test_dockerd_has_its_own_everything(tmp_path: Path, iptables: bool) -> None:
    slot = Slot(3, tmp_path)
    argv = dockerd_argv("/usr/sbin/dockerd", slot, iptables=iptables)
    got = flags(argv)
    assert got["host"] == f"unix://{tmp_path}/docker.sock"
    for flag in ("data-root", "exec-root", "pidfile", "config-file"):
        assert got[flag].startswith(str(tmp_path) + "/"), flag
    assert (tmp_path / "daemon.json").read_text().strip() == "{}"
    assert got["containerd-namespace"] not in ("moby", "default")
    assert got["containerd-plugins-namespace"] != got["containerd-namespace"]
    assert got["iptables"] == str(iptables).lower()
    # --bridge=none deletes the main engine's docker0: never.
    assert got.get("bridge") != "none"


def test_without_iptables_the_engine_uses_its_own_bridge_and_pool(tmp_path: Path) -> None:
    got = flags(dockerd_argv("dockerd", Slot(3, tmp_path), iptables=False))
    assert got["bridge"] == "mgbr3"
    assert got["ip-masq"] == "false"
    assert got["default-address-pool"] == "base=10.203.128.0/17,size=24"


def test_with_iptables_the_engine_keeps_docker0_in_its_netns(tmp_path: Path) -> None:
    got = flags(dockerd_argv("dockerd", Slot(3, tmp_path), iptables=True))
    assert "bridge" not in got and "default-address-pool" not in got
    assert got["dns"] == "10.203.1.1"  # the host-side DNS relay


def test_netns_commands_change_only_the_network_namespace() -> None:
    # `ip netns exec` remounts /sys and hides the cgroup mounts dockerd needs.
    assert netns_argv("mgns1", ["dockerd", "-D"]) == [
        "nsenter", "--net=/run/netns/mgns1", "--", "dockerd", "-D"
    ]


def test_slots_do_not_overlap_each_other_or_docker_defaults(tmp_path: Path) -> None:
    slots = [Slot(n, tmp_path) for n in range(engines_host.SLOTS)]
    docker_defaults = [ipaddress.IPv4Network("172.16.0.0/12"),
                       ipaddress.IPv4Network("192.168.0.0/16")]
    for i, slot in enumerate(slots):
        bridge = ipaddress.IPv4Interface(slot.bridge_cidr).network
        pool = ipaddress.IPv4Network(slot.address_pool.split(",")[0].removeprefix("base="))
        assert bridge.subnet_of(slot.network) and pool.subnet_of(slot.network)
        assert not bridge.overlaps(pool)
        assert not any(slot.network.overlaps(d) for d in docker_defaults)
        assert not any(slot.network.overlaps(other.network) for other in slots[i + 1 :])
        assert len(slot.bridge) <= 15  # IFNAMSIZ


def test_no_root_means_a_skip_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines.os, "geteuid", lambda: 1000)
    with pytest.raises(pytest.skip.Exception, match="needs root"), secondary_engine(
        iptables=False
    ):
        pass


def test_no_dockerd_means_a_skip_naming_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines.os, "geteuid", lambda: 0)
    monkeypatch.setattr(engines.shutil, "which", lambda name, path=None: None)
    with pytest.raises(EngineUnsupported, match="apt-get install"):
        engines.check_host("bookworm")


def test_mount_points_are_unescaped() -> None:
    assert engines_host._unescape(r"/var/tmp/a\040b") == "/var/tmp/a b"

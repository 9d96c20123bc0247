"""A fingerprint of a scripted student's host, taken before and after grading: they must be equal.

It covers what grading must never change: the lab's containers (id, state,
start time, restart count, mounts, networks with addresses and aliases), the
lab's networks (id, members), the lab's volumes (name, labels), the sha256 of
every file in ``redis_data`` and in the student's anonymous volumes (read
through a read-only probe mount), and both apps' whale lists (GET).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import docker
import docker.errors
import requests

from fixtures.inspect.snapshot import LAB_CONTAINERS, LAB_NETWORKS, LAB_VOLUME
from fixtures.labels import RunIdentity
from fixtures.probes import Prober
from selftest.student_hosts import SELFTEST_LABEL

APPS = ("moby-counter", "moby-counter2")


def _containers(client: docker.DockerClient, volatile: Iterable[str]) -> dict[str, Any]:
    found = {c["Id"] for c in client.api.containers(all=True, filters={"label": SELFTEST_LABEL})}
    for name in LAB_CONTAINERS:
        found.update(c["Id"] for c in client.api.containers(all=True, filters={"name": f"^/{name}$"}))
    out: dict[str, Any] = {}
    for cid in sorted(found):
        try:
            attrs = client.api.inspect_container(cid)
        except docker.errors.NotFound:
            continue
        name = attrs["Name"].lstrip("/")
        state = attrs["State"]
        moving = name in volatile  # a container restarting in a loop changes by itself
        out[name] = {
            "id": attrs["Id"],
            "status": "<volatile>" if moving else state["Status"],
            "started_at": "<volatile>" if moving else state["StartedAt"],
            "restart_count": "<volatile>" if moving else attrs.get("RestartCount"),
            "mounts": sorted(
                (m.get("Type"), m.get("Name", ""), m.get("Destination"), m.get("RW"))
                for m in attrs.get("Mounts") or []
            ),
            "networks": {
                net: {"id": ep.get("NetworkID"), "ip": "<volatile>" if moving else ep.get("IPAddress"),
                      "aliases": sorted(a for a in ep.get("Aliases") or [] if a != cid[:12])}
                for net, ep in (attrs["NetworkSettings"].get("Networks") or {}).items()
            },
        }
    return out


def _networks(client: docker.DockerClient, volatile: Iterable[str] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for net in client.api.networks():
        if net["Name"] not in LAB_NETWORKS and SELFTEST_LABEL not in (net.get("Labels") or {}):
            continue
        full = client.api.inspect_network(net["Id"])
        out[net["Name"]] = {
            "id": net["Id"],
            # a container restarting in a loop has an endpoint only while it runs
            "containers": sorted(
                name
                for c in (full.get("Containers") or {}).values()
                if (name := c.get("Name", "")) not in volatile
            ),
        }
    return out


def _volumes(client: docker.DockerClient, anonymous: Iterable[str]) -> dict[str, Any]:
    wanted = set(anonymous) | {LAB_VOLUME}
    out: dict[str, Any] = {}
    for vol in (client.api.volumes() or {}).get("Volumes") or []:
        labels = vol.get("Labels") or {}
        if vol["Name"] in wanted or SELFTEST_LABEL in labels:
            out[vol["Name"]] = {"labels": labels}
    return out


def _whales(client: docker.DockerClient, docker_ip: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in APPS:
        try:
            ports = client.api.inspect_container(name)["NetworkSettings"].get("Ports") or {}
        except docker.errors.NotFound:
            continue
        bindings = [b for b in ports.get("80/tcp") or [] if ":" not in b.get("HostIp", "")]
        if not bindings:
            continue
        try:
            response = requests.get(f"http://{docker_ip}:{bindings[0]['HostPort']}/v1/whales",
                                    timeout=(2, 3))
            out[name] = response.json() if response.ok else f"HTTP {response.status_code}"
        except (requests.exceptions.RequestException, ValueError) as exc:
            out[name] = f"no answer ({type(exc).__name__})"
    return out


def fingerprint(
    client: docker.DockerClient,
    probe_image: str,
    *,
    docker_ip: str = "127.0.0.1",
    anonymous: Iterable[str] = (),
    volatile: Iterable[str] = (),
) -> dict[str, Any]:
    """Everything grading must leave as it was; equal dicts mean nothing changed."""
    volatile = tuple(volatile)
    volumes = _volumes(client, anonymous)
    prober = Prober(client, probe_image, RunIdentity())
    try:
        for name, facts in volumes.items():
            facts["files"] = prober.volume_files(name)
    finally:
        prober.close()
    return {
        "containers": _containers(client, volatile),
        "networks": _networks(client, volatile),
        "volumes": volumes,
        "whales": _whales(client, docker_ip),
    }


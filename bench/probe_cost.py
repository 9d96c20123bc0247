"""Benchmark: what one probe container costs an engine, by kind, in wall and machine CPU time.

Inspect mode asks its questions in short-lived containers of the student's images;
this measures each kind the probes use, on the engine of ``DOCKER_HOST`` (default:
the local one), with the suite's stand-in redis image (``--image``):

- started in the engine's host namespace (``network_mode=host``: the app reads, the
  volumes checkpoint's batch), create + start + wait + logs + remove;
- started with a network namespace of its own (``network_mode=none``);
- never started: create + ``get_archive`` of a mounted volume + remove;
- four list calls (containers, networks, volumes, images), for scale.

Machine CPU is /proc/stat's busy time over the whole machine (dockerd, containerd,
the shims and runc included), so run it on a quiet machine. Its objects carry a
name of its own (``mgbench-…``) and are removed at the end.

    python bench/probe_cost.py [--runs 10] [--image mobygrade/redis:local]
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from collections.abc import Callable

import docker


def busy_s() -> float:
    with open("/proc/stat", encoding="ascii") as stat:
        fields = stat.readline().split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(f) for f in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--image", default="mobygrade/redis:local")
    args = parser.parse_args(argv)
    client = docker.from_env()
    tag = "mgbench-" + secrets.token_hex(3)
    volume = client.volumes.create(f"{tag}-vol")
    count = 0

    def name() -> str:
        nonlocal count
        count += 1
        return f"{tag}-{count}"

    def started(network: str) -> None:
        c = client.containers.create(args.image, entrypoint=["sh", "-c"], command=["echo hi"],
                                     network_mode=network, user="0", name=name())
        try:
            c.start()
            c.wait(timeout=30)
            c.logs()
        finally:
            c.remove(force=True, v=True)

    def unstarted() -> None:
        c = client.containers.create(args.image, entrypoint=["true"], name=name(),
                                     volumes={volume.name: {"bind": "/data", "mode": "ro"}})
        try:
            stream, _ = c.get_archive("/data")
            b"".join(stream)
        finally:
            c.remove(force=True, v=True)

    def lists() -> None:
        client.api.containers(all=True)
        client.api.networks()
        client.api.volumes()
        client.api.images()

    kinds: list[tuple[str, Callable[[], None]]] = [
        ("started, host namespace", lambda: started("host")),
        ("started, network none", lambda: started("none")),
        ("never started, archive", unstarted),
        ("4 list calls", lists),
    ]
    try:
        print(f"engine {client.version().get('Version')}, image {args.image}, {args.runs} runs each")
        for label, kind in kinds:
            kind()  # warm
            cpu, started_at = busy_s(), time.monotonic()
            for _ in range(args.runs):
                kind()
            wall = (time.monotonic() - started_at) / args.runs
            print(f"{label:26} wall {wall * 1000:5.0f} ms   machine CPU "
                  f"{(busy_s() - cpu) / args.runs * 1000:5.0f} ms")
    finally:
        volume.remove(force=True)
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

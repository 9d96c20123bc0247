"""Scripted student hosts on second engines that run in their own network namespace.

``selftest.student_hosts.StudentHost`` clicks on the student's app with ``requests``
at ``docker_ip``; an engine from ``selftest.engines`` (``iptables=True``) publishes
its ports inside its namespace only, so :class:`NetnsStudentHost` makes the same
requests from inside that namespace (``nsenter --net``, the stdlib's urllib in a
short python process). The docker CLI reaches the engine by its unix socket, which
is visible from the host's namespace.

    with started_engine(load=LAB_IMAGES) as engine:
        host = NetnsStudentHost.on(engine)
        BUILDERS["volumes"](host)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fixtures.wait import wait_until
from selftest.engines import SecondaryEngine, netns_argv
from selftest.student_hosts import CONNECT_TIMEOUT_S, StudentHost

LAB_IMAGES = ("mobygrade/redis:local", "mobygrade/moby-counter:local", "mobygrade/probe:local")
HTTP_TIMEOUT_S = 20

_CLIENT = r"""
import json, sys, urllib.request
method, url, body = sys.argv[1], sys.argv[2], sys.argv[3]
req = urllib.request.Request(url, data=body.encode() if method == "POST" else None, method=method)
try:
    with urllib.request.urlopen(req, timeout=5) as resp:
        print(json.dumps({"status": resp.status, "body": resp.read().decode()}))
except Exception as exc:
    print(json.dumps({"status": 0, "body": str(exc)}))
"""


@dataclass
class NetnsStudentHost(StudentHost):
    """A scripted student whose browser runs in the engine's network namespace."""

    netns: str = ""

    @classmethod
    def on(cls, engine: SecondaryEngine) -> NetnsStudentHost:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        env["DOCKER_HOST"] = engine.docker_host
        return cls(redis_image=LAB_IMAGES[0], app_image=LAB_IMAGES[1], env=env,
                   netns=engine.netns or "")

    def http(self, method: str, url: str, body: str = "") -> tuple[int, str]:
        argv: Sequence[str] = [sys.executable, "-c", _CLIENT, method, url, body]
        if self.netns:
            argv = netns_argv(self.netns, argv)
        done = subprocess.run(list(argv), capture_output=True, text=True,
                              timeout=HTTP_TIMEOUT_S, check=False)
        try:
            answer: dict[str, Any] = json.loads(done.stdout)
        except ValueError:
            return 0, done.stderr.strip()
        return int(answer["status"]), str(answer["body"])

    def wait_connected(self, name: str) -> None:
        base = self.app_base(name)

        def connected() -> bool:
            status, body = self.http("GET", f"{base}/v1/ping")
            return status == 200 and bool(json.loads(body).get("connected"))

        wait_until(connected, timeout=CONNECT_TIMEOUT_S, what=f"{name} to say connected",
                   evidence=lambda: self.docker("logs", "--tail", "20", name, check=False))

    def click(self, name: str, whales: Sequence[str]) -> None:
        base = self.app_base(name)
        for whale in whales:
            status, body = self.http("POST", f"{base}/v1/whales", whale)
            if status // 100 != 2:
                raise RuntimeError(f"POST {base}/v1/whales {whale}: {status} {body}")

    def whales(self, name: str) -> list[str]:
        status, body = self.http("GET", f"{self.app_base(name)}/v1/whales")
        return list(json.loads(body)) if status == 200 else []

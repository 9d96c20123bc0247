"""A tiny Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (stdlib only).

Defines no tests. Chromium reads commands on its fd 3 and writes replies and
events on its fd 4, each a JSON message ended by a NUL byte: no websocket, no
port, no third-party package. Every wait is bounded.
"""

from __future__ import annotations

import fcntl
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
CALL_TIMEOUT_S = 15.0
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--remote-debugging-pipe", "--window-size=1024,768",
)


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class CdpError(AssertionError):
    """The browser answered with an error, died, or did not answer in time."""


class Browser:
    """A headless Chromium driven over its debugging pipe; ``close()`` always ends it."""

    def __init__(self, binary: str, profile: Path, url: str,
                 extra_flags: Sequence[str] = ()) -> None:
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire_fds() -> None:  # in the child, before exec: its fd 3 reads, fd 4 writes
            high_r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)  # out of 3/4's way first
            high_w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.stderr_path = profile / "chromium.stderr"
        with open(self.stderr_path, "wb") as stderr:
            self.proc = subprocess.Popen(
                [binary, *FLAGS, *extra_flags, f"--user-data-dir={profile}", url],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
                pass_fds=(3, 4), preexec_fn=wire_fds,  # noqa: PLW1509 - only dup2, no locks
            )
        os.close(to_child_r)
        os.close(from_child_w)
        self._replies: queue.Queue[dict[str, Any]] = queue.Queue()
        self.events: list[dict[str, Any]] = []  # every event, in order (enable a domain first)
        self._next_id = 0
        threading.Thread(target=self._read, name="cdp-reader", daemon=True).start()
        self.session = ""

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                data = os.read(self._from_child, 65536)
            except OSError:
                data = b""
            if not data:
                self._replies.put({"id": -1, "closed": True})
                return
            buffer += data
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "id" in message:
                    self._replies.put(message)
                else:
                    self.events.append(message)

    def call(self, method: str, params: dict[str, Any] | None = None,
             session: bool = True, timeout: float = CALL_TIMEOUT_S) -> dict[str, Any]:
        """Send one command and wait for its reply (events go to ``self.events``)."""
        self._next_id += 1
        ident = self._next_id
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CdpError(f"no reply to {method} within {timeout:.0f} s; {self.evidence()}")
            try:
                reply = self._replies.get(timeout=remaining)
            except queue.Empty:
                continue
            if reply.get("closed"):
                raise CdpError(f"chromium closed its pipe during {method}; {self.evidence()}")
            if reply.get("id") == ident:
                if "error" in reply:
                    raise CdpError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result

    def attach_to_page(self) -> None:
        """Attach (flat session) to the page target Chromium opened for the URL."""
        deadline = time.monotonic() + CALL_TIMEOUT_S
        while True:
            targets = self.call("Target.getTargets", session=False)["targetInfos"]
            pages = [t for t in targets if t.get("type") == "page"]
            if pages:
                break
            if time.monotonic() > deadline:
                raise CdpError(f"no page target; targets: {targets}")
            time.sleep(0.1)
        attached = self.call("Target.attachToTarget",
                             {"targetId": pages[0]["targetId"], "flatten": True}, session=False)
        self.session = attached["sessionId"]

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise CdpError(f"{expression!r} raised {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, x: int, y: int) -> None:
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y,
                                                   "button": "left", "clickCount": 1})

    def screenshot(self, path: Path) -> Path:
        import base64

        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def evidence(self) -> str:
        try:
            tail = self.stderr_path.read_text(errors="replace").splitlines()[-10:]
        except OSError:
            tail = []
        return "chromium stderr: " + (" | ".join(tail) or "(empty)")

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                try:
                    self.call("Browser.close", session=False, timeout=3)
                except (CdpError, OSError):
                    pass
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=5)
        finally:
            for fd in (self._to_child, self._from_child):
                try:
                    os.close(fd)
                except OSError:
                    pass

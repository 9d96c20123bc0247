"""A tiny threaded TCP → unix-socket proxy: ``DOCKER_HOST=tcp://127.0.0.1:PORT`` for the self-tests.

The engine keeps its configuration; the proxy listens on 127.0.0.1 on an
ephemeral port and copies bytes both ways (HTTP, and the hijacked streams of
exec/attach). Only loopback: nothing is exposed beyond this machine.

    with TcpProxy("/var/run/docker.sock") as proxy:
        env["DOCKER_HOST"] = proxy.url
"""

from __future__ import annotations

import socket
import threading
from types import TracebackType
from typing import Self

CHUNK = 65536


def _pump(src: socket.socket, dst: socket.socket) -> None:
    """Copy until ``src`` ends, then pass the half-close on."""
    try:
        while True:
            data = src.recv(CHUNK)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


class TcpProxy:
    """Forwards every connection to 127.0.0.1:``port`` to the unix socket ``target``."""

    def __init__(self, target: str = "/var/run/docker.sock", host: str = "127.0.0.1") -> None:
        self.target = target
        self._listener = socket.create_server((host, 0))
        self.host = host
        self.port: int = self._listener.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, name="tcp-proxy", daemon=True)

    @property
    def url(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            upstream.connect(self.target)
        except OSError:
            client.close()
            upstream.close()
            return
        with self._lock:
            self._open.update((client, upstream))
        back = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
        back.start()
        _pump(client, upstream)
        back.join()
        with self._lock:
            self._open.difference_update((client, upstream))
        client.close()
        upstream.close()

    def start(self) -> Self:
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop listening and cut every open connection."""
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() on Linux
        except OSError:
            pass
        self._listener.close()
        with self._lock:
            for conn in list(self._open):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self._thread.join(timeout=2)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

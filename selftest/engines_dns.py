"""A tiny DNS relay: the host's resolvers, offered to an engine in its own network namespace.

An engine in a network namespace of its own cannot reach the host's resolvers,
so its embedded DNS (127.0.0.11) would time out on every name it does not know
where the main engine answers NXDOMAIN. The harness gives the namespace a veth
to the host and starts the engine with ``--dns=<host end>``; this relay listens
there (UDP and TCP port 53) and passes each query, unchanged, to the resolvers
of the host's /etc/resolv.conf. It answers only on that veth address, and every
upstream exchange is bounded.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

UPSTREAM_TIMEOUT_S = 3.0
POLL_S = 0.2


def host_resolvers(resolv_conf: Path = Path("/etc/resolv.conf")) -> list[str]:
    """IPv4 nameservers of the host (loopback ones too: the relay runs on the host)."""
    servers = []
    with contextlib.suppress(OSError):
        for line in resolv_conf.read_text().splitlines():
            fields = line.split()
            if len(fields) >= 2 and fields[0] == "nameserver" and ":" not in fields[1]:
                servers.append(fields[1])
    return servers or ["127.0.0.53"]


def _ask_udp(query: bytes, upstreams: list[str]) -> bytes | None:
    for server in upstreams:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(UPSTREAM_TIMEOUT_S)
            try:
                sock.sendto(query, (server, 53))
                return sock.recv(65535)
            except OSError:
                continue
    return None


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _ask_tcp(query: bytes, upstreams: list[str]) -> bytes | None:
    for server in upstreams:
        try:
            with socket.create_connection((server, 53), timeout=UPSTREAM_TIMEOUT_S) as sock:
                sock.sendall(struct.pack("!H", len(query)) + query)
                (size,) = struct.unpack("!H", _recv_exact(sock, 2))
                return _recv_exact(sock, size)
        except OSError:
            continue
    return None


class DnsRelay:
    """UDP and TCP port 53 on ``address``, relayed to ``upstreams``; stop with ``close()``."""

    def __init__(self, address: str, upstreams: list[str]) -> None:
        self.address = address
        self.upstreams = upstreams
        self._stop = threading.Event()
        self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._udp.bind((address, 53))
        self._tcp.bind((address, 53))
        self._tcp.listen(16)
        for sock in (self._udp, self._tcp):
            sock.settimeout(POLL_S)
        self._threads = [threading.Thread(target=loop, daemon=True, name=f"dns-relay-{name}")
                         for name, loop in (("udp", self._serve_udp), ("tcp", self._serve_tcp))]
        for thread in self._threads:
            thread.start()

    def _serve_udp(self) -> None:
        while not self._stop.is_set():
            try:
                query, client = self._udp.recvfrom(65535)
            except OSError:
                continue
            threading.Thread(target=self._answer_udp, args=(query, client), daemon=True).start()

    def _answer_udp(self, query: bytes, client: tuple[str, int]) -> None:
        answer = _ask_udp(query, self.upstreams)
        if answer is not None and not self._stop.is_set():
            with contextlib.suppress(OSError):
                self._udp.sendto(answer, client)

    def _serve_tcp(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._tcp.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer_tcp, args=(conn,), daemon=True).start()

    def _answer_tcp(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(UPSTREAM_TIMEOUT_S)
            try:
                (size,) = struct.unpack("!H", _recv_exact(conn, 2))
                answer = _ask_tcp(_recv_exact(conn, size), self.upstreams)
                if answer is not None:
                    conn.sendall(struct.pack("!H", len(answer)) + answer)
            except (OSError, struct.error):
                return

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)
        self._udp.close()
        self._tcp.close()


@contextlib.contextmanager
def dns_relay(address: str) -> Iterator[DnsRelay]:
    relay = DnsRelay(address, host_resolvers())
    try:
        yield relay
    finally:
        relay.close()

"""Real ssh and TLS endpoints in front of a Docker engine socket, for the transport self-tests.

``ssh_endpoint(socket)`` starts an OpenSSH ``sshd`` on 127.0.0.1:<free port>
(key-only login as root, host and client keys made for the occasion, all files
in a temporary directory) whose ``authorized_keys`` entry forces
``docker -H unix://<socket> system dial-stdio``: whatever the client asks to
run, the session is a pipe to that engine, so a test can target a second
engine from ``selftest.engines``. The client side is an ssh config file of its
own (``UserKnownHostsFile``, ``IdentityFile``, ``GlobalKnownHostsFile
/dev/null``) passed with ``-F`` through ``MOBYGRADE_SSH_CONFIG``: OpenSSH takes
``~`` from the password database, not ``$HOME``, so pointing HOME elsewhere
would not keep it away from /root/.ssh; ``-F`` does, and nothing under
/root/.ssh is read or written.

``tls_endpoint(socket)`` makes a CA, a server certificate (SAN 127.0.0.1 and
localhost) and a client certificate with ``openssl``, and runs ``socat
openssl-listen:PORT,verify=1,... unix-connect:<socket>``: an engine that only
answers clients holding a certificate of that CA, like ``dockerd --tlsverify``.

Both wait (bounded) until the endpoint answers and kill their processes (their
whole process group) on exit, also when the test failed. ``require(tool)``
skips when a tool is missing, except under ``CI=true`` where it fails: CI must
run these tests.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fixtures.wait import wait_until

START_TIMEOUT_S = 15
APT_PACKAGES = {"sshd": "openssh-server", "ssh": "openssh-client", "ssh-keygen": "openssh-client",
                "socat": "socat", "openssl": "openssl", "docker": "docker.io (the docker CLI)"}


def require(tool: str) -> str:
    """The tool's path; a missing tool skips the test, or fails it when ``CI=true``."""
    import pytest

    found = shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    if found:
        return found
    reason = f"{tool} is missing (apt-get install {APT_PACKAGES.get(tool, tool)})"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must run the transport self-tests: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """The process and everything it started (socat forks one child per connection)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # forked children left behind


def _log_tail(path: Path) -> str:
    try:
        return f"{path.name}:\n" + "\n".join(path.read_text(errors="replace").splitlines()[-20:])
    except OSError as exc:
        return f"(no log {path}: {exc})"


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def _listening(argv: list[str], port: int, log: Path, what: str) -> Iterator[None]:
    """Start ``argv`` (its own process group, output to ``log``), wait (bounded) until it
    listens on 127.0.0.1:``port``, and kill its whole group on exit, also after a failure."""
    with open(log, "wb") as log_file:
        proc = subprocess.Popen(argv, stdout=log_file, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        def listening() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"{Path(argv[0]).name} exited with status {proc.returncode}")
            return _port_open(port)

        wait_until(listening, timeout=START_TIMEOUT_S, what=f"{what} on 127.0.0.1:{port}",
                   evidence=lambda: _log_tail(log))
        yield
    finally:
        _kill_group(proc)


@contextlib.contextmanager
def _tempdir(prefix: str) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o700)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------- ssh


@dataclass(frozen=True)
class SshEndpoint:
    port: int
    docker_host: str  # ssh://root@127.0.0.1:PORT
    ssh_config: Path  # client config: our key, our known_hosts
    workdir: Path

    def env(self) -> dict[str, str]:
        """Environment for the client: DOCKER_HOST and the ssh config to use."""
        return {"DOCKER_HOST": self.docker_host, "MOBYGRADE_SSH_CONFIG": str(self.ssh_config)}

    def client_config(self, name: str, *, known_hosts: bool = True,
                      identity: Path | None = None) -> Path:
        """Another client config: without the host key, or with another (unauthorised) key."""
        path = self.workdir / f"{name}.config"
        known = self.workdir / ("known_hosts" if known_hosts else "empty_known_hosts")
        known.touch()
        path.write_text(_client_config(known, identity or self.workdir / "id_client"))
        return path


def _client_config(known_hosts: Path, identity: Path) -> str:
    return (
        "Host *\n"
        f"  UserKnownHostsFile {known_hosts}\n"
        "  GlobalKnownHostsFile /dev/null\n"
        "  StrictHostKeyChecking yes\n"
        f"  IdentityFile {identity}\n"
        "  IdentitiesOnly yes\n"
        "  IdentityAgent none\n"
        "  LogLevel ERROR\n"
    )


@contextlib.contextmanager
def ssh_endpoint(engine_socket: str = "/var/run/docker.sock") -> Iterator[SshEndpoint]:
    """An sshd on loopback whose sessions are ``docker system dial-stdio`` to ``engine_socket``."""
    sshd = require("sshd")
    require("ssh")
    keygen = require("ssh-keygen")
    docker_cli = require("docker")
    if os.geteuid() != 0:
        import pytest

        pytest.skip("the ssh self-test runs sshd as root (login as root with a key)")
    engine_socket = engine_socket.removeprefix("unix://")
    # sshd's privilege separation directory; Debian creates it only when the service starts.
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    with _tempdir("mg-ssh-") as work:
        for key in ("host_key", "id_client", "id_stranger"):
            _run(keygen, "-q", "-t", "ed25519", "-N", "", "-C", f"mobygrade-{key}",
                 "-f", str(work / key))
        port = free_port()
        forced = f"{docker_cli} -H unix://{engine_socket} system dial-stdio"
        public = (work / "id_client.pub").read_text().strip()
        (work / "authorized_keys").write_text(
            f'command="{forced}",no-pty,no-port-forwarding,no-agent-forwarding,'
            f"no-X11-forwarding {public}\n"
        )
        host_public = (work / "host_key.pub").read_text().split()
        (work / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_public[0]} {host_public[1]}\n")
        config = work / "sshd_config"
        config.write_text(
            f"Port {port}\nListenAddress 127.0.0.1\nHostKey {work / 'host_key'}\n"
            f"PidFile {work / 'sshd.pid'}\nAuthorizedKeysFile {work / 'authorized_keys'}\n"
            "PermitRootLogin prohibit-password\nPasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
            "PermitUserEnvironment no\nX11Forwarding no\nAllowTcpForwarding no\n"
            "LogLevel VERBOSE\nMaxStartups 100\nMaxSessions 100\n"
        )
        client_config = work / "client.config"
        client_config.write_text(_client_config(work / "known_hosts", work / "id_client"))
        with _listening([sshd, "-D", "-e", "-f", str(config)], port, work / "sshd.log", "sshd"):
            yield SshEndpoint(port=port, docker_host=f"ssh://root@127.0.0.1:{port}",
                              ssh_config=client_config, workdir=work)


# --------------------------------------------------------------------------- TLS


@dataclass(frozen=True)
class TlsEndpoint:
    port: int
    docker_host: str  # tcp://127.0.0.1:PORT
    cert_path: Path  # ca.pem, cert.pem, key.pem for the client (DOCKER_CERT_PATH)
    workdir: Path

    def env(self) -> dict[str, str]:
        return {"DOCKER_HOST": self.docker_host, "DOCKER_TLS_VERIFY": "1",
                "DOCKER_CERT_PATH": str(self.cert_path)}


def make_ca(openssl: str, directory: Path, name: str) -> tuple[Path, Path]:
    """A self-signed CA (EC P-256, 1 day): (certificate, key)."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / f"{name}.pem", directory / f"{name}-key.pem"
    _run(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", f"/CN=mobygrade test {name}",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    return cert, key


def make_cert(openssl: str, directory: Path, name: str, ca: tuple[Path, Path], *,
              server: bool) -> tuple[Path, Path]:
    """A certificate signed by ``ca``: a server one (SAN 127.0.0.1, localhost) or a client one."""
    cert, key, csr = directory / f"{name}.pem", directory / f"{name}-key.pem", directory / f"{name}.csr"
    ext = directory / f"{name}.ext"
    ext.write_text(
        "basicConstraints=CA:FALSE\n"
        + ("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
           if server else "extendedKeyUsage=clientAuth\n")
    )
    _run(openssl, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={name}")
    _run(openssl, "x509", "-req", "-in", str(csr), "-CA", str(ca[0]), "-CAkey", str(ca[1]),
         "-CAcreateserial", "-out", str(cert), "-days", "1", "-extfile", str(ext))
    return cert, key


def cert_dir(directory: Path, ca: Path, cert: Path, key: Path) -> Path:
    """A DOCKER_CERT_PATH-style directory: ca.pem, cert.pem, key.pem."""
    directory.mkdir(parents=True, exist_ok=True)
    for src, dst in ((ca, "ca.pem"), (cert, "cert.pem"), (key, "key.pem")):
        shutil.copyfile(src, directory / dst)
    (directory / "key.pem").chmod(0o600)
    return directory


@contextlib.contextmanager
def tls_endpoint(engine_socket: str = "/var/run/docker.sock") -> Iterator[TlsEndpoint]:
    """``socat`` TLS (client certificates required) in front of ``engine_socket``."""
    socat = require("socat")
    openssl = require("openssl")
    engine_socket = engine_socket.removeprefix("unix://")
    with _tempdir("mg-tls-") as work:
        pki = work / "pki"
        ca = make_ca(openssl, pki, "ca")
        server = make_cert(openssl, pki, "server", ca, server=True)
        client = make_cert(openssl, pki, "client", ca, server=False)
        certs = cert_dir(work / "client", ca[0], *client)
        port = free_port()
        listen = (f"openssl-listen:{port},bind=127.0.0.1,reuseaddr,fork,verify=1,"
                  f"cafile={ca[0]},cert={server[0]},key={server[1]}")
        with _listening([socat, "-d", listen, f"unix-connect:{engine_socket}"], port,
                        work / "socat.log", "socat TLS"):
            yield TlsEndpoint(port=port, docker_host=f"tcp://127.0.0.1:{port}",
                              cert_path=certs, workdir=work)

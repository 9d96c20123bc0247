"""Every transport an instructor uses, for real: ssh (a real sshd), TLS (socat with client
certificates), docker contexts, and the one-line errors of each.

The ssh and TLS endpoints come from ``selftest.transports`` and sit in front of
the main engine's socket (read-only calls, plus one container and one tiny
image of this test's own, removed after) or of a second engine
(``selftest.engines``). Missing sshd/socat/openssl skip these tests, except
under ``CI=true`` where they fail.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import docker.errors
import pytest
from docker.utils.socket import frames_iter

from fixtures.engine import DEFAULT_URL, EngineUnavailable, connect
from fixtures.labels import IMAGE_LABEL
from fixtures.transport import (
    Endpoint,
    SshCommandError,
    build_client,
    context_id,
    explain_failure,
    open_client,
    resolve_endpoint,
)
from grading.messages import default_messages, format_message
from selftest.tcp_proxy import TcpProxy
from selftest.transports import (
    SshEndpoint,
    TlsEndpoint,
    cert_dir,
    make_ca,
    make_cert,
    require,
    ssh_endpoint,
    tls_endpoint,
)

REPO = Path(__file__).resolve().parent.parent
MAIN = os.environ.get("DOCKER_HOST") or DEFAULT_URL
ERROR_LIMIT_S = 12.0  # an error line must come quickly (ssh ConnectTimeout is 10 s)


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without DOCKER_* (and ssh config), plus ``extra``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DOCKER_") and k != "MOBYGRADE_SSH_CONFIG"}
    env.update(extra)
    return env


def one_line_error(env: dict[str, str], url: str | None = None) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(EngineUnavailable) as caught:
        client, _, _ = open_client(url, env)
        client.close()
    line = str(caught.value)
    assert "\n" not in line and "Traceback" not in line, line
    assert "HTTPConnectionPool" not in line and "urllib3" not in line, line
    return line, time.monotonic() - started


def assert_words(line: str, *words: str) -> None:
    for word in words:
        assert word.lower() in line.lower(), f"{word!r} missing from: {line}"


def write_context(config: Path, name: str, host: str, *, tls_from: Path | None = None,
                  skip_verify: bool = False) -> None:
    """A context laid out as the docker CLI stores it."""
    meta = config / "contexts" / "meta" / context_id(name)
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps({
        "Name": name, "Metadata": {},
        "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": skip_verify}},
    }))
    if tls_from is not None:
        tls = config / "contexts" / "tls" / context_id(name) / "docker"
        tls.mkdir(parents=True)
        for file in ("ca.pem", "cert.pem", "key.pem"):
            (tls / file).write_bytes((tls_from / file).read_bytes())


# --------------------------------------------------------------------------- resolution (pure)


def test_default_is_the_local_socket(tmp_path: Path) -> None:
    endpoint = resolve_endpoint(clean_env(HOME=str(tmp_path)))
    assert endpoint == Endpoint(url=DEFAULT_URL, transport="unix", source="default")


def test_docker_host_wins_over_contexts(tmp_path: Path) -> None:
    write_context(tmp_path, "lab", "tcp://10.9.9.9:2375")
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "lab"}))
    env = clean_env(DOCKER_CONFIG=str(tmp_path), DOCKER_CONTEXT="lab",
                    DOCKER_HOST="tcp://192.0.2.7:2375")
    endpoint = resolve_endpoint(env)
    assert (endpoint.url, endpoint.context, endpoint.source) == (
        "tcp://192.0.2.7:2375", None, "DOCKER_HOST")
    assert endpoint.published_host == "192.0.2.7"


def test_docker_context_then_current_context(tmp_path: Path) -> None:
    write_context(tmp_path, "lab", "tcp://10.9.9.9:2375")
    write_context(tmp_path, "other", "ssh://student@vm")
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "other"}))
    env = clean_env(DOCKER_CONFIG=str(tmp_path))
    current = resolve_endpoint(env, ssh_lookup=False)
    assert (current.url, current.transport, current.context, current.source) == (
        "ssh://student@vm", "ssh", "other", "currentContext")
    assert current.published_host == "vm"
    chosen = resolve_endpoint({**env, "DOCKER_CONTEXT": "lab"})
    assert (chosen.url, chosen.transport, chosen.context, chosen.source) == (
        "tcp://10.9.9.9:2375", "tcp", "lab", "DOCKER_CONTEXT")
    assert resolve_endpoint({**env, "DOCKER_CONTEXT": "default"}).url == DEFAULT_URL
    named = resolve_endpoint(env, "context:lab")
    assert (named.context, named.source) == ("lab", "url")
    assert str(named.describe()) == "tcp://10.9.9.9:2375 (tcp, context lab)"
    assert format_message(named.describe(), "fr", default_messages()) == (
        "tcp://10.9.9.9:2375 (tcp, contexte lab)")


def test_context_with_tls_files(tmp_path: Path) -> None:
    certs = tmp_path / "certs"
    certs.mkdir()
    for file in ("ca.pem", "cert.pem", "key.pem"):
        (certs / file).write_text("x")
    config = tmp_path / "config"
    write_context(config, "secure", "tcp://10.1.2.3:2376", tls_from=certs)
    endpoint = resolve_endpoint(clean_env(DOCKER_CONFIG=str(config), DOCKER_CONTEXT="secure"))
    assert endpoint.transport == "tls" and endpoint.tls_verify
    tls_dir = config / "contexts" / "tls" / context_id("secure") / "docker"
    assert endpoint.ca_cert == str(tls_dir / "ca.pem")
    assert endpoint.client_key == str(tls_dir / "key.pem")


def test_resolution_never_asks_docker_py(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Contexts are ours: docker-py 7.2's from_env/ContextAPI are never consulted, so
    7.0, 7.1 and 7.2 pick the same engine."""
    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("docker-py's own environment/context handling was used")

    monkeypatch.setattr(docker, "from_env", boom)
    monkeypatch.setattr(docker.DockerClient, "from_env", boom)
    monkeypatch.setattr(docker.utils, "kwargs_from_env", boom)
    write_context(tmp_path, "lab", MAIN)
    endpoint = resolve_endpoint(clean_env(DOCKER_CONFIG=str(tmp_path), DOCKER_CONTEXT="lab"))
    client = build_client(endpoint)
    try:
        assert client.version()["ApiVersion"] == client.api.api_version
    finally:
        client.close()


def test_tls_env(tmp_path: Path) -> None:
    for file in ("ca.pem", "cert.pem", "key.pem"):
        (tmp_path / file).write_text("x")
    env = clean_env(DOCKER_HOST="tcp://lab-vm", DOCKER_TLS_VERIFY="1",
                    DOCKER_CERT_PATH=str(tmp_path))
    endpoint = resolve_endpoint(env)
    assert (endpoint.url, endpoint.transport, endpoint.ca_cert) == (
        "tcp://lab-vm:2376", "tls", str(tmp_path / "ca.pem"))
    assert resolve_endpoint(clean_env(DOCKER_HOST="tcp://lab-vm")).url == "tcp://lab-vm:2375"


# --------------------------------------------------------------------------- errors (pure)


def test_unknown_context_is_one_line(tmp_path: Path) -> None:
    write_context(tmp_path, "lab", "tcp://10.9.9.9:2375")
    line, _ = one_line_error(clean_env(DOCKER_CONFIG=str(tmp_path), DOCKER_CONTEXT="nope"))
    assert_words(line, "unknown docker context 'nope'", "DOCKER_CONTEXT", "known: default, lab",
                 "docker context create nope")
    (tmp_path / "config.json").write_text(json.dumps({"currentContext": "gone"}))
    line, _ = one_line_error(clean_env(DOCKER_CONFIG=str(tmp_path)))
    assert_words(line, "'gone'", "currentContext", "docker context use")
    line, _ = one_line_error(clean_env(DOCKER_CONFIG=str(tmp_path)), "context:typo")
    assert_words(line, "'typo'")


@pytest.mark.parametrize("absent", ["ca.pem", "cert.pem", "key.pem"])
def test_cert_path_missing_a_file_is_one_line(tmp_path: Path, absent: str) -> None:
    for file in ("ca.pem", "cert.pem", "key.pem"):
        if file != absent:
            (tmp_path / file).write_text("x")
    line, _ = one_line_error(clean_env(DOCKER_HOST="tcp://127.0.0.1:2376", DOCKER_TLS_VERIFY="1",
                                       DOCKER_CERT_PATH=str(tmp_path)))
    assert_words(line, absent, "is missing", str(tmp_path), "DOCKER_CERT_PATH")


def test_permission_denied_and_missing_paramiko_are_one_line() -> None:
    unix = Endpoint(url="unix:///run/x/docker.sock", transport="unix")
    denied = PermissionError(13, "Permission denied")
    line = str(explain_failure(unix, denied))
    assert_words(line, "permission denied", "/run/x/docker.sock", "docker group")
    ssh = Endpoint(url="ssh://student@vm", transport="ssh")
    for exc in (docker.errors.DockerException("Install paramiko package to enable ssh:// support"),
                NameError("name 'SSHHTTPAdapter' is not defined")):
        line = str(explain_failure(ssh, exc))
        assert_words(line, "paramiko", "pip install 'docker[ssh]'")
        assert "\n" not in line


@pytest.mark.parametrize(
    ("stderr", "code", "words"),
    [
        ("Host key verification failed.", 255, ["not in known_hosts", "ssh -p 2222 root@vm"]),
        ("root@vm: Permission denied (publickey).", 255, ["refused", "ssh-copy-id"]),
        ("ssh: Could not resolve hostname vm: Name or service not known", 255,
         ["does not resolve", "HostName"]),
        ("ssh: connect to host vm port 2222: Connection refused", 255, ["nothing accepts"]),
        ("bash: line 1: docker: command not found", 127, ["docker CLI", "Install"]),
        ("permission denied while trying to connect to the Docker daemon socket at unix:///"
         + "var/run/docker.sock", 1, ["docker group"]),
        ("ssh: command not found", 127, ["openssh-client"]),
    ],
)
def test_ssh_stderr_is_explained(stderr: str, code: int, words: list[str]) -> None:
    endpoint = Endpoint(url="ssh://root@vm:2222", transport="ssh")
    line = str(explain_failure(endpoint, ConnectionError(SshCommandError(stderr, code))))
    assert "\n" not in line
    assert_words(line, *words)


# --------------------------------------------------------------------------- TLS (socat)


@pytest.fixture(scope="module")
def tls() -> Iterator[TlsEndpoint]:
    with tls_endpoint(MAIN.removeprefix("unix://")) as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def foreign_ca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA bundle unrelated to the engine's CA, for REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE."""
    openssl = require("openssl")
    return make_ca(openssl, tmp_path_factory.mktemp("foreign"), "foreign")[0]


def test_tls_honours_cert_path_whatever_requests_ca_bundle_says(
    tls: TlsEndpoint, foreign_ca: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(foreign_ca))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(foreign_ca))
    env = clean_env(**tls.env())
    client, endpoint, facts = open_client(env=env)
    try:
        assert endpoint.transport == "tls" and endpoint.tls_verify
        assert facts["ApiVersion"] == client.api.api_version
        assert isinstance(client.containers.list(all=True, ignore_removed=True), list)
        assert isinstance(client.images.list(), list)
    finally:
        client.close()
    # The premise: docker-py's own from_env lets requests swap the CA and fails.
    with pytest.raises(docker.errors.DockerException, match="(?i)certificate verify failed"):
        docker.from_env(environment=env, timeout=10)


def test_tls_through_a_context_made_by_the_docker_cli(tls: TlsEndpoint, tmp_path: Path) -> None:
    docker_cli = require("docker")
    config = tmp_path / "docker-config"
    certs = tls.cert_path
    env = clean_env(DOCKER_CONFIG=str(config))
    subprocess.run(
        [docker_cli, "context", "create", "mg-tls", "--docker",
         (f"host={tls.docker_host},ca={certs / 'ca.pem'},cert={certs / 'cert.pem'},"
          f"key={certs / 'key.pem'}")],
        env=env, check=True, capture_output=True, timeout=30,
    )
    client, endpoint, _ = open_client(env={**env, "DOCKER_CONTEXT": "mg-tls"})
    try:
        assert (endpoint.transport, endpoint.context) == ("tls", "mg-tls")
        assert isinstance(client.networks.list(), list)
    finally:
        client.close()
    subprocess.run([docker_cli, "context", "use", "mg-tls"], env=env, check=True,
                   capture_output=True, timeout=30)
    assert json.loads((config / "config.json").read_text())["currentContext"] == "mg-tls"
    client, endpoint, _ = open_client(env=env)
    try:
        assert (endpoint.context, endpoint.source) == ("mg-tls", "currentContext")
    finally:
        client.close()


def test_plain_tcp_context_through_engine_connect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TcpProxy(MAIN.removeprefix("unix://")) as proxy:
        write_context(tmp_path, "mg-tcp", proxy.url)
        monkeypatch.delenv("DOCKER_HOST", raising=False)
        monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
        client, info = connect("context:mg-tcp")
        try:
            assert info.url == proxy.url
            assert isinstance(client.volumes.list(), list)
        finally:
            client.close()


def test_tls_rejected_server_certificate(tls: TlsEndpoint, tmp_path: Path) -> None:
    openssl = require("openssl")
    other = make_ca(openssl, tmp_path / "pki", "other")
    wrong = cert_dir(tmp_path / "wrong-ca", other[0], tls.cert_path / "cert.pem",
                     tls.cert_path / "key.pem")
    line, seconds = one_line_error(clean_env(**{**tls.env(), "DOCKER_CERT_PATH": str(wrong)}))
    assert_words(line, "certificate was rejected", "not signed by", str(wrong / "ca.pem"))
    assert seconds < ERROR_LIMIT_S


def test_tls_rejected_client_certificate(tls: TlsEndpoint, tmp_path: Path) -> None:
    openssl = require("openssl")
    other = make_ca(openssl, tmp_path / "pki", "other")
    client = make_cert(openssl, tmp_path / "pki", "intruder", other, server=False)
    wrong = cert_dir(tmp_path / "wrong-client", tls.cert_path / "ca.pem", *client)
    line, seconds = one_line_error(clean_env(**{**tls.env(), "DOCKER_CERT_PATH": str(wrong)}))
    assert_words(line, "client certificate", str(wrong / "cert.pem"))
    assert seconds < ERROR_LIMIT_S


# --------------------------------------------------------------------------- ssh (sshd)


@pytest.fixture(scope="module")
def sshd() -> Iterator[SshEndpoint]:
    with ssh_endpoint(MAIN.removeprefix("unix://")) as endpoint:
        yield endpoint


def ssh_children() -> list[str]:
    out = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(os.getpid())],
                         capture_output=True, text=True, check=False).stdout
    return [line for line in out.splitlines() if "dial-stdio" in line]


def test_ssh_version_and_list(sshd: SshEndpoint) -> None:
    started = time.monotonic()
    client, endpoint, facts = open_client(env=clean_env(**sshd.env()))
    try:
        assert endpoint.transport == "ssh" and endpoint.published_host == "127.0.0.1"
        assert facts["ApiVersion"] == client.api.api_version
        for _ in range(5):
            assert isinstance(client.containers.list(all=True, ignore_removed=True), list)
        assert len(ssh_children()) <= 2, "pooled: not one ssh per request"
    finally:
        client.close()
    assert time.monotonic() - started < 10
    assert ssh_children() == [], "ssh processes left behind after close()"


def test_ssh_needs_no_paramiko(sshd: SshEndpoint) -> None:
    code = (
        "import sys; sys.modules['paramiko'] = None\n"
        "from fixtures.transport import open_client\n"
        "client, endpoint, facts = open_client()\n"
        "print(endpoint.transport, len(client.images.list()) >= 0); client.close()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=clean_env(**sshd.env()),
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ssh True"


def test_ssh_host_alias_from_the_ssh_config(sshd: SshEndpoint) -> None:
    """``ssh://root@lab-vm`` where only the ssh config knows lab-vm: published ports are
    reached at its HostName."""
    config = sshd.workdir / "alias.config"
    config.write_text(f"Host lab-vm\n  HostName 127.0.0.1\n  Port {sshd.port}\n"
                      + sshd.ssh_config.read_text())
    env = clean_env(DOCKER_HOST="ssh://root@lab-vm", MOBYGRADE_SSH_CONFIG=str(config))
    # known_hosts holds [127.0.0.1]:PORT; HostKeyAlias is not needed since ssh checks the
    # HostName it connects to
    client, endpoint, _ = open_client(env=env)
    try:
        assert endpoint.published_host == "127.0.0.1"
        assert client.ping()
    finally:
        client.close()


def probe_image(client: docker.DockerClient) -> str:
    images = client.images.list(filters={"label": IMAGE_LABEL})
    tags = sorted(tag for image in images for tag in image.tags)
    if not tags:
        reason = "no mobygrade image on the engine (tox builds them in its first step)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason)
        pytest.skip(reason)
    return next((tag for tag in tags if "probe" in tag), tags[0])


def tiny_image_tar(local: docker.DockerClient, tag: str) -> bytes:
    content = io.BytesIO()
    with tarfile.open(fileobj=content, mode="w") as tar:
        info = tarfile.TarInfo("hello.txt")
        info.size = 6
        tar.addfile(info, io.BytesIO(b"hello\n"))
    repo, _, version = tag.partition(":")
    local.api.import_image_from_data(content.getvalue(), repository=repo, tag=version)
    try:
        return b"".join(local.images.get(tag).save(named=True))
    finally:
        local.images.remove(tag, force=True)


def test_ssh_calls_the_probes_need(sshd: SshEndpoint) -> None:
    """What the docstring of fixtures.transport promises: whole answers and streams over ssh."""
    local = docker.DockerClient(base_url=MAIN, timeout=30)
    client, _, _ = open_client(env=clean_env(**sshd.env()))
    name = f"mg-transport-{os.getpid()}"
    tag = f"mg-transport-tiny:{os.getpid()}"
    try:
        image = probe_image(client)
        out = client.containers.run(image, ["sh", "-c", "echo out; echo err >&2"], remove=True,
                                    stderr=True, entrypoint=[])
        assert sorted(out.split()) == [b"err", b"out"]
        container = client.containers.run(image, ["sh", "-c", "echo started; sleep 120"],
                                          detach=True, name=name, entrypoint=[])
        result = container.exec_run(["sh", "-c", "echo hi; echo e >&2; exit 3"], demux=True)
        assert result.exit_code == 3 and result.output == (b"hi\n", b"e\n")
        streamed = container.exec_run(["sh", "-c", "echo 1; echo 2"], stream=True)
        assert b"".join(streamed.output) == b"1\n2\n"
        hijacked = container.exec_run(["sh", "-c", "echo via-socket"], socket=True)
        assert b"".join(data for _, data in frames_iter(hijacked.output, tty=False)) \
            == b"via-socket\n"
        exec_id = client.api.exec_create(container.id, ["cat"], stdin=True)["Id"]
        stdin = client.api.exec_start(exec_id, socket=True)
        stdin.sendall(b"echo-back\n")
        stdin.shutdown(socket.SHUT_WR)
        assert b"".join(data for _, data in frames_iter(stdin, tty=False)) == b"echo-back\n"
        stdin.close()
        assert next(iter(container.attach(stream=True, logs=True))) == b"started\n"
        assert client.api.stats(container.id, stream=False)["read"]
        assert container.top()["Processes"]
        assert container.logs() == b"started\n"
        assert next(container.logs(stream=True, follow=True)) == b"started\n"
        payload = io.BytesIO()
        with tarfile.open(fileobj=payload, mode="w") as tar:
            info = tarfile.TarInfo("note.txt")
            info.size = 3
            tar.addfile(info, io.BytesIO(b"ok\n"))
        assert container.put_archive("/tmp", payload.getvalue())
        bits, stat = container.get_archive("/tmp/note.txt")
        with tarfile.open(fileobj=io.BytesIO(b"".join(bits))) as tar:
            member = tar.extractfile("note.txt")
            assert member is not None and member.read() == b"ok\n"
        assert stat["size"] == 3
        loaded = client.images.load(tiny_image_tar(local, tag))
        assert loaded and local.images.get(tag)
        container.kill()
        assert container.wait(timeout=30)["StatusCode"] == 137
        assert client.version()["ApiVersion"]
    finally:
        client.close()
        for remove in (lambda: local.containers.get(name).remove(force=True),
                       lambda: local.images.remove(tag, force=True)):
            try:
                remove()
            except docker.errors.NotFound:
                pass
        local.close()


def test_ssh_to_a_second_engine(sshd: SshEndpoint) -> None:
    from selftest.engines import secondary_engine

    with secondary_engine(iptables=True) as second, ssh_endpoint(second) as remote:
        client, _, _ = open_client(env=clean_env(**remote.env()))
        try:
            direct = docker.DockerClient(base_url=second, timeout=10)
            # Engines started from one /etc/docker share their ID: compare data roots.
            root = client.info()["DockerRootDir"]
            assert root == direct.info()["DockerRootDir"] != docker.DockerClient(
                base_url=MAIN, timeout=10).info()["DockerRootDir"]
            direct.close()
            assert client.containers.list(all=True, ignore_removed=True) == []
        finally:
            client.close()


def test_ssh_unknown_host_key(sshd: SshEndpoint) -> None:
    config = sshd.client_config("nokey", known_hosts=False)
    line, seconds = one_line_error(clean_env(**{**sshd.env(), "MOBYGRADE_SSH_CONFIG": str(config)}))
    assert_words(line, "not in known_hosts", f"ssh -p {sshd.port} root@127.0.0.1", "ssh-keyscan")
    assert seconds < ERROR_LIMIT_S


def test_ssh_auth_failure(sshd: SshEndpoint) -> None:
    config = sshd.client_config("stranger", identity=sshd.workdir / "id_stranger")
    line, seconds = one_line_error(clean_env(**{**sshd.env(), "MOBYGRADE_SSH_CONFIG": str(config)}))
    assert_words(line, "ssh login as root@127.0.0.1 was refused", "publickey", "ssh-copy-id")
    assert seconds < ERROR_LIMIT_S


def test_ssh_host_that_does_not_resolve(sshd: SshEndpoint) -> None:
    env = clean_env(DOCKER_HOST="ssh://root@mobygrade-no-such-host.invalid",
                    MOBYGRADE_SSH_CONFIG=str(sshd.ssh_config))
    line, seconds = one_line_error(env)
    assert_words(line, "mobygrade-no-such-host.invalid", "does not resolve", "IP address")
    assert seconds < ERROR_LIMIT_S


def test_ssh_port_nobody_listens_on(sshd: SshEndpoint) -> None:
    from selftest.transports import free_port

    port = free_port()
    env = clean_env(DOCKER_HOST=f"ssh://root@127.0.0.1:{port}",
                    MOBYGRADE_SSH_CONFIG=str(sshd.ssh_config))
    line, seconds = one_line_error(env)
    assert_words(line, f"127.0.0.1:{port}", "nothing accepts ssh connections")
    assert seconds < ERROR_LIMIT_S


@pytest.mark.selftest_docker
def test_provision_through_tls_with_an_unrelated_ca_bundle_scores_full_marks(
        tls: TlsEndpoint, foreign_ca: Path, tmp_path: Path) -> None:
    """Provision mode's scenarios run in threads, each with its own client: every one of
    them reaches the engine through the same TLS endpoint as the first (run-prefixed names:
    the shared engine is fine)."""
    report = tmp_path / "grade.json"
    env = clean_env(**tls.env(), REQUESTS_CA_BUNDLE=str(foreign_ca),
                    CURL_CA_BUNDLE=str(foreign_ca))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--lab-images=local", "-q", "-p", "no:randomly",
         f"--grade-report=json:{report}"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False)
    shown = (done.stdout + done.stderr)[-3000:]
    data = json.loads(report.read_text())
    assert done.returncode == 0 and data["score"] == data["max_score"] == 20, shown
    assert data["endpoint"]["transport"] == "tls", data["endpoint"]

"""The inspect probes' parsing, without Docker: batches, busybox nslookup, volume archives.

The batch script is run by this machine's own ``sh`` with the commands the probes
use replaced by ``printf``/``false``, so framing, exit codes and answers without a
final newline (the app's ``{"connected": true}``) are tested for real.
"""

from __future__ import annotations

import io
import subprocess
import tarfile

from fixtures.inspect.probe import (
    Answer,
    Batch,
    archive_files,
    batch_script,
    parse_batch,
    parse_nslookup,
)


def run_script(commands: list[list[str]]) -> list[Answer]:
    logs = subprocess.run(["sh", "-c", batch_script(commands)], capture_output=True, text=True,
                          timeout=10, check=False).stdout
    return parse_batch(logs, len(commands))


def test_a_batch_keeps_each_answer_and_exit_status_even_without_a_final_newline() -> None:
    answers = run_script([["printf", '{"connected": true}'], ["false"],
                          ["printf", "a\\nb\\n"], ["sh", "-c", "echo oops >&2; exit 3"]])
    assert answers == [Answer(0, '{"connected": true}'), Answer(1, ""), Answer(0, "a\nb"),
                       Answer(3, "oops")]


def test_a_batch_cut_short_says_which_answers_are_missing() -> None:
    logs = "@@mobygrade 0 begin\nfine\n\n@@mobygrade 0 end 0\n@@mobygrade 1 begin\npartial"
    assert parse_batch(logs, 3) == [Answer(0, "fine"), Answer(None, "partial"), Answer(None, "")]


NEW = """Server:\t\t127.0.0.11
Address:\t127.0.0.11:53

Non-authoritative answer:
Name:\tredis
Address: 172.18.0.3
Name:\tredis
Address: 172.18.0.2

Non-authoritative answer:
"""
OLD = """Server:    127.0.0.11
Address 1: 127.0.0.11

Name:      redis
Address 1: 172.18.0.2 redis.moby-counter
"""


def test_nslookup_answers_of_new_and_old_busybox() -> None:
    assert parse_nslookup(Answer(0, NEW), "127.0.0.11").addresses == ("172.18.0.2", "172.18.0.3")
    old = parse_nslookup(Answer(0, OLD), "127.0.0.11")
    assert (old.rcode, old.addresses) == ("NOERROR", ("172.18.0.2",))  # not the server's own


def test_nslookup_failures_are_told_apart() -> None:
    nx = "Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\n** server can't find nope: NXDOMAIN\n"
    assert parse_nslookup(Answer(1, nx), "127.0.0.11").rcode == "NXDOMAIN"
    assert parse_nslookup(Answer(1, "nslookup: can't resolve 'nope'"), "s").rcode == "NXDOMAIN"
    assert parse_nslookup(Answer(1, ";; connection timed out; no servers could be reached"),
                          "s").rcode == "TIMEOUT"
    assert parse_nslookup(Answer(None, ""), "s").rcode == "TIMEOUT"
    assert parse_nslookup(Answer(2, "sh: nslookup: not found"), "s").rcode == "ERROR"


def test_volume_archive_lists_files_with_size_and_hash() -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in (("volume/dump.rdb", b"REDIS0011"), ("volume/sub/x", b"")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        directory = tarfile.TarInfo("volume/sub")
        directory.type = tarfile.DIRTYPE
        tar.addfile(directory)
    files = archive_files(buffer.getvalue(), "/volume")
    assert set(files) == {"dump.rdb", "sub/x"}
    assert files["dump.rdb"][0] == 9 and len(files["dump.rdb"][1]) == 64


def test_the_networks_questions_are_asked_ahead_once_per_running_app() -> None:
    from fixtures.inspect.ahead import plan
    from fixtures.inspect.snapshot import ContainerFacts, Endpoint, HostSnapshot

    def container(name: str, status: str = "running", ip: str = "") -> ContainerFacts:
        endpoints = (Endpoint("moby-counter", "n1", ip, ()),) if ip else ()
        return ContainerFacts(id=f"id-{name}", name=name, image_ref="x", image_id=f"img-{name}",
                              image_repos=(), image_role="", status=status, restart_count=0,
                              exit_code=0, endpoints=endpoints, mounts=(), ports=())

    host = HostSnapshot(containers=(container("redis", ip="172.18.0.2"), container("moby-counter"),
                                    container("moby-counter2", status="exited")),
                        networks=(), volumes=())
    assert plan(host, "networks") == [Batch(
        "img-moby-counter", "id-moby-counter",
        commands=(("nslookup", "redis", "127.0.0.11"), ("ping", "-c", "1", "-W", "1", "172.18.0.2")))]
    assert plan(host, "volumes") == []  # no volume, no second redis: nothing its checks ask


def test_isolation_is_asked_ahead_from_redis2_when_the_second_app_is_elsewhere() -> None:
    from fixtures.inspect.ahead import plan
    from fixtures.inspect.snapshot import ContainerFacts, Endpoint, HostSnapshot

    def container(name: str, network: str, ip: str, aliases: tuple[str, ...] = (),
                  image: str = "img-app") -> ContainerFacts:
        return ContainerFacts(id=f"id-{name}", name=name, image_ref="x", image_id=image,
                              image_repos=(), image_role="", status="running", restart_count=0,
                              exit_code=0, endpoints=(Endpoint(network, network, ip, aliases),),
                              mounts=(), ports=())

    ping = ("ping", "-c", "1", "-W", "1", "172.18.0.2")
    host = HostSnapshot(containers=(
        container("redis", "moby-counter", "172.18.0.2", image="img-redis"),
        container("moby-counter", "moby-counter", "172.18.0.3"),
        container("moby-counter2", "moby-counter", "172.18.0.4"),  # the wrong network
        container("redis2", "moby-counter2", "172.19.0.2", ("redis",), image="img-redis")),
        networks=(), volumes=())
    batches = plan(host, "networks")
    assert batches[-1] == Batch("img-app", "id-redis2", commands=(ping,))
    assert len(batches) == 3  # both apps' batches, then redis2's ping


def test_engine_reads_of_every_app_are_asked_ahead_in_one_container() -> None:
    from fixtures.inspect.ahead import plan
    from fixtures.inspect.snapshot import ContainerFacts, HostSnapshot, PortBinding

    def app(name: str, port: str) -> ContainerFacts:
        return ContainerFacts(id=f"id-{name}", name=name, image_ref="x", image_id="img-app",
                              image_repos=(), image_role="", status="running", restart_count=0,
                              exit_code=0, endpoints=(), mounts=(),
                              ports=(PortBinding("80/tcp", "0.0.0.0", port),))

    host = HostSnapshot(containers=(app("moby-counter", "8080"), app("moby-counter2", "9090")),
                        networks=(), volumes=())
    [batch] = plan(host, "volumes", reads="engine")
    assert (batch.image, batch.netns, len(batch.commands)) == ("img-app", "host", 6)
    assert [c[-1] for c in batch.commands[:3]] == ["http://127.0.0.1:8080/",
                                                  "http://127.0.0.1:8080/v1/ping",
                                                  "http://127.0.0.1:8080/v1/whales"]
    assert plan(host, "volumes") == []  # read from here first: nothing asked ahead


def _volumes_host(redis2_rw: bool, reads: str = "auto") -> list[Batch]:
    from fixtures.inspect.ahead import plan
    from fixtures.inspect.snapshot import (
        ContainerFacts,
        Endpoint,
        HostSnapshot,
        Mount,
        PortBinding,
        VolumeFacts,
    )

    def container(name: str, repo: str, net: str, mount: Mount | None = None,
                  port: str = "") -> ContainerFacts:
        ports = (PortBinding("80/tcp", "0.0.0.0", port),) if port else ()
        return ContainerFacts(id=f"id-{name}", name=name, image_ref=repo, image_id=f"img-{repo}",
                              image_repos=(repo,), image_role="", status="running",
                              restart_count=0, exit_code=0,
                              endpoints=(Endpoint(net, f"n-{net}", "172.19.0.2",
                                                  ("redis",) if repo == "redis" else ()),),
                              mounts=(mount,) if mount else (), ports=ports)

    data = Mount("volume", "redis_data", "/var/lib/docker/volumes/redis_data/_data", "/data", True)
    shared = Mount("volume", "redis_data", data.source, "/data", redis2_rw)
    host = HostSnapshot(
        containers=(container("redis", "redis", "moby-counter", data),
                    container("moby-counter", "moby-counter", "moby-counter", port="8080"),
                    container("redis2", "redis", "moby-counter2", shared),
                    container("moby-counter2", "moby-counter", "moby-counter2", port="9090")),
        networks=(), volumes=(VolumeFacts("redis_data", "local", (),
                                          mountpoint=data.source),))
    return plan(host, "volumes", reads=reads)


def test_the_volumes_write_test_and_files_are_asked_in_one_host_container() -> None:
    [batch] = _volumes_host(redis2_rw=False)
    assert (batch.image, batch.netns, batch.mounts_of, batch.volumes, batch.commands) == (
        "img-redis", "host", "id-redis2", ("redis_data",), ())
    assert batch.with_mounts == (("touch", "/data/.mobygrade-write-test"),
                                 ("rm", "-f", "/data/.mobygrade-write-test"))
    [merged] = _volumes_host(redis2_rw=False, reads="engine")  # with the apps' reads: still one
    assert (merged.image, merged.mounts_of, merged.volumes, len(merged.commands)) == (
        "img-moby-counter", "id-redis2", ("redis_data",), 6)
    [files_only] = _volumes_host(redis2_rw=True)  # a read-write share fails without a probe
    assert (files_only.mounts_of, files_only.with_mounts, files_only.volumes) == (
        "", (), ("redis_data",))

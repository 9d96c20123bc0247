"""The probe's DNS parsing, without Docker: dnspython builds and reads the wire bytes."""

from __future__ import annotations

from types import SimpleNamespace

import dns.message
import dns.rcode
import dns.rrset
import docker.errors

from fixtures.labels import RunIdentity
from fixtures.probes import DnsAnswer, Prober, parse_dns


def _answer(name: str, rcode: int, addresses: list[str]) -> bytes:
    query = dns.message.make_query(name, "A")
    response = dns.message.make_response(query)
    response.set_rcode(rcode)
    if addresses:
        response.answer.append(dns.rrset.from_text_list(name, 600, "IN", "A", addresses))
    return response.to_wire()


def test_parse_noerror_with_addresses_sorted() -> None:
    answer = parse_dns(_answer("redis.", dns.rcode.NOERROR, ["172.18.0.3", "172.18.0.2"]), "127.0.0.11")
    assert answer == DnsAnswer("NOERROR", ("172.18.0.2", "172.18.0.3"), "127.0.0.11")


def test_parse_nxdomain_has_no_address() -> None:
    answer = parse_dns(_answer("redis.", dns.rcode.NXDOMAIN, []), "127.0.0.11")
    assert answer.rcode == "NXDOMAIN"
    assert answer.addresses == ()
    assert str(answer) == "Docker's DNS (127.0.0.11) does not know this name (NXDOMAIN)"


class _FakeProbe:
    def __init__(self, name: str, names: set[str]) -> None:
        self.id = f"id-{name}"
        self.name = name
        self.status = "created"
        self._names = names

    def start(self) -> None:
        self.status = "running"

    def reload(self) -> None:
        pass

    def remove(self, force: bool = False, v: bool = False) -> None:
        self._names.discard(self.name)


class _FakeContainers:
    """Like the engine: a name can be used by one container at a time (409 otherwise)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def create(self, image: str, **kwargs: object) -> _FakeProbe:
        name = str(kwargs["name"])
        if name in self.names:
            raise docker.errors.APIError("Conflict", explanation=f"name {name} is in use")
        self.names.add(name)
        return _FakeProbe(name, self.names)


def test_dead_netns_probe_is_replaced_under_the_same_name() -> None:
    client = SimpleNamespace(containers=_FakeContainers())
    prober = Prober(client, "probe:local", RunIdentity())  # type: ignore[arg-type]
    first = prober._in_netns("a" * 64)
    first.status = "exited"  # the probe died (killed, OOM) between two checks
    second = prober._in_netns("a" * 64)
    assert second is not first and second.status == "running"
    assert client.containers.names == {second.name}

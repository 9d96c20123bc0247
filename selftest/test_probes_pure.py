"""The probe's DNS parsing, without Docker: dnspython builds and reads the wire bytes."""

from __future__ import annotations

import dns.message
import dns.rcode
import dns.rrset

from fixtures.probes import DnsAnswer, parse_dns


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
    assert "NXDOMAIN" in str(answer) and "no address" in str(answer)

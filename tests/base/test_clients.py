"""One person counts once: addresses per IPv6 /64, mailboxes however they are spelt."""

import pytest
from django.test import RequestFactory

from dateline.base.clients import client_network, mailbox
from dateline.base.hashes import address_hash


@pytest.mark.parametrize("spelling", [
    "same@example.org", '"same"@example.org', "  same@example.org\n", "same@EXAMPLE.ORG",
    "Same@Example.org.", '"sa\\me"@example.org', "same+news@example.org",
])
def test_every_spelling_of_one_mailbox_is_one_mailbox(spelling):
    assert mailbox(spelling) == "same@example.org"
    assert address_hash(spelling) == address_hash("same@example.org")


def test_different_mailboxes_stay_apart():
    assert mailbox("other@example.org") != mailbox("same@example.org")
    assert mailbox("same@example.com") != mailbox("same@example.org")
    assert mailbox('"a b"@example.org') == "a b@example.org"  # a quoted space is kept
    assert mailbox("ana@BÜCHER.de") == mailbox("ana@xn--bcher-kva.de")


def request_from(address: str):
    return RequestFactory().get("/", REMOTE_ADDR=address)


def test_an_ipv6_network_counts_as_one_client_and_ipv4_as_itself():
    assert client_network(request_from("2001:db8:1:2::1")) == client_network(
        request_from("2001:db8:1:2:ffff:ffff:ffff:ffff")) == "2001:db8:1:2::/64"
    assert client_network(request_from("2001:db8:1:3::1")) == "2001:db8:1:3::/64"
    assert client_network(request_from("fe80::1%eth0")) == "fe80::/64"
    assert client_network(request_from("::ffff:192.0.2.9")) == "192.0.2.9"
    assert client_network(request_from("192.0.2.9")) == "192.0.2.9"

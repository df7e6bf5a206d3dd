"""The hub's own requests: the checked address is the one dialled, and nothing is followed."""

import pytest

from dateline.syndication.websub import outbound


def test_a_host_that_turned_private_is_not_called(subscriber, settings):
    settings.DATELINE_WEBSUB_ALLOW_PRIVATE = False
    with pytest.raises(outbound.PrivateAddress):
        outbound.fetch("POST", subscriber.url(), body=b"feed")
    assert subscriber.received == []


def test_a_redirect_is_an_answer_not_an_instruction(subscriber, second_subscriber):
    subscriber.behaviour.redirect_to = second_subscriber.url()
    reply = outbound.fetch("POST", subscriber.url(), body=b"feed")
    assert reply.status == 302
    assert second_subscriber.received == []


def test_https_checks_the_servers_certificate(subscriber):
    # A server that does not speak TLS (or shows no trusted certificate) gets nothing.
    with pytest.raises(outbound.OutboundError):
        outbound.fetch("POST", subscriber.url().replace("http:", "https:"), body=b"feed")
    assert subscriber.posts() == []


def test_an_unresolvable_host_is_an_outbound_error():
    with pytest.raises(outbound.OutboundError, match="does not resolve"):
        outbound.fetch("GET", "http://nothing.invalid/callback")


def test_the_answer_read_is_bounded(subscriber):
    reply = outbound.fetch("GET", subscriber.url() + "?hub.challenge=" + "c" * 500,
                           read_limit=10)
    assert (reply.status, reply.body) == (200, b"c" * 10)

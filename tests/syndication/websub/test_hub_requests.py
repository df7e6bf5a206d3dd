"""The hub endpoint refuses what it cannot serve with a 4xx and a plain reason, never a 500."""

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from dateline.syndication.websub import outbound
from dateline.syndication.websub.models import Intent, Subscription
from dateline.syndication.websub.outbound import is_public

from .conftest import TOPIC

pytestmark = pytest.mark.django_db

CALLBACK = "http://127.0.0.1:9/callback"
LONG = "x" * 10_000


def ask(hub, **changes):
    fields = {"mode": "subscribe", "topic": TOPIC, "callback": CALLBACK, **changes}
    return hub(**{k: v for k, v in fields.items() if v is not None})


def assert_refused(response, mentions: str, status: int = 400) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert mentions in response.content.decode()
    assert not Intent.objects.exists()


def test_a_good_request_is_accepted_for_later_verification(hub):
    response = ask(hub)
    assert response.status_code == 202
    assert "hub.challenge" in response.content.decode()
    intent = Intent.objects.get()
    assert (intent.mode, intent.topic, intent.callback) == ("subscribe", TOPIC, CALLBACK)


@pytest.mark.parametrize("mode", [None, "", "publish", "SUBSCRIBE", LONG])
def test_missing_or_unknown_modes_are_refused(hub, mode):
    assert_refused(ask(hub, mode=mode), "hub.mode")


@pytest.mark.parametrize("topic", [
    None,
    "http://elsewhere.example/feeds/rss/",  # another site's feed
    "http://testserver/",  # a page, not a feed
    "http://testserver/feeds/rss",  # no trailing slash: not the feed's URL
    "http://testserver/feeds/rss/?page=2",
    "http://testserver/feeds/rss/#top",
    "ftp://testserver/feeds/rss/",
    "http://user@testserver/feeds/rss/",
    "http://testserver/desk/",
    "http://testserver/websub/",
    "javascript:alert(1)",
    "http://[testserver/feeds/rss/",
    "http://testserver/feeds/rss/" + LONG,
])
def test_topics_that_are_not_this_sites_feeds_are_refused(hub, topic):
    assert_refused(ask(hub, topic=topic), "hub.topic")


def test_a_feed_of_a_section_or_tag_that_does_not_exist_is_refused(hub, make_section):
    make_section("World")
    assert_refused(ask(hub, topic="http://testserver/section/nowhere/feed/rss/"), "hub.topic")
    assert_refused(ask(hub, topic="http://testserver/topics/nothing/feed/rss/"), "hub.topic")
    assert ask(hub, topic="http://testserver/section/world/feed/atom/").status_code == 202


@pytest.mark.parametrize("callback", [
    None,
    "javascript:alert(document.cookie)",
    "file:///etc/passwd",
    "ftp://example.org/incoming/",
    "gopher://127.0.0.1:6379/_FLUSHALL",
    "data:text/plain,hello",
    "/relative/callback",
    "http:///no-host",
    "http://user:password@example.org/callback",
    "http://example.org/callback#fragment",
    "http://example.org:99999/callback",
    "http://[::1/callback",
    "http://exa mple.org/callback",
    "http://example.org/call\x00back",
    "http://example.org/\r\nX-Injected: 1",
    "http://例え.テスト/callback",  # an international name, not in punycode
    "http://" + "a" * 300 + ".example/",
    "http://example.org/" + LONG,
])
def test_callbacks_that_are_not_plain_http_urls_are_refused(hub, callback):
    assert_refused(ask(hub, callback=callback), "hub.callback")


@pytest.mark.parametrize("callback", [
    "http://127.0.0.1:8000/callback",
    "http://localhost/callback",
    "http://10.1.2.3/callback",
    "http://192.168.0.10/callback",
    "http://172.16.5.4/callback",
    "http://100.64.0.1/callback",
    "http://0.0.0.0/callback",
    "http://[::1]/callback",
    "http://[fd00::1]/callback",
    "http://[::ffff:127.0.0.1]/callback",
    "https://127.1/callback",
])
def test_private_addresses_are_refused_unless_allowed(hub, settings, callback):
    settings.DATELINE_WEBSUB_ALLOW_PRIVATE = False
    assert_refused(ask(hub, callback=callback), "private")
    settings.DATELINE_WEBSUB_ALLOW_PRIVATE = True
    assert ask(hub, callback=callback).status_code == 202


@pytest.mark.parametrize("callback", [
    "http://169.254.169.254/latest/meta-data/",  # the cloud's metadata service
    "http://[::ffff:169.254.169.254]/", "http://0xa9fea9fe/", "http://[fe80::1]/callback",
])
def test_link_local_addresses_are_refused_even_where_private_ones_are_allowed(
        hub, settings, callback):
    """An outside tester had the hub of a `make run` site (private addresses allowed, for the
    demo) call the metadata address, written three ways: the README says never."""
    settings.DATELINE_WEBSUB_ALLOW_PRIVATE = True
    assert_refused(ask(hub, callback=callback), "private")
    host = callback.split("/")[2].strip("[]")
    with pytest.raises(outbound.PrivateAddress):
        outbound.addresses(host, 80, allow_private=True)


def test_a_public_address_passes_the_private_address_check(hub, settings):
    settings.DATELINE_WEBSUB_ALLOW_PRIVATE = False
    assert ask(hub, callback="http://93.184.215.14/callback").status_code == 202


def test_is_public_sees_through_ipv4_mapped_ipv6():
    assert is_public("93.184.215.14") and is_public("2606:2800:21f:cb07:6820:80da:af6b:8b2c")
    assert not is_public("::ffff:10.0.0.1") and not is_public("fe80::1%eth0")
    assert not is_public("224.0.0.1") and not is_public("255.255.255.255")


@pytest.mark.parametrize("lease", ["abc", "-5", "1.5", "9" * 5000, "٣٠٠"])
def test_leases_that_are_not_whole_seconds_are_refused(hub, lease):
    assert_refused(ask(hub, lease_seconds=lease), "hub.lease_seconds")


@pytest.mark.parametrize("secret", ["s" * 200, "é" * 100, "line\nbreak", "nul\x00"])
def test_secrets_of_200_bytes_or_with_control_characters_are_refused(hub, secret):
    assert_refused(ask(hub, secret=secret), "hub.secret")


def test_a_secret_of_199_bytes_is_kept(hub):
    assert ask(hub, secret="s" * 199).status_code == 202
    assert Intent.objects.get().secret == "s" * 199


def test_unsubscribing_ignores_the_secret(hub):
    assert ask(hub, mode="subscribe").status_code == 202
    assert ask(hub, mode="unsubscribe", secret="s" * 500).status_code == 202
    assert Intent.objects.get().mode == "unsubscribe"  # it replaced the subscription request


def test_unsubscribing_what_nobody_holds_is_answered_alike_and_kept_nowhere(hub):
    """A hundred such requests were a hundred rows and a hundred GETs for the worker."""
    for n in range(5):
        response = ask(hub, mode="unsubscribe", callback=f"http://93.184.0.{n}/probe")
        assert response.status_code == 202 and "hub.challenge" in response.content.decode()
    assert not Intent.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_one_sender_makes_a_bounded_number_of_requests_an_hour(hub, client, settings):
    settings.DATELINE_WEBSUB_REQUESTS_PER_SENDER = 2
    assert ask(hub, mode="publish").status_code == 400  # refused for itself: not counted
    for path in ("/a", "/b"):
        assert ask(hub, callback=f"http://127.0.0.1:9{path}").status_code == 202
    refused = ask(hub, callback="http://127.0.0.1:9/c")
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3600
    assert "at most 2 requests an hour from one sender" in refused.content.decode()
    assert Intent.objects.count() == 2
    other = client.post("/websub/", {"hub.mode": "subscribe", "hub.topic": TOPIC,
                                     "hub.callback": "http://127.0.0.1:9/c"},
                        REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 202  # another sender


def test_verifications_wait_behind_the_sites_own_work():
    from dateline.intelligence.tasks import BULK_PRIORITY
    from dateline.syndication.websub.distribution import distribute_pending
    from dateline.syndication.websub.verification import verify_intent

    assert BULK_PRIORITY < verify_intent.priority < distribute_pending.priority == 0


def test_a_callback_host_holds_a_bounded_number_of_subscriptions(hub, settings):
    settings.DATELINE_WEBSUB_MAX_PER_HOST = 2
    for path in ("/a", "/b"):
        assert ask(hub, callback=f"http://127.0.0.1:9{path}").status_code == 202
    response = ask(hub, callback="http://127.0.0.1:9/c")
    assert response.status_code == 429 and "127.0.0.1" in response.content.decode()
    assert ask(hub, callback="http://127.0.0.1:9/a").status_code == 202  # renewing is fine
    assert ask(hub, callback="http://127.0.0.2:9/c").status_code == 202  # another host


def test_only_form_posts_are_taken(client):
    asked = client.get("/websub/")  # a person following a link to it reads what it is
    assert asked.status_code == 405 and asked["Allow"] == "POST"
    assert "WebSub hub of this site's feeds: subscribers POST hub.mode" in asked.content.decode()
    response = client.post("/websub/", {"hub.mode": "subscribe", "hub.topic": TOPIC,
                                        "hub.callback": CALLBACK}, content_type="application/json")
    assert response.status_code == 400
    response = client.post("/websub/", b"hub.mode=%FF%FE&hub.topic=%00",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert not Intent.objects.exists() and not Subscription.objects.exists()


def test_the_hub_needs_no_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/websub/", {"hub.mode": "subscribe", "hub.topic": TOPIC,
                                        "hub.callback": CALLBACK})
    assert response.status_code == 202


def test_production_refuses_private_addresses_by_default():
    from dateline.settings import base

    assert base.DATELINE_WEBSUB_ALLOW_PRIVATE is False

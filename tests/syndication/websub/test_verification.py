"""Verify intent: a request counts only once a real callback echoes the hub's challenge."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.syndication.websub.models import Intent, Subscription
from tests.newsroom.test_scheduling import run_worker

from .conftest import TOPIC

pytestmark = pytest.mark.django_db(transaction=True)


def test_subscribing_sends_a_challenge_and_the_echo_makes_it_active(hub, subscriber, settings):
    response = hub(mode="subscribe", topic=TOPIC, callback=subscriber.url("/cb?partner=7"),
                   lease_seconds="86400", secret="partner-secret")
    assert response.status_code == 202
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert not Subscription.objects.exists()  # nothing counts before the callback confirms
    run_worker()
    (check,) = subscriber.gets()
    assert check.path == "/cb"
    assert check.query["partner"] == "7"  # the callback's own query is kept
    assert check.query["hub.mode"] == "subscribe"
    assert check.query["hub.topic"] == TOPIC
    assert check.query["hub.lease_seconds"] == "86400"
    assert len(check.query["hub.challenge"]) >= 32
    subscription = Subscription.objects.get()
    assert (subscription.topic, subscription.topic_path) == (TOPIC, "/feeds/rss/")
    assert subscription.secret == "partner-secret"
    assert subscription.callback == subscriber.url("/cb?partner=7")
    left = subscription.expires_at - timezone.now()
    assert timedelta(hours=23) < left <= timedelta(days=1)
    assert not Intent.objects.exists()


@pytest.mark.parametrize("answer", ["wrong", "refuse"])
def test_a_callback_that_does_not_echo_the_challenge_is_not_subscribed(hub, subscriber, answer):
    subscriber.behaviour.verification = answer
    assert hub(mode="subscribe", topic=TOPIC, callback=subscriber.url()).status_code == 202
    run_worker()
    assert len(subscriber.gets()) == 1
    assert not Subscription.objects.exists()
    assert not Intent.objects.exists()


def test_a_callback_nobody_listens_on_is_not_subscribed(hub, subscriber):
    callback = subscriber.url()
    subscriber.close()
    assert hub(mode="subscribe", topic=TOPIC, callback=callback).status_code == 202
    run_worker()
    assert not Subscription.objects.exists()


def test_unsubscribing_is_verified_too_and_then_removes_it(hub, subscribe, subscriber):
    subscribe(subscriber.url())
    assert Subscription.objects.count() == 1
    subscriber.behaviour.verification = "wrong"  # a third party asking on the partner's behalf
    assert hub(mode="unsubscribe", topic=TOPIC, callback=subscriber.url()).status_code == 202
    run_worker()
    assert Subscription.objects.count() == 1
    subscriber.behaviour.verification = "echo"
    assert hub(mode="unsubscribe", topic=TOPIC, callback=subscriber.url()).status_code == 202
    run_worker()
    last = subscriber.gets()[-1]
    assert last.query["hub.mode"] == "unsubscribe" and "hub.lease_seconds" not in last.query
    assert not Subscription.objects.exists()


def test_resubscribing_renews_the_lease_and_replaces_the_secret(subscribe, subscriber):
    subscribe(subscriber.url(), lease_seconds="7200", secret="old")
    first = Subscription.objects.get()
    subscribe(subscriber.url(), lease_seconds="864000", secret="new")
    renewed = Subscription.objects.get()
    assert renewed.pk == first.pk
    assert (renewed.secret, renewed.lease_seconds) == ("new", 864000)
    assert renewed.expires_at > first.expires_at


@pytest.mark.parametrize(("asked", "granted"), [
    ("", 10 * 86400), ("1", 3600), ("99999999999", 30 * 86400), ("86400", 86400),
])
def test_leases_are_held_between_the_hubs_bounds(subscribe, subscriber, asked, granted):
    subscribe(subscriber.url(), lease_seconds=asked)
    assert Subscription.objects.get().lease_seconds == granted
    assert subscriber.gets()[0].query["hub.lease_seconds"] == str(granted)


def test_a_newer_request_for_the_same_pair_replaces_the_waiting_one(hub, subscriber):
    hub(mode="subscribe", topic=TOPIC, callback=subscriber.url(), secret="first")
    hub(mode="subscribe", topic=TOPIC, callback=subscriber.url(), secret="second")
    assert Intent.objects.count() == 1
    run_worker()
    assert len(subscriber.gets()) == 1
    assert Subscription.objects.get().secret == "second"

"""Publishing pushes the fresh feed to real subscribers, signed, and retries those that fail."""

import hashlib
import hmac
from datetime import timedelta

import feedparser
import pytest
import time_machine
from django.utils import timezone

from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.models import Article, Tag
from dateline.syndication.websub.distribution import distribute_pending
from dateline.syndication.websub.models import Subscription
from tests.newsroom.test_scheduling import run_worker

from .conftest import TOPIC

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "a partner's secret"


@pytest.fixture
def draft(make_article, make_section):
    world = make_section("World")
    russia = make_section("Russia", parent=world)
    make_article("An earlier story", section=russia)
    return make_article("Parliament dissolved", section=russia, status=Article.Status.DRAFT,
                        published_at=None)


@pytest.fixture
def publish(make_user):
    editor = make_user("Editor")
    return lambda article: TRANSITIONS["publish"].execute(editor, article)


def expected_signature(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_publishing_pushes_the_feed_with_its_headers_and_signature(
    client, subscribe, subscriber, draft, publish
):
    subscribe(subscriber.url(), secret=SECRET)
    publish(draft)
    run_worker()
    (push,) = subscriber.posts()
    assert b"Parliament dissolved" in push.body
    assert push.headers["X-Hub-Signature"] == expected_signature(push.body)
    assert push.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert push.headers["Link"] == (
        '<http://testserver/websub/>; rel="hub", <http://testserver/feeds/rss/>; rel="self"')
    # Exactly what a reader fetching the topic gets.
    assert push.body == client.get("/feeds/rss/").content
    feed = feedparser.parse(push.body)
    assert not feed.bozo
    assert feed.entries[0].title == "Parliament dissolved"
    subscription = Subscription.objects.get()
    assert subscription.changes_pending == 0 and subscription.last_delivered_at is not None


def test_without_a_secret_there_is_no_signature(subscribe, subscriber, draft, publish):
    subscribe(subscriber.url())
    publish(draft)
    run_worker()
    (push,) = subscriber.posts()
    assert "X-Hub-Signature" not in push.headers


def test_only_the_feeds_that_show_the_story_are_pushed(
    subscribe, subscriber, second_subscriber, draft, publish, make_tag, make_section,
    make_article
):
    moscow = make_tag("Moscow", Tag.Kind.PLACE)
    draft.tags.set([moscow])
    sofia = make_tag("Sofia", Tag.Kind.PLACE)
    # A tag's feed is there once a live story carries the tag (site.views.tag).
    make_article("Earlier from Moscow", tags=[moscow], section=make_section("Archive"))
    make_article("Earlier from Sofia", tags=[sofia], section=make_section("Sport"))
    wanted = {
        "http://testserver/section/world/feed/atom/": "application/atom+xml; charset=utf-8",
        "http://testserver/section/world/russia/feed/rss/": "application/rss+xml; charset=utf-8",
        "http://testserver/places/moscow/feed/atom/": "application/atom+xml; charset=utf-8",
        "http://testserver/places/moscow/feed/json/": "application/feed+json; charset=utf-8",
        "http://testserver/feeds/json/": "application/feed+json; charset=utf-8",
    }
    for topic in wanted:
        subscribe(subscriber.url(), topic=topic, secret=SECRET)
    for topic in ("http://testserver/section/sport/feed/rss/",
                  "http://testserver/places/sofia/feed/rss/"):
        subscribe(second_subscriber.url(), topic=topic)
    publish(draft)
    run_worker()
    pushed = {push.headers["Link"].split("<")[2].split(">")[0]: push
              for push in subscriber.posts()}
    assert set(pushed) == set(wanted)
    for topic, push in pushed.items():
        assert push.headers["Content-Type"] == wanted[topic]
        assert b"Parliament dissolved" in push.body
        assert push.headers["X-Hub-Signature"] == expected_signature(push.body)
    assert second_subscriber.posts() == []


def test_a_burst_of_changes_costs_one_push_of_the_newest_feed(
    subscribe, subscriber, make_article, draft, publish
):
    subscribe(subscriber.url())
    second = make_article("Second draft", status=Article.Status.DRAFT, published_at=None,
                          section=draft.section)
    publish(draft)
    publish(second)
    run_worker()
    (push,) = subscriber.posts()
    assert b"Parliament dissolved" in push.body and b"Second draft" in push.body


def test_unpublishing_pushes_the_feed_without_the_story(subscribe, subscriber, draft, publish,
                                                         make_user):
    subscribe(subscriber.url())
    publish(draft)
    run_worker()
    TRANSITIONS["unpublish"].execute(make_user("Editor"), Article.objects.get(pk=draft.pk),
                                     note="Legal advice.")
    run_worker()
    first, second = subscriber.posts()
    assert b"Parliament dissolved" in first.body
    assert b"Parliament dissolved" not in second.body and b"An earlier story" in second.body


def test_live_coverage_entries_change_the_page_not_the_feeds(subscribe, subscriber, draft,
                                                             publish):
    from dateline.live.models import LiveEntry, LiveEvent

    subscribe(subscriber.url())
    publish(draft)
    run_worker()
    LiveEntry.objects.create(article=draft, body="<p>The vote is at noon.</p>")
    assert LiveEvent.objects.filter(kind=LiveEvent.Kind.ENTRY).exists()  # live heard of it
    assert Subscription.objects.get().changes_pending == 0
    run_worker()
    assert len(subscriber.posts()) == 1  # the publication's push only


def test_a_failing_subscriber_is_retried_with_growing_pauses(
    subscribe, subscriber, draft, publish, settings
):
    subscribe(subscriber.url(), secret=SECRET)
    subscriber.behaviour.post_statuses = [500, 503]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        publish(draft)
        run_worker()
        failing = Subscription.objects.get()
        assert (failing.attempts, failing.last_error) == (1, "the callback answered 500")
        assert failing.next_attempt_at == start + timedelta(seconds=60)
        clock.move_to(start + timedelta(seconds=59))
        run_worker()
        assert len(subscriber.posts()) == 1  # not before its time
        clock.move_to(start + timedelta(seconds=61))
        run_worker()
        assert Subscription.objects.get().next_attempt_at == (
            start + timedelta(seconds=61 + 120))
        clock.move_to(start + timedelta(seconds=61 + 121))
        run_worker()
    pushes = subscriber.posts()
    assert len(pushes) == 3
    assert all(b"Parliament dissolved" in p.body for p in pushes)
    assert pushes[-1].headers["X-Hub-Signature"] == expected_signature(pushes[-1].body)
    delivered = Subscription.objects.get()
    assert (delivered.attempts, delivered.last_error, delivered.changes_pending) == (0, "", 0)


def test_the_hub_gives_up_after_the_last_attempt(subscribe, subscriber, draft, publish,
                                                 settings):
    settings.DATELINE_WEBSUB_DELIVERY_ATTEMPTS = 2
    subscribe(subscriber.url())
    subscriber.behaviour.post_statuses = [500] * 5
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        publish(draft)
        run_worker()
        clock.move_to(start + timedelta(hours=1))
        run_worker()
        clock.move_to(start + timedelta(days=1))
        run_worker()
    assert len(subscriber.posts()) == 2
    given_up = Subscription.objects.get()
    assert (given_up.changes_pending, given_up.next_attempt_at) == (0, None)
    assert given_up.last_error == "the callback answered 500"


def test_a_subscriber_that_went_away_is_retried(subscribe, subscriber, draft, publish):
    subscribe(subscriber.url())
    subscriber.close()
    publish(draft)
    run_worker()
    failing = Subscription.objects.get()
    assert failing.attempts == 1 and "refused" in failing.last_error


def test_redirects_are_not_followed(subscribe, subscriber, second_subscriber, draft, publish):
    subscribe(subscriber.url())
    subscriber.behaviour.redirect_to = second_subscriber.url()
    publish(draft)
    run_worker()
    assert len(subscriber.posts()) == 1 and second_subscriber.received == []
    assert Subscription.objects.get().last_error == "the callback answered 302"


def test_callbacks_on_private_addresses_are_not_called_when_not_allowed(
    subscribe, subscriber, draft, publish, settings
):
    subscribe(subscriber.url())
    settings.DATELINE_WEBSUB_ALLOW_PRIVATE = False  # e.g. its name now resolves to loopback
    publish(draft)
    run_worker()
    assert subscriber.posts() == []
    assert "private" in Subscription.objects.get().last_error


def test_expired_leases_get_nothing_and_are_pruned(subscribe, subscriber, second_subscriber,
                                                   draft, publish):
    subscribe(subscriber.url())
    subscribe(second_subscriber.url())
    Subscription.objects.filter(callback=subscriber.url()).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    publish(draft)
    run_worker()
    assert subscriber.posts() == [] and len(second_subscriber.posts()) == 1
    assert list(Subscription.objects.values_list("callback", flat=True)) == [
        second_subscriber.url()]


def test_without_subscribers_publishing_enqueues_nothing(draft, publish):
    from django_tasks_db.models import DBTaskResult

    publish(draft)
    assert not DBTaskResult.objects.filter(task_path__contains="websub").exists()


def test_a_subscription_to_a_topic_that_is_gone_is_left_alone(
    subscribe, subscriber, draft, publish, make_tag, make_article
):
    tag = make_tag("Moscow", Tag.Kind.PLACE)
    draft.tags.set([tag])
    make_article("Earlier from Moscow", tags=[tag], section=draft.section)
    subscribe(subscriber.url(), topic="http://testserver/places/moscow/feed/rss/")
    subscribe(subscriber.url("/site"), topic=TOPIC)
    tag.delete()
    Subscription.objects.update(changes_pending=1)
    distribute_pending.enqueue()
    run_worker()
    (push,) = subscriber.posts()
    assert push.path == "/site"
    gone = Subscription.objects.get(topic_path="/places/moscow/feed/rss/")
    assert gone.changes_pending == 0 and gone.last_error == "the feed no longer exists"

"""Items exactly once: identity by GUID, else canonical URL, else the words; versions kept."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import close_old_connections, connection
from django.utils import timezone

from dateline.ingest.models import Item, ItemVersion
from dateline.ingest.parsers.base import ParsedItem, ParseResult
from dateline.ingest.signals import item_stored
from dateline.ingest.store import identity, store
from dateline.ingest.tasks import purge_expired_items


def result(*items: ParsedItem) -> ParseResult:
    return ParseResult(format="rss", items=list(items))


def entry(**fields) -> ParsedItem:
    fields.setdefault("headline", "Ad sales boost Time Warner profit")
    fields.setdefault("summary", "Quarterly profits at US media giant TimeWarner jumped 76%.")
    return ParsedItem(**fields)


def test_identity_is_the_guid_else_the_canonical_url_else_the_words():
    assert identity(entry(guid="bbc-1", link="https://a.example/1")) == "guid:bbc-1"
    assert identity(entry(link="https://a.example/1?x", canonical_url="https://a.example/1")) \
        == "url:https://a.example/1"
    assert identity(entry(link="https://a.example/2")) == "url:https://a.example/2"
    words = identity(entry())
    assert words.startswith("fp:") and len(words) == 3 + 64
    # Case, spacing and markup do not make another item; other words do.
    assert identity(entry(headline="AD SALES  boost Time Warner profit")) == words
    assert identity(entry(summary="", body="<p>Quarterly profits at US media giant "
                                           "TimeWarner jumped 76%.</p>")) == words
    assert identity(entry(summary="Other words.")) != words
    assert len(identity(entry(guid="g" * 900))) <= 600


@pytest.mark.parametrize("fields", [
    {"guid": "bbc-business-001"},
    {"link": "https://news.example/bbc-business-001"},
    {},  # neither: the fingerprint
])
def test_storing_the_same_entries_again_creates_nothing(make_feed, fields):
    feed = make_feed("https://news.example/feed.xml")
    first = store(feed, result(entry(**fields), entry(headline="Other story", **{
        key: value + "-2" for key, value in fields.items()})))
    assert len(first.created) == 2
    again = store(feed, result(entry(**fields)))
    assert (again.created, again.changed, again.unchanged) == ([], [], 1)
    assert Item.objects.filter(feed=feed).count() == 2
    assert not ItemVersion.objects.exists()


def test_one_guid_given_to_different_stories_keeps_each_and_makes_no_versions(make_feed):
    """An outlet gave three stories the GUID "same": one item was kept, flipping from story to
    story a version a poll, and the other two were lost."""
    feed = make_feed("https://news.example/feed.xml")
    stories = [entry(guid="same", headline=f"Story {letter}", summary=f"Words of {letter}.")
               for letter in "ABC"]
    first = store(feed, result(*stories))
    assert len(first.created) == 3
    assert sorted(Item.objects.values_list("headline", flat=True)) == [
        "Story A", "Story B", "Story C"]
    again = store(feed, result(*reversed(stories)))  # another poll, in another order
    assert (again.created, again.changed, again.unchanged) == ([], [], 3)
    assert not ItemVersion.objects.exists()


def test_a_guid_given_to_one_story_then_to_two_or_back_stores_each_story_once(make_feed):
    """GUID "one" for alpha, then "one" for alpha and beta: alpha was stored again (and the
    other way round), since only a payload that repeats a GUID tells its stories apart."""
    feed = make_feed("https://news.example/feed.xml")
    alpha = entry(guid="one", headline="Alpha", summary="Words of alpha.")
    beta = entry(guid="one", headline="Beta", summary="Words of beta.")
    assert len(store(feed, result(alpha)).created) == 1
    second = store(feed, result(alpha, beta))
    assert [i.headline for i in second.created] == ["Beta"] and second.unchanged == 1
    third = store(feed, result(alpha))
    assert (third.created, third.changed, third.unchanged) == ([], [], 1)
    assert sorted(Item.objects.values_list("headline", flat=True)) == ["Alpha", "Beta"]
    # Told apart first, then alone: still one item each.
    other = make_feed("https://news.example/other.xml")
    store(other, result(alpha, beta))
    alone = store(other, result(beta))
    assert (alone.created, alone.unchanged) == ([], 1)
    assert Item.objects.filter(feed=other).count() == 2
    # A real update of a story stored alone is still a new version of it.
    changed = store(feed, result(entry(guid="one", headline="Alpha", summary="New words.")))
    assert len(changed.changed) == 1 and Item.objects.filter(feed=feed).count() == 2


def test_a_story_a_payload_gives_twice_is_one_item(make_feed):
    feed = make_feed("https://news.example/feed.xml")
    stored = store(feed, result(entry(guid="g1"), entry(guid="g1"), entry(guid="g2")))
    assert (len(stored.created), stored.unchanged) == (2, 0)
    assert Item.objects.count() == 2 and not ItemVersion.objects.exists()


def test_the_same_story_in_two_feeds_is_an_item_in_each(make_feed):
    one = make_feed("https://news.example/one.xml")
    two = make_feed("https://news.example/two.xml")
    store(one, result(entry(guid="x")))
    store(two, result(entry(guid="x")))
    assert Item.objects.count() == 2


def test_a_changed_item_is_updated_and_its_previous_text_kept(make_feed):
    feed = make_feed("https://news.example/feed.xml")
    (item,) = store(feed, result(entry(guid="g1", body="<p>First.</p>"))).created
    later = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    stored = store(feed, result(entry(guid="g1", headline="Time Warner profit up 76%",
                                      body="<p>Corrected.</p>", updated_at=later)))
    assert stored.changed == [item] and not stored.created
    item.refresh_from_db()
    assert (item.version, item.headline, item.body, item.updated_at) == (
        2, "Time Warner profit up 76%", "<p>Corrected.</p>", later)
    (old,) = item.versions.all()
    assert (old.version, old.headline, old.body, old.updated_at) == (
        1, "Ad sales boost Time Warner profit", "<p>First.</p>", None)
    store(feed, result(entry(guid="g1", headline="Third", updated_at=later)))
    assert list(item.versions.values_list("version", flat=True)) == [2, 1]
    assert Item.objects.get(pk=item.pk).version == 3


def test_an_item_rewritten_at_every_poll_keeps_its_first_and_latest_versions(make_feed):
    """An outlet changing its items' words at every poll grew each by a version a minute,
    body and raw entry included, for as long as the feed listed it."""
    from dateline.ingest.store import KEPT_VERSIONS

    feed = make_feed("https://news.example/feed.xml")
    (item,) = store(feed, result(entry(guid="g1", headline="Take 1"))).created
    for take in range(2, 31):
        store(feed, result(entry(guid="g1", headline=f"Take {take}")))
    item.refresh_from_db()
    assert (item.version, item.headline) == (30, "Take 30")
    kept = list(item.versions.order_by("version").values_list("version", "headline"))
    assert len(kept) == KEPT_VERSIONS == 20
    assert kept[0] == (1, "Take 1")  # as the outlet first wrote it
    assert [v for v, _ in kept[1:]] == list(range(11, 30))  # and the latest before this


def test_an_unchanged_item_is_only_seen_again(make_feed):
    feed = make_feed("https://news.example/feed.xml")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        (item,) = store(feed, result(entry(guid="g1"))).created
        clock.move_to(start + timedelta(hours=3))
        store(feed, result(entry(guid="g1", author="Someone else")))
    item.refresh_from_db()
    assert item.version == 1 and item.last_seen_at == start + timedelta(hours=3)


def test_new_and_changed_items_are_announced_once(make_feed):
    feed = make_feed("https://news.example/feed.xml")
    heard = []

    def receiver(sender, item, created, changed, **kwargs):
        heard.append((item.headline, created, changed))

    item_stored.connect(receiver)
    try:
        store(feed, result(entry(guid="g1")))
        store(feed, result(entry(guid="g1")))
        store(feed, result(entry(guid="g1", headline="Changed")))
    finally:
        item_stored.disconnect(receiver)
    assert heard == [("Ad sales boost Time Warner profit", True, False), ("Changed", False, True)]


def test_a_failing_receiver_does_not_lose_the_item(make_feed):
    feed = make_feed("https://news.example/feed.xml")

    def broken(sender, **kwargs):
        raise RuntimeError("clustering broke")

    item_stored.connect(broken)
    try:
        assert len(store(feed, result(entry(guid="g1"))).created) == 1
    finally:
        item_stored.disconnect(broken)
    assert Item.objects.filter(identity="guid:g1").exists()


@pytest.mark.django_db(transaction=True)
def test_two_polls_at_once_store_one_item(make_feed):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # The in-memory test database's shared cache fails a second writer at once
        # ("table is locked") where a real SQLite file makes it wait (IMMEDIATE transactions).
        pytest.skip("concurrent writers need PostgreSQL or a file database")
    feed = make_feed("https://news.example/feed.xml")
    entries = result(*(entry(guid=f"g{n}", headline=f"Story {n}") for n in range(20)))
    barrier = threading.Barrier(2)
    errors = []

    def poll() -> None:
        try:
            barrier.wait()
            store(feed, entries)
        except Exception as exc:  # the assertion below names it
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=poll) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Item.objects.filter(feed=feed).count() == 20


def test_items_expire_unless_used(make_feed, settings):
    settings.DATELINE_INGEST_KEEP_DAYS = 30
    feed = make_feed("https://news.example/feed.xml")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _, used = store(feed, result(entry(guid="old"), entry(guid="used", headline="U"))).created
        Item.objects.filter(pk=used.pk).update(used=True)
        clock.move_to(start + timedelta(days=20))
        store(feed, result(entry(guid="recent", headline="R")))
        clock.move_to(start + timedelta(days=31))
        assert purge_expired_items() == 1
    assert set(Item.objects.values_list("identity", flat=True)) == {"guid:used", "guid:recent"}

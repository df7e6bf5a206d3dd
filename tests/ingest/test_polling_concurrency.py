"""A round polls hosts side by side: a slow outlet holds back only its own feeds.

The outlets are real HTTP servers on loopback, one per address (127.0.0.1, 127.0.0.2, ...:
another name is another host to the poller). They write down in one shared log when they
were asked and when they began to answer, and the stores write down each item stored, so the
tests assert the order of what happened, never how long it took.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from dateline.ingest import receivers
from dateline.ingest.models import Cluster, Feed, Item
from dateline.ingest.polling import by_host, claim_due, poll_due
from dateline.ingest.signals import item_stored

from .outlets import Outlets, bbc_stories, rss

# Most seconds an outlet waits for what it waits for: a serial round fails, it does not hang.
WAIT_AT_MOST = 5


class Outlet(Outlets):
    """An outlet server that logs its requests in a shared log and may hold its answers until
    an event (set by another outlet or by a store)."""

    def __init__(self, name: str, address: str, log: list) -> None:
        self.name, self.log = name, log
        self.asked = threading.Event()
        self.holds_for: threading.Event | None = None
        super().__init__(address)

    def _enter(self, path: str, headers: dict) -> None:
        super()._enter(path, headers)
        self.log.append((self.name, "asked", path))
        self.asked.set()
        if self.holds_for is not None:
            self.holds_for.wait(WAIT_AT_MOST)
        self.log.append((self.name, "answers", path))


@pytest.fixture
def log():
    return []


@pytest.fixture
def hosts(log):
    servers = {}

    def start(name: str, address: str) -> Outlet:
        servers[name] = Outlet(name, address, log)
        return servers[name]

    yield start
    for server in servers.values():
        server.close()


@pytest.fixture
def stored(log):
    """Each item stored, logged as ("stored", feed id, thread) by the polling thread."""

    def record(sender, item, **kwargs) -> None:
        log.append(("stored", item.feed_id, threading.get_ident()))

    item_stored.connect(record, dispatch_uid="test-polling-concurrency")
    yield
    item_stored.disconnect(dispatch_uid="test-polling-concurrency")


def first(log: list, *event) -> int:
    return next(index for index, seen in enumerate(log) if seen[:len(event)] == event)


def test_feeds_are_grouped_by_host_in_their_order_and_a_folder_is_alone():
    urls = ["https://News.Example/world.xml", "/srv/feeds/wire", "https://other.example/a.xml",
            "https://news.example:8443/sport.xml", "/srv/feeds/wire", "http://NEWS.example/b"]
    feeds = [Feed(pk=number, url=url) for number, url in enumerate(urls)]
    assert [[feed.pk for feed in group] for group in by_host(feeds)] == [
        [0, 3, 5], [2], [1], [4]]


def test_a_hosts_failing_feeds_go_last_and_the_longest_waiting_first():
    """Two dripping feeds named first took the host's round every time; the four after them
    were handed back each round and never polled."""
    from datetime import UTC, datetime, timedelta

    at = datetime(2026, 12, 2, 7, 45, tzinfo=UTC)
    feeds = [Feed(pk=0, url="http://h.example/drip0", failures=3, last_polled_at=at),
             Feed(pk=1, url="http://h.example/drip1", failures=2, last_polled_at=at),
             Feed(pk=2, url="http://h.example/a", last_polled_at=at - timedelta(minutes=13)),
             Feed(pk=3, url="http://h.example/b", last_polled_at=at - timedelta(minutes=20)),
             Feed(pk=4, url="http://h.example/new")]
    assert [[feed.pk for feed in group] for group in by_host(feeds)] == [[4, 3, 2, 0, 1]]


@pytest.mark.django_db(transaction=True)
def test_a_slow_host_holds_back_only_its_own_feeds(hosts, make_feed, log, stored, settings):
    settings.DATELINE_INGEST_POLL_THREADS = 4
    slow, fast = hosts("slow", "127.0.0.1"), hosts("fast", "127.0.0.2")
    slow.serve("/slow.xml", rss(bbc_stories(2)))
    fast.serve("/fast.xml", rss(bbc_stories(2, start=2)))
    slow_feed = make_feed(slow.url("/slow.xml"), outlet_name="A slow outlet")
    fast_feed = make_feed(fast.url("/fast.xml"), outlet_name="B fast outlet")
    # The slow outlet answers once the fast one's items are stored; the fast one once the
    # slow one was asked. Polled one after another, whichever goes first waits in vain.
    fast_stored = threading.Event()
    item_stored.connect(lambda sender, item, **kwargs: item.feed_id == fast_feed.pk
                        and fast_stored.set(), weak=False, dispatch_uid="test-fast-stored")
    slow.holds_for, fast.holds_for = fast_stored, slow.asked
    try:
        outcomes = poll_due()
    finally:
        item_stored.disconnect(dispatch_uid="test-fast-stored")
    assert [(feed, outcome.created) for feed, outcome in outcomes] == [
        (slow_feed, 2), (fast_feed, 2)]
    assert first(log, "slow", "asked") < first(log, "fast", "answers")
    assert first(log, "stored", fast_feed.pk) < first(log, "slow", "answers")
    assert Item.objects.filter(feed=slow_feed).count() == 2


@pytest.mark.django_db(transaction=True)
def test_feeds_of_one_host_are_polled_in_turn_in_one_thread(hosts, make_feed, log, stored,
                                                             settings):
    settings.DATELINE_INGEST_POLL_THREADS = 4
    feeds = {}
    for host, address in (("one", "127.0.0.1"), ("two", "127.0.0.2")):
        server = hosts(host, address)
        for number in range(3):
            path = f"/{number}.xml"
            # A moment's thought per answer, so that requests to one host would overlap if
            # anything let them.
            server.serve(path, rss(bbc_stories(2, start=len(feeds) * 2)), hold=0.05)
            feeds[host, path] = make_feed(server.url(path), name=f"{number}",
                                          outlet_name=f"Outlet {host}")
    outcomes = poll_due()
    assert [feed for feed, _ in outcomes] == list(feeds.values())
    assert all(outcome.created == 2 for _, outcome in outcomes)
    for host in ("one", "two"):
        asked = [seen[2] for seen in log if seen[:2] == (host, "asked")]
        assert asked == ["/0.xml", "/1.xml", "/2.xml"]
        threads = {seen[2] for seen in log if seen[0] == "stored"
                   and seen[1] in {feeds[host, path].pk for path in asked}}
        assert len(threads) == 1 and threads != {threading.get_ident()}
    assert Item.objects.count() == 12


@pytest.mark.django_db(transaction=True)
def test_many_feeds_of_several_hosts_store_each_item_once_and_cluster_it(hosts, make_feed,
                                                                         settings):
    settings.DATELINE_INGEST_POLL_THREADS = 4
    stories = bbc_stories(12)
    servers = [hosts(f"outlet {n}", f"127.0.0.{n}") for n in (1, 2, 3)]
    for server in servers:  # three outlets carry the same twelve stories, in three feeds each
        for number in range(3):
            server.serve(f"/{number}.xml", rss(stories[number * 4:number * 4 + 4]))
            make_feed(server.url(f"/{number}.xml"), name=f"{number}",
                      outlet_name=server.name)
    assert all(outcome.created == 4 for _, outcome in poll_due())
    assert all(server.most_at_once == 1 for server in servers)

    items = list(Item.objects.all())
    assert len(items) == 36 and all(item.cluster_id for item in items)
    for story in stories:  # a story's three copies in one cluster, whoever stored them
        clusters = {item.cluster_id for item in items if item.guid == story["id"]}
        assert len(clusters) == 1, story["title"]
    for cluster in Cluster.objects.all():  # counted right, though stored from three threads
        copies = [item for item in items if item.cluster_id == cluster.pk]
        assert (cluster.item_count, cluster.outlet_count) == (
            len(copies), len({item.outlet_id for item in copies}))
    assert sorted(receivers.index().items) == sorted(item.pk for item in items)  # once each

    Feed.objects.update(next_poll_at=None)
    assert all(outcome.not_modified for _, outcome in poll_due())
    assert Item.objects.count() == 36


@pytest.mark.django_db(transaction=True)
def test_a_pool_of_one_polls_every_feed_in_turn_in_the_calling_thread(hosts, make_feed, log,
                                                                     stored, settings):
    settings.DATELINE_INGEST_POLL_THREADS = 1
    order = []
    for host, address in (("one", "127.0.0.1"), ("two", "127.0.0.2")):
        server = hosts(host, address)
        for number in range(2):
            server.serve(f"/{number}.xml", rss(bbc_stories(2, start=len(order) * 2)))
            order.append(make_feed(server.url(f"/{number}.xml"), name=f"{number}",
                                   outlet_name=f"Outlet {host}"))
    outcomes = poll_due()
    assert [feed for feed, _ in outcomes] == order
    # Each request answered before the next is asked, in the feeds' order, all in this thread.
    requests = [seen[:2] for seen in log if seen[0] != "stored"]
    assert requests == [(host, step) for host in ("one", "one", "two", "two")
                        for step in ("asked", "answers")]
    assert {seen[2] for seen in log if seen[0] == "stored"} == {threading.get_ident()}
    assert [seen[1] for seen in log if seen[0] == "stored"] == [
        feed.pk for feed in order for _ in range(2)]


@pytest.mark.django_db(transaction=True)
def test_the_polling_threads_leave_no_database_connection_open(hosts, make_feed, settings):
    if connection.vendor != "postgresql":
        pytest.skip("counts the server's connections (pg_stat_activity)")
    settings.DATELINE_INGEST_POLL_THREADS = 4
    for number in (1, 2, 3, 4, 5):
        server = hosts(f"outlet {number}", f"127.0.0.{number}")
        server.serve("/feed.xml", rss(bbc_stories(2, start=number * 2)))
        make_feed(server.url("/feed.xml"), outlet_name=server.name)

    def connections() -> int:
        with connection.cursor() as cursor:
            # Clients only: an autovacuum worker on this database (the test has just written
            # to it) is listed under its name too, for as long as it runs.
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND backend_type = 'client backend'")
            return cursor.fetchone()[0]

    before = connections()
    assert len(poll_due()) == 5
    # A closed connection's server process leaves pg_stat_activity a moment after the client
    # hangs up: wait (up to 10 s) for the count to come back, then require it exactly. A
    # leaked connection never leaves, so this still fails without close_all.
    deadline = time.monotonic() + 10
    while connections() != before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert connections() == before


def test_a_claim_lasts_as_long_as_its_hosts_queue(make_feed, settings):
    # A host's third feed waits for the two before it: another worker must not take it
    # meanwhile, so its lease is three feeds' worth, not one.
    settings.DATELINE_INGEST_TOTAL_TIMEOUT = 30
    one = [make_feed(f"https://one.example/{n}.xml") for n in range(3)]
    other = make_feed("https://other.example/feed.xml")
    now = timezone.now()
    claimed = claim_due(now)
    assert {feed.pk for feed in claimed} == {feed.pk for feed in [*one, other]}
    leases = {feed.pk: (Feed.objects.get(pk=feed.pk).next_poll_at - now).total_seconds()
              for feed in claimed}
    assert [leases[feed.pk] for feed in one] == [120, 240, 360]
    assert leases[other.pk] == 120
    assert {feed.pk for feed in claim_due(now + timedelta(seconds=200))} == {one[0].pk, other.pk}


@pytest.mark.django_db(transaction=True)
def test_a_slow_hosts_feeds_are_handed_back_once_the_round_has_run_a_tick(
        make_feed, settings):
    """Eight feeds dripping on one host held the round (and every feed due meanwhile) for
    four minutes."""
    settings.DATELINE_INGEST_TICK = 1
    slow, quick = Outlets("127.0.0.4"), Outlets("127.0.0.5")
    try:
        for n in range(3):
            slow.serve(f"/slow{n}.xml", rss(bbc_stories(1, start=n)), hold=1.5)
        quick.serve("/quick.xml", rss(bbc_stories(1, start=10)))
        feeds = [make_feed(slow.url(f"/slow{n}.xml"), name=f"slow {n}") for n in range(3)]
        fast = make_feed(quick.url("/quick.xml"), name="quick")
        polled = dict(poll_due())
        assert set(polled) == {feeds[0], fast}
        assert [slow.hits(f"/slow{n}.xml") for n in range(3)] == [1, 0, 0]
        # The others are due again at once, for the next round, and it polls them.
        later = timezone.now()
        assert all(f.next_poll_at <= later
                   for f in Feed.objects.filter(pk__in=[feeds[1].pk, feeds[2].pk]))
        settings.DATELINE_INGEST_TICK = 60
        assert set(dict(poll_due())) == {feeds[1], feeds[2]}
    finally:
        slow.close()
        quick.close()


@pytest.mark.django_db(transaction=True)
def test_hosts_that_failed_last_time_wait_for_those_that_answered(make_feed, settings,
                                                                  monkeypatch):
    """Four dripping outlets took all four threads, and healthy hosts behind them polled one
    feed a round. (One thread here, so that the order is the round's own.)"""
    from dateline.ingest import polling

    settings.DATELINE_INGEST_POLL_THREADS = 1
    servers = [Outlets(f"127.0.0.{n}") for n in (6, 7, 8)]
    try:
        for n, server in enumerate(servers):
            server.serve("/feed.xml", rss(bbc_stories(1, start=n)))
        failing = [make_feed(servers[n].url("/feed.xml"), name=f"a failing {n}")
                   for n in (0, 1)]
        Feed.objects.filter(pk__in=[f.pk for f in failing]).update(failures=3)
        make_feed(servers[2].url("/feed.xml"), name="z healthy")
        order = []
        real = polling.poll
        monkeypatch.setattr(polling, "poll", lambda feed: order.append(feed.name) or real(feed))
        poll_due()
        assert order == ["z healthy", "a failing 0", "a failing 1"]
    finally:
        for server in servers:
            server.close()

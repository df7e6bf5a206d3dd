"""The hub's fan-out (hub.py, `_deliver`): one loop writes each event to every caught-up
stream through its ASGI send; what happens to one stream never reaches the others.

The sends here are plain ASGI send callables that record what they are given, as granian's
do (a body send that returns at once); the streams' real path through granian is in
test_stream.py."""

import asyncio
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dateline.live.hub import Hub, ticker_snapshot
from tests.query_plans import install_archive_statistics, sorting_everything


def recorder(log: list, fails: bool = False):
    async def send(message):
        if fails:
            raise OSError("the reader went away")
        log.append(message["body"])
    return send


def test_an_event_reaches_every_subscriber_and_a_failed_send_hands_back_only_its_stream():
    async def scenario():
        hub, first, second = Hub(), [], []
        hub.latest = 5
        ok = hub.subscribe(recorder(first), 5)
        broken = hub.subscribe(recorder([], fails=True), 5)
        last = hub.subscribe(recorder(second), 5)
        hub.latest = 6
        await hub._deliver(b"id: 6\nevent: published\ndata: {}\n\n", 5)
        return ok, broken, last, first, second

    ok, broken, last, first, second = asyncio.run(scenario())
    assert first == second == [b"id: 6\nevent: published\ndata: {}\n\n"]
    assert ok.cursor == last.cursor == 6 and not ok.resume.done() and not last.resume.done()
    assert broken.failed and broken.resume.done() and broken.cursor == 5


def test_a_stream_that_left_or_fell_behind_is_not_written_to():
    async def scenario():
        hub, left, behind, current = Hub(), [], [], []
        hub.latest = 9
        gone = hub.subscribe(recorder(left), 9)
        gone.resume.set_result(None)  # its reader left: its own task unsubscribes it
        late = hub.subscribe(recorder(behind), 7)  # missed events 8 and 9
        fine = hub.subscribe(recorder(current), 9)
        hub.latest = 10
        await hub._deliver(b"id: 10\n\n", 9)
        await hub._heartbeat()
        return late, fine, left, behind, current

    late, fine, left, behind, current = asyncio.run(scenario())
    assert left == [] and behind == []
    # Handed back to catch up from the ring itself, with nothing lost or doubled.
    assert late.resume.done() and not late.failed and late.cursor == 7
    assert current == [b"id: 10\n\n", b": ping\n\n"] and fine.cursor == 10


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_the_ticker_snapshot_reads_the_newest_stories_without_sorting_them_all(
        make_article, monkeypatch):
    """With an archive's statistics (tests/query_plans.py), the snapshot every new stream is
    sent first read every live story and sorted them when joined to their sections."""
    # The hub's thread drops a connection past its age; this test's connection holds its data.
    monkeypatch.setattr("dateline.live.hub.close_old_connections", lambda: None)
    for hours in range(3):
        make_article(f"Story {hours}", age=timedelta(hours=hours))
    install_archive_statistics()
    with CaptureQueriesContext(connection) as queries:
        snapshot = ticker_snapshot()
    assert b'"Story 0"' in snapshot and b"section" in snapshot
    assert sorting_everything(queries.captured_queries) == []


def test_a_stream_sent_its_fill_is_handed_back_to_end(settings):
    """granian's send never waits: what a reader that reads nothing is sent piles up in the
    server (300 such streams held 800 MB). A stream past its fill is handed back, and its task
    ends it; the reader's EventSource comes back with its Last-Event-ID."""
    settings.DATELINE_LIVE_STREAM_MAX_BYTES = 20

    async def scenario():
        hub, log = Hub(), []
        hub.latest = 1
        stream = hub.subscribe(recorder(log), 1, sent=4)
        hub.latest = 2
        await hub._deliver(b"id: 2\ndata: {}\n\n", 1)  # 16 bytes: 20, not past its fill
        filled_at_two = stream.resume.done()
        hub.latest = 3
        await hub._deliver(b"id: 3\ndata: {}\n\n", 2)
        return stream, log, filled_at_two

    stream, log, filled_at_two = asyncio.run(scenario())
    assert not filled_at_two and len(log) == 2
    assert stream.resume.done() and not stream.failed and stream.cursor == 3
    assert stream.sent == 36

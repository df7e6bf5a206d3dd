"""A stream that has been sent its fill ends, and its reader comes back for the rest.

granian's send never waits, so the server cannot tell what a reader took from what it left
unread: 300 streams that read nothing held 800 MB. Each stream now ends after
DATELINE_LIVE_STREAM_MAX_BYTES, telling EventSource to come back soon; with its Last-Event-ID
it misses nothing and gets nothing twice.
"""

import pytest

from .server import EventStream, publish_many, start_site

pytestmark = pytest.mark.broker


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    running = start_site(tmp_path_factory.mktemp("site"), DATELINE_LIVE_STREAM_MAX_BYTES="1500")
    yield running
    running.stop()


def published(events: list[dict]) -> list[str]:
    return [e["data"]["headline"] for e in events if e["event"] == "published"]


def test_a_stream_past_its_fill_ends_and_the_reader_gets_the_rest_once(small_site):
    stream = EventStream(small_site.live_url)
    stream.snapshot()
    headlines = [f"Story {n} of the evening, with a headline long enough to count" for n in
                 range(8)]
    # Apart, as a desk publishes them: each its own event, not one batch the stream sends whole.
    publish_many(small_site, headlines, pause=0.3)
    seen = []
    while (event := stream.next_event(timeout=3)) is not None:
        seen.append(event)
    assert stream.retry == 2000 or stream.retry == 250
    assert stream.retry == 250, "the stream ended, asking to be opened again soon"
    assert seen and len(published(seen)) < len(headlines)
    stream.close()
    again = EventStream(small_site.live_url, last_event_id=stream.last_id)
    try:
        more = again.events_until(lambda e: e["event"] == "published" and
                                  e["data"]["headline"] == headlines[-1])
    finally:
        again.close()
    assert published(seen) + published(more) == headlines


@pytest.fixture(scope="module")
def forgetful_site(tmp_path_factory):
    """A stream server that replays at most 3 events and keeps 2 in memory."""
    running = start_site(tmp_path_factory.mktemp("forgetful"), DATELINE_LIVE_REPLAY_LIMIT="3",
                         DATELINE_LIVE_RING="2")
    yield running
    running.stop()


def test_a_reader_away_too_long_starts_afresh_from_the_present(forgetful_site):
    """Past the replay, a reader is told to start afresh ("reset"), then what is true now: a
    breaking story killed while it was away left its banner on the open page."""
    older = publish_many(forgetful_site, ["Floods close the valley road"], breaking=True)[0]
    newer = publish_many(forgetful_site, ["Dam gives way upstream"], breaking=True)[0]
    stream = EventStream(forgetful_site.live_url)
    banner = stream.snapshot()["banner"]
    assert banner["id"] == newer["id"]
    position = stream.last_id or "1"
    stream.close()
    forgetful_site.django(
        "from django.contrib.auth.models import User\n"
        "from dateline.newsroom.actions import TRANSITIONS\n"
        "from dateline.newsroom.models import Article\n"
        f"TRANSITIONS['unpublish'].execute(User.objects.get(username='desk-editor'),\n"
        f"                                 Article.objects.get(pk={newer['id']}))")
    publish_many(forgetful_site, [f"Council notice {n}" for n in range(4)])
    again = EventStream(forgetful_site.live_url, last_event_id=position)
    try:
        assert again.next_event()["event"] == "reset"
        present = again.snapshot()
    finally:
        again.close()
    assert present["banner"]["id"] == older["id"]
    assert newer["id"] not in [s["id"] for s in present["latest"]]

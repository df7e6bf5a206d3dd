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
    stream.next_event()  # the ticker's snapshot
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

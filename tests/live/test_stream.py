"""The event stream as readers meet it: a real server in another process, real sockets.

These run with the suite's database (SQLite: the local broker; PostgreSQL: LISTEN/NOTIFY)
and again on Redis pub/sub in `make test-redis` (marker "broker").
"""

import http.client
import time

import pytest

from .server import EventStream, publish, publish_many

pytestmark = pytest.mark.broker


def is_story(headline: str):
    return lambda event: event["event"] in ("published", "breaking") and (
        event["data"].get("headline") == headline)


def kill(site, story: dict) -> None:
    """Unpublish (kill) the story, as the desk's editor does."""
    site.django(
        "from django.contrib.auth.models import User\n"
        "from dateline.newsroom.actions import TRANSITIONS\n"
        "from dateline.newsroom.models import Article\n"
        f"a = Article.objects.get(pk={story['id']})\n"
        "TRANSITIONS['unpublish'].execute(User.objects.get(username='desk-editor'), a)")


def test_a_published_story_reaches_an_open_stream_through_the_broker(site):
    stream = EventStream(site.live_url)
    try:
        assert stream.response.status == 200
        assert stream.response.getheader("Content-Type").startswith("text/event-stream")
        assert stream.response.getheader("Cache-Control") == "no-store"
        assert isinstance(stream.snapshot()["latest"], list)  # the ticker's snapshot
        story = publish(site, "Parliament votes on the budget")
        seen = stream.events_until(is_story("Parliament votes on the budget"))
        received = time.time()
        event = seen[-1]
        assert event["event"] == "published"
        assert event["data"]["url"] == story["url"]
        assert event["data"]["section"] and event["data"]["dateline"]
        # The broker wakes the stream in about 50 ms; the bound only has to tell it from the
        # 5 s safety read of the table, with room for a machine busy with other work.
        assert received - story["committed"] < 2.5
    finally:
        stream.close()


def test_a_reader_who_reconnects_gets_what_was_missed_and_nothing_twice(site):
    stream = EventStream(site.live_url)
    stream.snapshot()
    publish(site, "Before the tunnel")
    before = stream.events_until(is_story("Before the tunnel"))[-1]
    stream.close()
    # Offline while two stories are published...
    publish_many(site, ["In the tunnel, first", "In the tunnel, second"])
    # ...and back, as EventSource reconnects: with the id of the last event it had.
    again = EventStream(site.live_url, last_event_id=before["id"])
    try:
        missed = again.events_until(is_story("In the tunnel, second"))
        stories = [e["data"]["headline"] for e in missed if e["event"] == "published"]
        assert stories == ["In the tunnel, first", "In the tunnel, second"]
        ids = [int(e["id"]) for e in missed if "id" in e]
        assert ids == sorted(ids) and min(ids) > int(before["id"])
        # The snapshot comes after the replay: the present wins over the past.
        assert missed[-1]["event"] == "published" or missed[-1]["event"] == "latest"
    finally:
        again.close()


def test_a_page_passes_the_event_it_was_rendered_at(site):
    """A cached page opens the stream with ?last_event_id= and hears what came after."""
    result = publish(site, "Rendered into the page")
    page = site.django("from dateline.live.models import LiveEvent\n"
                       "result = LiveEvent.objects.order_by('-id').first().id")
    publish(site, "Published after the render")
    stream = EventStream(site.live_url, query=f"last_event_id={page}")
    try:
        seen = stream.events_until(is_story("Published after the render"))
        headlines = [e["data"].get("headline") for e in seen if e["event"] == "published"]
        assert "Rendered into the page" not in headlines
        assert result["id"] != seen[-1]["data"]["id"]
    finally:
        stream.close()


@pytest.mark.parametrize("value", [
    "not-a-number", "-5", "99999999999999999999999999", "1e9", "\uff10\uff11", "", "\t", "1" * 300,
])
def test_nonsense_event_ids_give_a_normal_stream(site, value):
    stream = EventStream(site.live_url, last_event_id=value)
    try:
        assert stream.response.status == 200
        assert isinstance(stream.snapshot()["latest"], list)
    finally:
        stream.close()


def test_breaking_and_unpublishing_are_announced(site):
    stream = EventStream(site.live_url)
    try:
        stream.snapshot()
        story = publish(site, "Earthquake strikes the coast", breaking=True)
        assert stream.events_until(is_story("Earthquake strikes the coast"))[-1]["event"] == (
            "breaking")
        kill(site, story)
        gone = stream.events_until(lambda e: e["event"] == "unpublished")[-1]
        assert gone["data"] == {"id": story["id"]}
        # Then the present: the banner's story now and the list refilled without it (a page
        # cannot tell from the kill alone which story, if any, breaks now).
        present = stream.snapshot()
        assert present["banner"].get("id") != story["id"]
        assert story["id"] not in [s["id"] for s in present["latest"]]
    finally:
        stream.close()


def test_events_reach_readers_on_every_stream_server(site):
    """Two more stream servers (one with two worker processes) beside `dateline serve`'s:
    every reader hears every story, whichever process holds the connection."""
    from .server import free_port_pair

    ports = [free_port_pair(), free_port_pair() + 1]
    site.start_stream_server(ports[0])
    site.start_stream_server(ports[1], workers=2)
    urls = [site.live_url] + [f"http://127.0.0.1:{p}/live/events" for p in ports]
    streams = [EventStream(url) for url in urls for _ in range(3)]
    try:
        for stream in streams:
            stream.snapshot()
        publish(site, "Heard on every server")
        for stream in streams:
            stream.events_until(is_story("Heard on every server"), timeout=3)
    finally:
        for stream in streams:
            stream.close()


def test_cross_origin_pages_may_open_the_stream(site):
    connection = http.client.HTTPConnection("127.0.0.1", site.port + 1, timeout=5)
    connection.request("OPTIONS", "/live/events", headers={
        "Origin": site.url, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "last-event-id"})
    answer = connection.getresponse()
    assert answer.status == 204
    assert answer.getheader("Access-Control-Allow-Origin") == "*"
    assert "last-event-id" in answer.getheader("Access-Control-Allow-Headers")
    answer.read()
    connection.request("POST", "/live/events", body=b"x")
    answer = connection.getresponse()
    assert answer.status == 405 and answer.getheader("Allow") == "GET, HEAD, OPTIONS"
    answer.read()
    # HEAD: the stream's headers, no body and no reader held open (it was a 405).
    connection.close()
    connection = http.client.HTTPConnection("127.0.0.1", site.port + 1, timeout=5)
    connection.request("HEAD", "/live/events")
    answer = connection.getresponse()
    assert answer.status == 200
    assert answer.getheader("Content-Type").startswith("text/event-stream")
    assert answer.read() == b""
    # A new connection: the server may close this one after refusing a body it did not read
    # (a broken pipe here under a loaded `make test`), which is not what this test is about.
    connection.close()
    connection = http.client.HTTPConnection("127.0.0.1", site.port + 1, timeout=5)
    connection.request("GET", "/elsewhere")
    assert connection.getresponse().status == 404


def test_dateline_serve_restarts_a_stream_server_that_dies(site):
    import os
    import signal
    from pathlib import Path

    from .server import wait_for

    wanted = ["--port", str(site.port + 1)]

    def stream_servers() -> list[int]:
        found = []
        for proc in Path("/proc").iterdir():
            try:
                argv = (proc / "cmdline").read_bytes().decode().split("\0")
            except (OSError, ValueError):
                continue
            if "dateline.live.asgi:application" in argv and any(
                    argv[i:i + 2] == wanted for i in range(len(argv))):
                found.append(int(proc.name))
        return found

    crashed = stream_servers()  # granian's main process and its worker
    assert crashed
    for pid in crashed:
        os.kill(pid, signal.SIGKILL)
    time.sleep(1.5)
    wait_for(f"http://127.0.0.1:{site.port + 1}/live/healthz", timeout=20)
    assert stream_servers() and not set(crashed) & set(stream_servers())
    stream = EventStream(site.live_url)
    try:
        stream.snapshot()
        publish(site, "After the restart")
        stream.events_until(is_story("After the restart"))
    finally:
        stream.close()


def test_a_browser_with_many_cookies_gets_its_stream_and_an_oversized_head_a_refusal(site):
    """`dateline serve` gives the stream server 8 KB buffers (18.5 KB a stream instead of 29):
    a request head of a browser carrying 6 KB of cookies still fits; a larger one is refused
    at once (431) rather than left hanging."""
    connection = http.client.HTTPConnection("127.0.0.1", site.port + 1, timeout=10)
    cookies = "; ".join(f"c{i}={'x' * 95}" for i in range(60))  # 6 KB
    connection.request("GET", "/live/events", headers={
        "Accept": "text/event-stream", "Cookie": cookies,
        "User-Agent": "Mozilla/5.0 " + "(compatible) " * 20})
    answer = connection.getresponse()
    assert answer.status == 200
    assert answer.read(11) == b"retry: 2000"
    connection.close()

    connection = http.client.HTTPConnection("127.0.0.1", site.port + 1, timeout=10)
    connection.request("GET", "/live/events", headers={"Cookie": "c=" + "x" * 9_000})
    assert connection.getresponse().status == 431  # Request Header Fields Too Large
    connection.close()


def test_a_killed_story_is_not_replayed_to_a_reader_asking_from_long_ago(site):
    """A kill (legal: withdrawn) left the story's events kept for a week's replay: anyone
    asking from Last-Event-ID 0 was sent its headline and teaser, from the stream server's
    memory and from the database."""
    stream = EventStream(site.live_url)
    try:
        stream.snapshot()
        story = publish(site, "Minister named in the inquiry")
        stream.events_until(is_story("Minister named in the inquiry"))  # in the ring now
        kept = publish(site, "Harvest is early")
        kill(site, story)
        stream.events_until(lambda e: e["event"] == "unpublished")
    finally:
        stream.close()
    again = EventStream(site.live_url, last_event_id="0")
    try:
        replayed = again.events_until(lambda e: e["event"] == "latest")
        told = [e for e in replayed if "Minister" in str(e["data"])]
        assert told == []
        assert {"id": story["id"]} in [e["data"] for e in replayed]  # open pages drop it
        assert [e["data"]["id"] for e in replayed if is_story("Harvest is early")(e)] == [
            kept["id"]]
    finally:
        again.close()

"""The event stream, an ASGI application of its own: `granian --interface asgi
dateline.live.asgi:application` (`dateline serve` starts it).

It is plain ASGI rather than Django's ASGI handler: a stream is opened once and then only
waits, so it needs none of the request machinery, and the pages stay on WSGI, where they are
several times faster. Django is set up for the models and settings.

GET /live/events         text/event-stream; resumes after Last-Event-ID (header, or the
                         ``last_event_id`` query parameter a page passes on its first connect)
GET /live/healthz        200 "ok" once the hub runs

While the database is not answering, a stream is told to come back (an empty 200 stream with
`retry`, which EventSource follows, where a 503 would close it for good) and /live/healthz
answers 503; the hub starts at the first request after the database answers again.
"""

import asyncio
import gc
import logging
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings.dev")
django.setup()

from asgiref.sync import sync_to_async  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import DatabaseError  # noqa: E402

from dateline.base import heartbeat  # noqa: E402
from dateline.base.errors import in_words  # noqa: E402
from dateline.db.unavailable import RETRY_AFTER_S, unavailable  # noqa: E402

from .hub import Subscriber, hub, read_events  # noqa: E402

logger = logging.getLogger(__name__)

MAX_EVENT_ID = 2**63 - 1
# The garbage collector's youngest generation, in objects allocated and not yet freed. An event
# reaches up to 20,000 streams a worker (its most, `dateline serve`'s --backpressure) in one
# go. At CPython's default of 700, `perf` put the collector at a fifth of the stream worker's
# CPU: young collections in the middle of a fan-out moved the objects in flight up a
# generation and brought on full collections over every open stream. 50,000 readers, p99:
# 1,195 ms with the default, 979-989 ms with this, when each stream was still woken; with
# the hub writing to the streams itself, 996 ms without it and 742-781 ms with it
# (bench/README.md, "Live stream"). The older generations keep their defaults, so streams
# whose readers left are still collected.
YOUNG_GENERATION = 60_000
STREAM_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-store"),
    # nginx would otherwise hold the events back in its buffer.
    (b"x-accel-buffering", b"no"),
    # Public news; pages on another port or host (`dateline serve`) may read it.
    (b"access-control-allow-origin", b"*"),
]
CORS_PREFLIGHT = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"GET"),
    (b"access-control-allow-headers", b"last-event-id, cache-control"),
    (b"access-control-max-age", b"86400"),
]


def parse_event_id(value: str | bytes | None) -> int | None:
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if number <= MAX_EVENT_ID else None


def requested_cursor(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"last-event-id":
            return parse_event_id(value)
    query = scope.get("query_string", b"").decode("latin-1")
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        if key == "last_event_id":
            return parse_event_id(value)
    return None


async def plain(send, status: int, body: bytes, headers=()) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), *headers]})
    await send({"type": "http.response.body", "body": body})


async def hub_running() -> bool:
    """Start the hub if it is not running; False while the database is not answering."""
    try:
        await hub.ensure_started()
    except DatabaseError as error:
        if not unavailable(error):
            raise
        logger.warning("Live stream: the database is not answering (%s)", in_words(error))
        return False
    return True


async def come_back_later(send) -> None:
    """A stream with nothing in it but when to reconnect: browsers' EventSource does, with
    the last event id it had."""
    await send({"type": "http.response.start", "status": 200, "headers": STREAM_HEADERS})
    await send({"type": "http.response.body", "body": (
        f"retry: {RETRY_AFTER_S * 1000}\n: the news database is not answering; "
        "reconnect later\n\n").encode()})


async def until_disconnected(receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def stream(scope, receive, send) -> None:
    await hub.ensure_started()
    cursor = requested_cursor(scope)
    if cursor is None or cursor > hub.latest:
        cursor = hub.latest  # a new reader (or a nonsense id) hears what happens from now
    await send({"type": "http.response.start", "status": 200, "headers": STREAM_HEADERS})
    # The retry hint and a first comment flush the headers through every proxy.
    await send({"type": "http.response.body", "body": b"retry: 2000\n: stream\n\n",
                "more_body": True})
    hub.streams += 1
    sent = 0
    # Watching for the reader leaving frees a closed stream at once, not at the next send.
    gone = asyncio.ensure_future(until_disconnected(receive))
    subscriber: Subscriber | None = None

    def leave(_) -> None:  # hands the stream back from the hub, to find the reader gone
        if subscriber is not None and not subscriber.resume.done():
            subscriber.resume.set_result(None)

    gone.add_done_callback(leave)
    snapshot = hub.snapshot
    try:
        while not gone.done():
            if sent > settings.DATELINE_LIVE_STREAM_MAX_BYTES:
                # granian's send never waits, so what a reader does not take piles up in the
                # server (300 streams that read nothing held 800 MB): a stream ends after so
                # much, and the browser's EventSource comes back after `retry` with its
                # Last-Event-ID, and misses nothing. Soon, for a reader that does read.
                await send({"type": "http.response.body", "body": b"retry: 250\n\n"})
                return
            frames = hub.after(cursor)
            if frames is None:
                frames = [(pk, data) for pk, _, data in await sync_to_async(
                    read_events, thread_sensitive=False)(
                    cursor, settings.DATELINE_LIVE_REPLAY_LIMIT)]
                if len(frames) == settings.DATELINE_LIVE_REPLAY_LIMIT:
                    # Away too long to replay everything: start afresh from now.
                    cursor = hub.latest
                    frames = [(cursor, f"id: {cursor}\nevent: reset\ndata: {{}}\n\n".encode())]
                    # What it missed told as the present: the banner and list as they are now
                    # (a story killed meanwhile stayed in the banner of an open page).
                    snapshot = hub.snapshot
            if frames or snapshot:
                cursor = frames[-1][0] if frames else cursor
                # The snapshot after any replay: it is the present, the replay the past.
                body = b"".join(data for _, data in frames) + snapshot
                snapshot = b""
                await send({"type": "http.response.body", "body": body, "more_body": True})
                sent += len(body)
                continue
            # Caught up: the hub writes what follows (events, heartbeats) until the reader
            # leaves, a send fails, the stream has been sent its fill, or it must catch up by
            # itself.
            subscriber = hub.subscribe(send, cursor, sent)
            try:
                await subscriber.resume
            finally:
                hub.unsubscribe(subscriber)
            cursor, sent = subscriber.cursor, subscriber.sent
            if subscriber.failed:
                return
    except OSError:
        pass  # the reader went away while we were sending (ASGI servers raise an OSError)
    finally:
        gone.cancel()
        hub.streams -= 1


_background: set[asyncio.Future] = set()


def tune_collector() -> None:
    """In a stream worker, once: what was loaded to start (Django, the models) is never garbage,
    so full collections stop walking it (gc.freeze), and the youngest generation holds a whole
    fan-out (YOUNG_GENERATION)."""
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION, middle, oldest)


async def application(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        while (message := await receive())["type"] != "lifespan.shutdown":
            if message["type"] == "lifespan.startup":
                tune_collector()
                # Its sign of life for serve's watchdog; kept, or the task may be collected.
                _background.add(asyncio.ensure_future(heartbeat.beat_in_loop()))
                await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["type"] != "http":
        return
    path, method = scope["path"], scope["method"]
    if path == "/live/events":
        if method == "OPTIONS":
            await plain(send, 204, b"", CORS_PREFLIGHT)
        elif method == "GET":
            await (stream(scope, receive, send) if await hub_running() else
                   come_back_later(send))
        elif method == "HEAD":
            # The stream's headers and no body (RFC 9110: HEAD wherever GET is answered): a
            # monitor or a client checking the address is not held open as a reader.
            await send({"type": "http.response.start", "status": 200,
                        "headers": STREAM_HEADERS})
            await send({"type": "http.response.body", "body": b""})
        else:
            await plain(send, 405, b"Only GET and HEAD.\n",
                        [(b"allow", b"GET, HEAD, OPTIONS")])
    elif path == "/live/healthz":
        if await hub_running():
            await plain(send, 200, f"ok {hub.streams} streams, event {hub.latest}\n".encode())
        else:
            await plain(send, 503, b"The news database is not answering.\n",
                        [(b"retry-after", str(RETRY_AFTER_S).encode())])
    else:
        await plain(send, 404, b"Not found. The stream is at /live/events.\n")

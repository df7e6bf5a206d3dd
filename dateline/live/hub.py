"""One per streaming process: reads new events once and writes them to every open stream.

Streams do not each hold a queue, nor are they each woken. A stream that has sent everything
subscribes (`subscribe`) and waits; the hub then writes each new event, and the heartbeat's
comment, to every subscriber itself, in one loop (`_deliver`): one copy of each event, one
message for all, and no task to wake per reader. granian's send for a body never waits (it
hands the bytes to the connection's writer and returns a finished awaitable), so the loop
runs straight through; 50,000 streams cost a callback, a future and a task step each per
event before (bench/README.md, "Live stream"). A stream the hub cannot write to (the reader
left, the send failed, or it fell behind) is handed back to its own task, which catches up
from the ring of recent frames or the database, or ends.
"""

import asyncio
import bisect
import json
import logging
from collections import deque

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from .brokers import get_broker
from .models import LiveEvent

logger = logging.getLogger(__name__)


def frame(event_id: int, kind: str, payload: dict) -> bytes:
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return f"id: {event_id}\nevent: {kind}\ndata: {data}\n\n".encode()


def read_events(after: int, limit: int) -> list[tuple[int, str, bytes]]:
    return [(pk, kind, data) for pk, kind, data, _ in read_events_with_payload(after, limit)]


def read_events_with_payload(after: int, limit: int) -> list[tuple[int, str, bytes, dict]]:
    close_old_connections()
    rows = LiveEvent.objects.filter(id__gt=after).order_by("id").values_list(
        "id", "kind", "payload")[:limit]
    return [(pk, kind, frame(pk, kind, payload), payload) for pk, kind, payload in rows]


def takes_away(kind: str, payload: dict) -> bool:
    """Whether an event leaves an open page unable to tell the present from events alone: a
    story gone from the ticker (whose place the next newest takes) or the banner's story no
    longer breaking (when an older one still is). The snapshot follows such events."""
    return kind == "unpublished" or (kind == "updated" and bool(payload.get("unbroken")))


TICKER_SIZE = 5
STORY_KINDS = {"published", "updated", "breaking", "unpublished"}
# Events that withdraw earlier ones (dateline.live.events.withdraw): the ring forgets them too.
WITHDRAWING = {"unpublished", "entry-removed"}


def ticker_snapshot() -> bytes:
    """The newest stories as the ticker shows them: sent first to every new stream, so that a
    page (cached, or rendered without the list) shows the current list at once."""
    from dateline.newsroom.models import Article

    from .events import breaking_since, breaking_stories, story_payload, ticker_stories

    close_old_connections()
    # The section by a second query: joined, SQLite sorts every live story (see
    # syndication.feeds.ArticleFeed.items).
    stories = ticker_stories(Article.objects.live()).prefetch_related("section")[:TICKER_SIZE]
    data = json.dumps([story_payload(a) for a in stories], separators=(",", ":"),
                      ensure_ascii=False)
    # The banner's story, as the server renders the strip (none: an empty object), first: the
    # list's items say "Breaking" by what the banner shows.
    breaking = next(iter(breaking_stories(timezone.now(), breaking_since())
                         .prefetch_related("section")[:1]), None)
    banner = json.dumps(story_payload(breaking) if breaking else {}, separators=(",", ":"),
                        ensure_ascii=False)
    return f"event: banner\ndata: {banner}\n\nevent: latest\ndata: {data}\n\n".encode()


def latest_event_id() -> int:
    close_old_connections()
    return LiveEvent.last_id()


class Hub:
    def __init__(self) -> None:
        self.ids: deque[int] = deque(maxlen=settings.DATELINE_LIVE_RING)
        self.frames: deque[bytes] = deque(maxlen=settings.DATELINE_LIVE_RING)
        self.latest = 0
        self.snapshot = b""
        self.started: asyncio.Task | None = None
        self.tasks: list[asyncio.Task] = []
        self.streams = 0
        self._lock = asyncio.Lock()
        # A dict for its order: streams subscribed first are written to first.
        self._subscribers: dict[Subscriber, None] = {}

    async def ensure_started(self) -> None:
        # A start that failed (the database not answering) is tried again by the next
        # caller: kept, its error would answer every stream until the process restarted.
        if self.started is None or (self.started.done() and (
                self.started.cancelled() or self.started.exception() is not None)):
            self.started = asyncio.ensure_future(self._start())
        await asyncio.shield(self.started)

    async def _start(self) -> None:
        self.latest = await sync_to_async(latest_event_id, thread_sensitive=False)()
        self.snapshot = await sync_to_async(ticker_snapshot, thread_sensitive=False)()
        self.tasks = [asyncio.ensure_future(coro) for coro in
                      (self._listen(), self._every(settings.DATELINE_LIVE_SAFETY_POLL,
                                                   self.refresh),
                       self._every(settings.DATELINE_LIVE_HEARTBEAT, self._heartbeat))]

    def subscribe(self, send, cursor: int, sent: int = 0) -> "Subscriber":
        """A stream that has sent everything up to `cursor` (hub.latest): the hub writes the
        next events to it until its `resume` future is done."""
        subscriber = Subscriber(send, cursor, sent)
        self._subscribers[subscriber] = None
        return subscriber

    def unsubscribe(self, subscriber: "Subscriber") -> None:
        self._subscribers.pop(subscriber, None)

    def after(self, cursor: int) -> list[tuple[int, bytes]] | None:
        """Frames newer than cursor from memory, or None when memory no longer reaches back."""
        if cursor >= self.latest:
            return []
        if not self.ids or cursor < self.ids[0] - 1:
            return None
        start = bisect.bisect_right(self.ids, cursor)
        return [(self.ids[i], self.frames[i]) for i in range(start, len(self.ids))]

    async def refresh(self) -> None:
        async with self._lock:
            found = await sync_to_async(read_events_with_payload, thread_sensitive=False)(
                self.latest, settings.DATELINE_LIVE_RING)
            rows = [(pk, kind, data) for pk, kind, data, _ in found]
            if any(kind in STORY_KINDS for _, kind, _ in rows):
                self.snapshot = await sync_to_async(ticker_snapshot, thread_sensitive=False)()
            # Not kept in the ring: a stream that starts or catches up is sent the snapshot
            # of its own moment.
            present = self.snapshot if any(takes_away(kind, payload)
                                           for _, kind, _, payload in found) else b""
            for pk, _, data in rows:
                self.ids.append(pk)
                self.frames.append(data)
            if any(kind in WITHDRAWING for _, kind, _ in rows):
                # The database no longer has what was withdrawn: the ring is read again.
                first = self.ids[0] - 1
                kept = [row for row in await sync_to_async(read_events, thread_sensitive=False)(
                    first, settings.DATELINE_LIVE_RING) if row[0] <= rows[-1][0]]
                self.ids = deque((pk for pk, _, _ in kept), maxlen=settings.DATELINE_LIVE_RING)
                self.frames = deque((data for _, _, data in kept),
                                    maxlen=settings.DATELINE_LIVE_RING)
            if rows:
                previous, self.latest = self.latest, rows[-1][0]
                await self._deliver(b"".join(data for _, _, data in rows) + present, previous)

    async def _heartbeat(self) -> None:
        # A comment to every stream with nothing new, which also finds the closed ones.
        async with self._lock:
            await self._deliver(b": ping\n\n", self.latest)

    async def _deliver(self, body: bytes, after: int) -> None:
        """Write body (what follows event `after`, up to hub.latest) to every subscriber;
        called under the lock, so no two writes to a stream interleave."""
        message = {"type": "http.response.body", "body": body, "more_body": True}
        for subscriber in list(self._subscribers):
            if subscriber.resume.done():
                continue  # its reader left: its task unsubscribes it
            if subscriber.cursor != after:  # never expected; its own task catches it up
                subscriber.resume.set_result(None)
                continue
            try:
                await subscriber.send(message)
            except Exception as error:  # one stream's failure is never the others'
                if not isinstance(error, OSError):  # not the usual: the reader went away
                    logger.warning("live: a stream's send failed", exc_info=True)
                subscriber.failed = True
                subscriber.resume.set_result(None)
            else:
                subscriber.cursor = self.latest
                subscriber.sent += len(body)
                if subscriber.sent > settings.DATELINE_LIVE_STREAM_MAX_BYTES:
                    subscriber.resume.set_result(None)  # its task ends it; the reader comes back

    async def _every(self, seconds: float, action) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await action()
            except Exception:
                logger.exception("live: %s failed", action.__name__)

    async def _listen(self) -> None:
        broker, delay = get_broker(), 0.5
        while True:
            try:
                async for _ in broker.notifications():
                    delay = 0.5
                    await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("live: broker %s failed; retrying in %.1f s", broker.name, delay,
                               exc_info=True)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30)
            await self.refresh()


class Subscriber:
    """A caught-up stream the hub writes to: its ASGI send, the last event it was sent, and
    the future that hands it back to its own task."""

    __slots__ = ("cursor", "failed", "resume", "send", "sent")

    def __init__(self, send, cursor: int, sent: int = 0) -> None:
        self.send = send
        self.cursor = cursor
        self.sent = sent  # bytes written to the stream since it opened
        self.resume: asyncio.Future = asyncio.get_running_loop().create_future()
        self.failed = False


hub = Hub()

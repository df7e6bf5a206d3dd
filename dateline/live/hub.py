"""One per streaming process: reads new events once and wakes every open stream at once.

Streams do not each hold a queue. A stream with nothing to send awaits one bare future the
hub completes at the next wake-up, and then reads what it has not sent from a ring of recent
frames; so ten thousand readers cost ten thousand suspended coroutines and a single copy of
each event. (Not asyncio.wait on one shared future: with 10k streams a wake-up through it
took four times the CPU, and the waiting streams held 60% more objects for the garbage
collector to walk; bench/README.md has the figures.)
"""

import asyncio
import bisect
import json
import logging
from collections import deque

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from .brokers import get_broker
from .models import LiveEvent

logger = logging.getLogger(__name__)


def frame(event_id: int, kind: str, payload: dict) -> bytes:
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return f"id: {event_id}\nevent: {kind}\ndata: {data}\n\n".encode()


def read_events(after: int, limit: int) -> list[tuple[int, str, bytes]]:
    close_old_connections()
    rows = LiveEvent.objects.filter(id__gt=after).order_by("id").values_list(
        "id", "kind", "payload")[:limit]
    return [(pk, kind, frame(pk, kind, payload)) for pk, kind, payload in rows]


TICKER_SIZE = 5
STORY_KINDS = {"published", "updated", "breaking", "unpublished"}


def ticker_snapshot() -> bytes:
    """The newest stories as the ticker shows them: sent first to every new stream, so that a
    page (cached, or rendered without the list) shows the current list at once."""
    from dateline.newsroom.models import Article

    from .events import story_payload

    close_old_connections()
    stories = Article.objects.live().newest_first().select_related("section")[:TICKER_SIZE]
    data = json.dumps([story_payload(a) for a in stories], separators=(",", ":"),
                      ensure_ascii=False)
    return f"event: latest\ndata: {data}\n\n".encode()


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
        self._waiting: list[asyncio.Future] = []

    async def ensure_started(self) -> None:
        if self.started is None:
            self.started = asyncio.ensure_future(self._start())
        await asyncio.shield(self.started)

    async def _start(self) -> None:
        self.latest = await sync_to_async(latest_event_id, thread_sensitive=False)()
        self.snapshot = await sync_to_async(ticker_snapshot, thread_sensitive=False)()
        self.tasks = [asyncio.ensure_future(coro) for coro in
                      (self._listen(), self._every(settings.DATELINE_LIVE_SAFETY_POLL,
                                                   self.refresh),
                       self._every(settings.DATELINE_LIVE_HEARTBEAT, self._heartbeat))]

    def next_wakeup(self) -> asyncio.Future:
        """A future the next wake-up completes (or the stream itself, when its reader leaves)."""
        future = asyncio.get_running_loop().create_future()
        self._waiting.append(future)
        return future

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
            rows = await sync_to_async(read_events, thread_sensitive=False)(
                self.latest, settings.DATELINE_LIVE_RING)
            if any(kind in STORY_KINDS for _, kind, _ in rows):
                self.snapshot = await sync_to_async(ticker_snapshot, thread_sensitive=False)()
            for pk, _, data in rows:
                self.ids.append(pk)
                self.frames.append(data)
            if rows:
                self.latest = rows[-1][0]
                self._wake()

    def _wake(self) -> None:
        waiting, self._waiting = self._waiting, []
        for future in waiting:
            if not future.done():  # a stream whose reader left has completed its own
                future.set_result(None)

    async def _heartbeat(self) -> None:
        self._wake()  # streams with nothing new send a comment, which also finds closed ones

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


hub = Hub()

"""The stream worker's garbage collector: tuned once its ASGI lifespan starts (asgi.py)."""

import asyncio
import gc

from dateline.live import asgi


def start_and_stop_lifespan() -> list[str]:
    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    sent: list[str] = []

    async def receive():
        return next(messages)

    async def send(message):
        sent.append(message["type"])

    asyncio.run(asgi.application({"type": "lifespan"}, receive, send))
    return sent


def test_lifespan_startup_freezes_what_was_loaded_and_widens_the_young_generation():
    before = gc.get_threshold()
    try:
        assert start_and_stop_lifespan() == ["lifespan.startup.complete",
                                             "lifespan.shutdown.complete"]
        young, middle, oldest = gc.get_threshold()
        # A whole fan-out fits: two objects in flight for each stream a worker may hold.
        assert young == asgi.YOUNG_GENERATION >= 2 * 20_000
        assert (middle, oldest) == before[1:]  # streams whose readers left are still collected
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)

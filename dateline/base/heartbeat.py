"""A server worker (and serve's background worker) says it is alive: the file named by its pid
in the folder that `dateline serve` names in DATELINE_HEARTBEAT_DIR has its time renewed
every second. A worker that has
frozen (stopped, stuck in a C call that holds the GIL, an event loop that never yields) renews
it no more, and serve's watchdog (dateline.ops.serving.watchdog) kills it, so that granian
starts another: frozen, it kept taking its share of new connections on its own socket, and
each waited for ever (measured: one web worker of two stopped, every other request hung).
"""

import asyncio
import contextlib
import os
import threading
import time
from pathlib import Path

BEAT_S = 1.0
FOLDER = "DATELINE_HEARTBEAT_DIR"


def _file() -> Path | None:
    folder = os.environ.get(FOLDER)
    return Path(folder) / str(os.getpid()) if folder else None


def beat() -> None:
    if (path := _file()) is not None:
        with contextlib.suppress(OSError):  # serve gone, or its folder with it
            path.touch()


def start_thread() -> None:
    """A WSGI worker's (or the task worker's) beat: a thread, which runs while the process
    runs Python at all."""
    if _file() is None:
        return

    def beating() -> None:
        while True:
            beat()
            time.sleep(BEAT_S)

    threading.Thread(target=beating, name="heartbeat", daemon=True).start()


async def beat_in_loop() -> None:
    """An ASGI worker's beat, from its event loop: a loop that one task holds stops it too."""
    while True:
        beat()
        await asyncio.sleep(BEAT_S)

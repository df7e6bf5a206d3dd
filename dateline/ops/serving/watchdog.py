"""Kill a granian worker that has frozen, so that granian starts another.

granian replaces a worker that dies, but not one that stops answering while it lives (stopped,
stuck in a C call that holds the GIL, an event loop that never yields): each worker accepts on
a socket of its own (SO_REUSEPORT), so the kernel kept handing the frozen one its share of new
connections, and each waited for ever. Measured with one web worker of two stopped: every
other request hung until the client gave up. Each worker beats (dateline.base.heartbeat); one
that has not for `DATELINE_WORKER_FROZEN_S` seconds is killed with SIGKILL, and granian's
`--respawn-failed-workers` starts a new one.
"""

import contextlib
import os
import signal
import time
from collections.abc import Callable, Collection
from pathlib import Path

from dateline.base.environment import number

# Far longer than any pause of a live process (a full garbage collection, a page's
# rendering holding the GIL for a tenth of a second, a machine swapping for a moment).
FROZEN_S = number("DATELINE_WORKER_FROZEN_S", 15)
# The background worker, a child of serve's own, beats too: frozen (stopped, or stuck), no story
# came out at its time and nothing said so but the desk's backlog notice. Its tasks may hold the
# GIL longer than a page does (a C library's long call): it is given longer.
BACKGROUND_FROZEN_S = number("DATELINE_BACKGROUND_FROZEN_S", 60)
# serve looks every fifth of a second: a longer gap means serve itself did not run (the machine
# suspended, a laptop's lid closed, the whole host stalled), and nor did the workers. Their
# silence then says nothing: they get GRACE_S to beat again before they are judged.
GAP_S, GRACE_S = 5.0, 3.0


def parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return None if fields[0] == "Z" else int(fields[1])  # a zombie has stopped for good


class Watchdog:
    def __init__(self, folder: Path, log: Callable[[str], None],
                 frozen_after: float = FROZEN_S,
                 background_frozen_after: float = BACKGROUND_FROZEN_S) -> None:
        self.folder = folder
        self.log = log
        self.frozen_after = frozen_after
        self.background_frozen_after = background_frozen_after
        self.last_look = time.time()
        self.judge_from = 0.0

    def check(self, servers: Collection[int], background: Collection[int] = ()) -> None:
        """Kill each worker of `servers` (granian main processes' pids) that has not beaten
        for `frozen_after`, and each of `background` (serve's own children that beat: the
        task worker) silent for `background_frozen_after`; forget the beats of processes that
        have ended."""
        now = time.time()  # the clock of the beats' times, which runs on through a suspend
        if now - self.last_look > GAP_S:
            self.judge_from = now + GRACE_S
        self.last_look = now
        with os.scandir(self.folder) as beats:
            for beat in beats:
                if not beat.name.isdigit():
                    continue
                pid = int(beat.name)
                parent = parent_of(pid)
                if parent is None:
                    Path(beat.path).unlink(missing_ok=True)
                    continue
                with contextlib.suppress(FileNotFoundError):
                    silent = now - beat.stat().st_mtime
                    if parent in servers:
                        limit, who, after = (self.frozen_after, "A server worker",
                                             "granian starts another")
                    elif pid in background:
                        limit, who, after = (self.background_frozen_after,
                                             "The background worker", "serve starts it again")
                    else:
                        continue
                    if silent > limit and now >= self.judge_from:
                        self.log(f"{who} (pid {pid}) has given no sign of life for "
                                 f"{silent:.0f} s: it has frozen. Killing it; {after}.")
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(pid, signal.SIGKILL)
                        Path(beat.path).unlink(missing_ok=True)

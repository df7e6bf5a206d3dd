"""One request at a time per host, across threads and worker processes, with a gap between.

Each host has a small lock file under DATELINE_INGEST_LOCK_DIR; `flock` on a file opened
afresh excludes other threads of this process as well as other processes on this machine.
The file holds when the host's last request ended, so the next waits out
DATELINE_INGEST_HOST_GAP. (Workers on several machines share no directory: give them one on
shared storage, or one polling worker.)
"""

import contextlib
import fcntl
import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings


@contextmanager
def turn(host: str) -> Iterator[None]:
    """Hold `host` for one request: wait for any other, then for the gap after it."""
    folder = Path(settings.DATELINE_INGEST_LOCK_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / hashlib.sha256(host.lower().encode()).hexdigest()[:32]
    with open(path, "a+b", buffering=0) as file:  # unbuffered: nothing left to fail at close
        fcntl.flock(file, fcntl.LOCK_EX)
        try:
            file.seek(0)
            # CLOCK_MONOTONIC is one clock for every process on the machine (and no test
            # clock moves it), so the stamp of another process is comparable.
            last = float(file.read() or 0)
            wait = last + settings.DATELINE_INGEST_HOST_GAP - time.monotonic()
            if 0 < wait <= settings.DATELINE_INGEST_HOST_GAP:
                time.sleep(wait)
            yield
        finally:
            # A full disk: the stamp is not written (the next poll waits by an older one);
            # the poll's own outcome is what gets logged, not three tracebacks chained to it.
            with contextlib.suppress(OSError):
                file.seek(0)
                file.truncate()
                file.write(str(time.monotonic()).encode())
                file.flush()
            fcntl.flock(file, fcntl.LOCK_UN)

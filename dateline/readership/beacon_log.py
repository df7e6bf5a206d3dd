"""Beacons answered by nginx and counted from the lines it writes (deploy/nginx.conf).

Behind nginx a beacon never reaches Python: nginx answers 204 and writes one line into a file of
DATELINE_BEACON_LOG_DIR, a file per hundred seconds ("17643399.log": seconds 1764339900 to
1764339999). `dateline serve` reads the new lines about every second (read_new_lines), applies
the beacon's own rules (beacon.counts: no robots, a sender's repeats a few times), and writes
the counts and how far it read in one transaction, so a restart, a killed process or a second
reader goes on from there: nothing is lost or counted twice. A file is deleted once read to its
end after its hundred seconds (and a margin): the addresses in it live two or three minutes,
well inside an access log's own retention, and reach neither the database nor another log.

Why not the app: at 10,000 views a second a beacon answered by granian and Python takes a
share of the cores the readers' pages need; nginx answers one for a few microseconds, and
reading its line afterwards in a batch costs less than the request would have.
"""

import contextlib
import logging
import os
import socket
import threading
import time
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction

from dateline.base.clients import network_in

from . import counting
from .beacon import BEACON, counts

logger = logging.getLogger(__name__)

# Each file covers this many seconds (the map in deploy/nginx.conf drops the last two digits
# of the time), and is deleted this long after: nginx's clock may lag its log line a little.
FILE_SECONDS = 100
MARGIN_SECONDS = 10
# Read at most this much of a file a pass, so that a backlog (a day's file after an outage)
# is counted in bounded memory, one transaction at a time.
_MOST_BYTES = 8 * 1024 * 1024


def read_new_lines(folder: Path | None = None, now: float | None = None) -> int:
    """Count what nginx wrote since the last pass; delete files read to their end and closed.
    Return the number of beacons counted."""
    folder = Path(folder or settings.DATELINE_BEACON_LOG_DIR)
    now = time.time() if now is None else now
    counted = 0
    try:
        files = sorted(path for path in folder.iterdir() if _window(path) is not None)
    except FileNotFoundError:
        return 0
    for path in files:
        counted += _read_file(path, now)
    _forget_gone([path for path in files if path.exists()])
    return counted


def _window(path: Path) -> int | None:
    """The first second of the file's hundred, or None for a file that is not nginx's."""
    if path.suffix != ".log" or not path.stem.isdigit():
        return None
    return int(path.stem) * FILE_SECONDS


def _read_file(path: Path, now: float) -> int:
    from .models import BeaconLogRead

    name = f"{socket.gethostname()}/{path.name}"
    closed = _window(path) + FILE_SECONDS + MARGIN_SECONDS <= now  # nginx writes there no more
    counted = 0
    while True:
        read, _ = BeaconLogRead.objects.get_or_create(name=name)
        with path.open("rb") as file:
            file.seek(read.offset)
            data = file.read(_MOST_BYTES)
        # A line nginx is still writing is left for the next pass (nginx writes a line in one
        # write(); a file cut short by a full disk keeps its last piece unread, and is deleted).
        end = data.rfind(b"\n") + 1
        if end:
            batch, n = tally(data[:end])
            with transaction.atomic():
                # Moved on only from where this pass began: a second reader of the folder (two
                # `dateline serve` on one host) that got there first leaves this one nothing
                # to write, and it reads again from the new offset.
                if not BeaconLogRead.objects.filter(name=name, offset=read.offset).update(
                        offset=read.offset + end):
                    continue
                counting.write(batch)
            counted += n
        if len(data) < _MOST_BYTES or not end:
            break
    if closed:
        path.unlink(missing_ok=True)
        BeaconLogRead.objects.filter(name=name).delete()
    return counted


def _forget_gone(present: list[Path]) -> None:
    """Drop the offsets of this host's files that are no longer there (deleted by hand, or by
    another reader of the folder between its delete and this one's)."""
    from .models import BeaconLogRead

    host = f"{socket.gethostname()}/"
    (BeaconLogRead.objects.filter(name__startswith=host)
     .exclude(name__in=[host + path.name for path in present]).delete())


def tally(lines: bytes) -> tuple[counting.Batch, int]:
    """The counts in nginx's lines ("<status> <seconds.ms> <path> <address> <user agent>"),
    by kind, key and hour, and how many beacons they hold."""
    batch: counting.Batch = {}
    n = 0
    for line in lines.decode("utf-8", "replace").splitlines():
        fields = line.split(" ", 4)
        if len(fields) < 4 or fields[0] != "204":
            continue  # refused by nginx (a GET, a body, another site's page): never counted
        match = BEACON.fullmatch(fields[2])
        try:
            hour = int(float(fields[1])) // 3600
        except ValueError:
            continue
        agent = fields[4] if len(fields) == 5 else ""
        if match is None or not counts(agent, _network(fields[3]), match[1], match[2]):
            continue
        item = (match[1], match[2], hour)
        batch[item] = batch.get(item, 0) + 1
        n += 1
    return batch, n


@lru_cache(maxsize=65_536)
def _network(address: str) -> str:
    # A reader sends many beacons from one address: parsed once, not for each (a third of a
    # line's cost). The address nginx wrote is the peer it saw (or set_real_ip_from's).
    return network_in({"REMOTE_ADDR": address})


def start_reading(seconds: float | None = None) -> threading.Thread:
    """Read the folder every `seconds` in a thread of this process (`dateline serve`'s)."""
    seconds = settings.DATELINE_READERSHIP_FLUSH_SECONDS if seconds is None else seconds
    thread = threading.Thread(target=_read_every, args=(max(seconds, 0.1),), daemon=True,
                              name="readership-beacon-log")
    thread.start()
    return thread


def _read_every(seconds: float) -> None:
    from django.db import connection

    # Below the readers' pages (nice 10, this thread alone): a burst of beacons is counted
    # when the cores have a moment, seconds late at worst, never at a page's expense.
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    while True:
        time.sleep(seconds)
        try:
            connection.close_if_unusable_or_obsolete()  # a restarted database, between passes
            read_new_lines()
        except Exception:
            # Kept for the next pass: nothing was marked read that was not written.
            logger.warning("readership: nginx's beacon lines not counted this pass",
                           exc_info=True)

"""Count views, impressions and clicks in memory; write them per hour, in one UPSERT a batch.

count() is what a request pays: a lock and a dictionary addition, never a query, so counting
never slows a page. A thread of each process writes the batch about every second
(DATELINE_READERSHIP_FLUSH_SECONDS); the process writes what is left when it exits (granian's
workers on SIGTERM), so a worker killed outright loses at most its last unwritten batch.
What is counted is a kind, a key (a story's or a campaign's primary key) and the hour: never
who, from where or with what.
"""

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from multiprocessing import util as multiprocessing_util

from django.conf import settings
from django.db import connections, router, transaction

logger = logging.getLogger(__name__)

# Rows a statement writes at most: 4 parameters a row stays below every database's limit.
_ROWS_A_STATEMENT = 1000
_UPSERT = ("INSERT INTO {table} (kind, {key}, hour, count) VALUES {rows} "
           "ON CONFLICT (kind, {key}, hour) DO UPDATE SET count = {table}.count + excluded.count")

Batch = dict[tuple[str, str, int], int]

_lock = threading.Lock()  # guards _batch: count() runs in many threads at once
_writing = threading.Lock()  # one flush at a time, so the exit's waits for the thread's
_batch: Batch = {}
_dropped = 0
_started_in: int | None = None  # the process whose flushing thread runs (a fork has none)
# Which keys of a kind exist, from the app that owns them (ads registers its campaigns):
# keys made up by hand at the beacon are dropped at the flush, in one query, not stored.
_known_keys: dict[str, Callable[[set[str]], Iterable[str]]] = {}


def count(kind: str, key: int | str, n: int = 1) -> None:
    """Add n to this hour's count of `key`; never blocks on the database."""
    global _dropped
    if _started_in != os.getpid():
        _start_flushing()
    item = (kind, str(key), int(time.time()) // 3600)
    with _lock:
        if item in _batch:
            _batch[item] += n
        elif len(_batch) < settings.DATELINE_READERSHIP_MAX_BATCH:
            _batch[item] = n
        else:
            _dropped += n  # a flood of distinct keys: memory stays bounded


def flush() -> int:
    """Write the batch now; return the number of rows written."""
    global _batch
    with _writing:
        with _lock:
            batch, _batch = _batch, {}
        if not batch:
            return 0
        try:
            return _write(_only_known(batch))
        except Exception:
            logger.warning("readership: %d counts not written; kept for the next flush",
                           len(batch), exc_info=True)
            _put_back(batch)
            return 0


def write(batch: Batch) -> int:
    """Write counts gathered elsewhere (nginx's beacon lines) now, in the caller's transaction
    when there is one; keys that do not exist are dropped as at a flush."""
    return _write(_only_known(batch))


def register_keys(kind: str, known: Callable[[set[str]], Iterable[str]]) -> None:
    """Let the app owning `kind` say which of a batch's keys exist (the others are dropped)."""
    _known_keys[kind] = known


def dropped() -> int:
    """Counts refused because the batch was full (the metrics may show it)."""
    return _dropped


def _only_known(batch: Batch) -> Batch:
    kept: Batch = {}
    for kind in {kind for kind, _, _ in batch}:
        keys = {key for k, key, _ in batch if k == kind}
        known = _known_keys.get(kind)
        existing = keys if known is None else set(known(keys))
        kept.update((item, n) for item, n in batch.items()
                    if item[0] == kind and item[1] in existing)
    return kept


def _write(batch: Batch) -> int:
    # Imported here: serve's bulkhead imports the beacon, and with it this module, before
    # Django's apps are loaded.
    from .models import Tally

    db = router.db_for_write(Tally)
    connection = connections[db]
    if not connection.in_atomic_block:
        # The flushing thread has no request around it to renew a broken connection (a
        # restarted database); inside a caller's transaction the connection is the caller's.
        connection.close_if_unusable_or_obsolete()
    quote = connection.ops.quote_name
    # Sorted: two processes writing the same rows lock them in the same order (no deadlock).
    rows = sorted(batch.items())
    with transaction.atomic(using=db), connection.cursor() as cursor:
        for start in range(0, len(rows), _ROWS_A_STATEMENT):
            chunk = rows[start:start + _ROWS_A_STATEMENT]
            sql = _UPSERT.format(table=quote(Tally._meta.db_table), key=quote("key"),
                                 rows=", ".join(["(%s, %s, %s, %s)"] * len(chunk)))
            params = []
            for (kind, key, hour), n in chunk:
                params += [kind, key, datetime.fromtimestamp(hour * 3600, UTC), n]
            cursor.execute(sql, params)
    return len(rows)


def _put_back(batch: Batch) -> None:
    with _lock:
        for item, n in batch.items():
            if item in _batch or len(_batch) < settings.DATELINE_READERSHIP_MAX_BATCH:
                _batch[item] = _batch.get(item, 0) + n


def _start_flushing() -> None:
    global _started_in, _batch
    with _lock:
        if _started_in == os.getpid():
            return
        if _started_in is not None:
            _batch = {}  # a forked child's copy of its parent's batch: the parent writes it
        _started_in = os.getpid()
    # A worker leaving on SIGTERM writes what it holds: plain exits run atexit, multiprocessing
    # children (granian's workers) leave by os._exit after running their Finalize hooks.
    atexit.register(_flush_at_exit)
    multiprocessing_util.Finalize(None, _flush_at_exit, exitpriority=100)
    seconds = settings.DATELINE_READERSHIP_FLUSH_SECONDS
    if seconds > 0:
        threading.Thread(target=_flush_every, args=(seconds,), name="readership-flush",
                         daemon=True).start()


def _flush_every(seconds: float) -> None:
    while True:
        time.sleep(seconds)
        flush()


def _flush_at_exit() -> None:
    if _started_in == os.getpid():
        flush()

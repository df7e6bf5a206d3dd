"""Which read replica may serve a read now, and waiting for the replicas after a write.

A replica that refuses connections (stopped, restarting, unreachable) or falls behind rests for
DATELINE_DB_REPLICA_REST_SECONDS: this process reads from the other replicas or the primary
meanwhile, then tries it again. So a stopped replica costs readers one refused connection per
thread and rest, never a 500 (a replica that dies in the middle of a request's query still
fails that one request). A replica connected to anew serves once it has replayed what the
primary had then: one back from a stop does not serve pages from before it stopped.

Pages are cached until a change invalidates them, on commit; a page rendered just after from a
replica that has not yet replayed the change would be cached stale until it expires. So after a
write on the primary commits, and before anything else hears of it (the page cache's and the
live stream's own on-commit hooks come after), the writer waits up to
DATELINE_DB_REPLICA_WAIT_MS for every replica in rotation to have replayed it. One that has not
by then rests, and this process reads from the primary meanwhile.
"""

import logging
import random
import time
from collections.abc import Sequence

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, Error, connections, transaction

logger = logging.getLogger(__name__)

_WRITES = ("insert", "update", "delete", "merge", "truncate", "copy")
# The tables of the router's primary-only apps (sessions, the task queue): never read from a
# replica, so a write to them waits for none (an on-commit hook that queues a task would).
_PRIMARY_ONLY_TABLES = ('"django_session"', '"django_tasks_database_')
# Between two looks at a replica's replay position: replication on a LAN takes about a ms.
_POLL_SECONDS = 0.002
# How long a reader waits for a replica it connects to anew to catch up, before resting it.
_RECONNECT_WAIT = 0.1
# alias -> time.monotonic() until which this process does not read from it.
_resting: dict[str, float] = {}


def rest(alias: str, why: str) -> None:
    seconds = settings.DATELINE_DB_REPLICA_REST_SECONDS
    if alias not in _resting:
        logger.warning("read replica %s %s: reading from elsewhere for %s s", alias, why, seconds)
    _resting[alias] = time.monotonic() + seconds


def unreachable(error: Error) -> str:
    return f"is unreachable ({(str(error).strip() or type(error).__name__).splitlines()[0]})"


def in_rotation(aliases: Sequence[str]) -> list[str]:
    """The replicas not resting now, their rests over forgotten."""
    now = time.monotonic()
    # A copy: other threads of the process rest and restore replicas meanwhile.
    for alias, until in list(_resting.items()):
        if until <= now:
            _resting.pop(alias, None)
    return [alias for alias in aliases if alias not in _resting]


def connected(alias: str) -> bool:
    """Whether this thread has a working connection to `alias`, opening one if needed."""
    connection = connections[alias]
    try:
        # Once per request (CONN_HEALTH_CHECKS): a connection the server dropped is closed
        # here, and opened again below, instead of failing the request's first query.
        connection.close_if_health_check_failed()
        if connection.connection is not None:
            return True
        connection.ensure_connection()
        # A replica connected to anew may be back from a stop, far behind: it serves once it
        # has what the primary had a moment ago (a little later, if it is streaming it now).
        if connection.vendor == "postgresql" and not _replays(
            alias, _primary_position(), time.monotonic() + _RECONNECT_WAIT
        ):
            connection.close()
            rest(alias, "is behind the primary")
            return False
    except Error as error:
        rest(alias, unreachable(error))
        return False
    return True


def choose(aliases: Sequence[str]) -> str | None:
    """A replica in rotation this thread can reach, at random; None if there is none."""
    candidates = in_rotation(aliases)
    random.shuffle(candidates)
    return next((alias for alias in candidates if connected(alias)), None)


def after_writes(execute, sql, params, many, context):
    """An execute wrapper on the primary: after a write commits, wait for the replicas."""
    result = execute(sql, params, many, context)
    if (
        settings.DATELINE_DB_REPLICAS
        and sql.lstrip(" (\n").lower().startswith(_WRITES)
        and not any(table in sql[:100] for table in _PRIMARY_ONLY_TABLES)
    ):
        connection = context["connection"]
        if connection.in_atomic_block:
            if not any(hook[1] is wait_for_replicas for hook in connection.run_on_commit):
                # Registered at the transaction's first write, before any post_save receiver
                # registers its own hook: hooks run in order.
                transaction.on_commit(wait_for_replicas, using=connection.alias)
        elif connection.get_autocommit():
            wait_for_replicas()
    return result


def watch_writes() -> None:
    """Put `after_writes` on this thread's primary connection, once."""
    wrappers = connections[DEFAULT_DB_ALIAS].execute_wrappers
    if after_writes not in wrappers:
        # First, not last: execute_wrapper() blocks (the public read budget) remove the last.
        wrappers.insert(0, after_writes)


def wait_for_replicas() -> None:
    """Wait until every replica in rotation has replayed what the primary has written."""
    aliases = in_rotation(settings.DATELINE_DB_REPLICAS)
    if not aliases or connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        return
    try:
        position = _primary_position()
    except Error:
        # The write has committed: whoever made it must not see an error now.
        logger.warning("could not read the primary's WAL position; not waiting for replicas",
                       exc_info=True)
        return
    deadline = time.monotonic() + settings.DATELINE_DB_REPLICA_WAIT_MS / 1000
    for alias in aliases:
        try:
            if not _replays(alias, position, deadline):
                rest(alias, f"has not replayed {position} within "
                            f"{settings.DATELINE_DB_REPLICA_WAIT_MS} ms")
        except Error as error:
            rest(alias, unreachable(error))


# Where the primary's write-ahead log is flushed to: every commit so far is before it (commits
# wait for their flush: PostgreSQL's synchronous_commit, which Dateline leaves on), and a
# replica's replay reaches it. Not the insert position: when the last record ends a WAL page,
# that one stands past the next page's header, where no record ends, so a quiet primary's
# replica never reached it; the wait ran its whole second and the replica rested.
PRIMARY_POSITION_SQL = "SELECT pg_current_wal_flush_lsn()"


def _primary_position() -> str:
    """Where the primary's write-ahead log is flushed to (PRIMARY_POSITION_SQL)."""
    primary = connections[DEFAULT_DB_ALIAS]
    primary.ensure_connection()
    # The driver's own cursors: this bookkeeping is no query of the request, and must not run
    # through the wrappers (after_writes, the public read budget).
    with primary.wrap_database_errors, primary.connection.cursor() as cursor:
        cursor.execute(PRIMARY_POSITION_SQL)
        return cursor.fetchone()[0]


def _replays(alias: str, position: str, deadline: float) -> bool:
    """Whether replica `alias` replays up to `position` before `deadline` (time.monotonic())."""
    replica = connections[alias]
    replica.ensure_connection()
    with replica.wrap_database_errors, replica.connection.cursor() as cursor:
        while True:
            # A server not in recovery is the primary itself (tests point an alias at it).
            cursor.execute(
                "SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= %s::pg_lsn",
                [position],
            )
            if cursor.fetchone()[0]:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_SECONDS)

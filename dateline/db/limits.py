"""Stop a public request's database reads past a budget, so no query string can hold a worker.

SQLite runs each statement in the web worker's own thread, so the budget is that thread's CPU
time inside read statements, summed over the request (`DATELINE_PUBLIC_READ_CPU_MS`). Two
watchers share it: a progress handler, called every few thousand steps of SQLite's virtual
machine (rows fetched after `execute` returned included), and a watchdog thread for what the
handler never sees: a full-text table expanding a prefix is one step that can run for seconds.
Either interrupts the read that goes past the budget.

PostgreSQL runs statements in its own process: the request's reads get `statement_timeout =
DATELINE_PUBLIC_STATEMENT_TIMEOUT_MS`, reset afterwards since the connection outlives the
request. A server that does not answer at all (a frozen process, a hung disk) cannot enforce
it, and libpq waits for ever: the watchdog then shuts the connection's socket a little past the
timeout, and the read fails as a lost connection. Writes are never stopped, on either database.
"""

import math
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress

from django.conf import settings
from django.db import DatabaseError, connections

_READS = ("select", "with", "values", "explain")
# Statements that neither read nor write data: passed through as they are, even in a failed
# transaction (where only a rollback is allowed).
_CONTROL = ("savepoint", "release", "rollback", "commit", "begin", "set ", "reset", "show")
# A longer pause between two calls of the progress handler means Python ran in between (the
# view between fetches), which is not the database's time.
_SAME_RUN_SECONDS = 0.002
# After a stop, what is left for the page that says so (its menu, its footer).
_GRACE = 0.1
_active = threading.local()


def _is_read(sql: str) -> bool:
    return sql.lstrip(" (\n")[:8].lower().startswith(_READS)


class _SQLiteBudget:
    """Interrupt reads once the statements of this request have used `seconds` of CPU."""

    CHECK_EVERY = 10_000  # virtual-machine steps: tens of microseconds apart

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.spent = 0.0
        self.reading = False
        self.fired = False
        self.last = time.thread_time()
        # Set while `execute` runs: the thread's CPU clock then, and `spent` before it.
        self.executing_since: float | None = None
        self.spent_before = 0.0
        self.clock = time.pthread_getcpuclockid(threading.get_ident())
        self.raw = None
        self.installed: list = []

    def over(self, now: float) -> bool:
        """Whether the reads have gone past the budget; the first time, leave a little grace."""
        if self.executing_since is not None:
            spent = self.spent_before + now - self.executing_since
        else:
            spent = self.spent
        if not self.reading or spent <= self.seconds:
            return False
        if not self.fired:
            self.fired = True
            self.seconds = spent + self.seconds * _GRACE
        return True

    def check(self) -> int:
        now = time.thread_time()
        if self.executing_since is None and now - self.last < _SAME_RUN_SECONDS:
            self.spent += now - self.last
        self.last = now
        return int(self.over(now))

    def quiet_for(self) -> float:
        """Seconds within which none of this request's statements can pass the budget: a
        thread spends at most a second of CPU a second."""
        if self.executing_since is None:
            return self.seconds - self.spent
        running = time.clock_gettime(self.clock) - self.executing_since
        return self.seconds - self.spent_before - running

    def watch(self) -> None:
        """Called by the watchdog thread: interrupt a statement that has run past the budget."""
        raw = self.raw
        if raw is not None and self.executing_since is not None and self.over(
            time.clock_gettime(self.clock)
        ):
            raw.interrupt()

    def __call__(self, execute, sql, params, many, context):
        raw = context["connection"].connection
        if not any(raw is installed for installed in self.installed):
            raw.set_progress_handler(self.check, self.CHECK_EVERY)
            self.installed.append(raw)
        self.reading, self.raw = _is_read(sql), raw
        self.spent_before = self.spent
        self.executing_since = start = time.thread_time()
        try:
            return execute(sql, params, many, context)
        finally:
            self.last = time.thread_time()
            self.spent = self.spent_before + self.last - start
            self.executing_since = None

    def close(self) -> None:
        self.raw = None
        for raw in self.installed:
            # Closed during the request: nothing left to remove it from.
            with suppress(Exception):
                raw.set_progress_handler(None, 0)


class _Watchdog:
    """One thread per process that looks at the running reads when one of them could have
    passed its limit, and every few milliseconds once one could.

    It looked every 5 ms while any public request ran: on a page rendered from the database,
    a fifth of a millisecond of the request's own time went to handing the interpreter to it
    and back (bench/README.md). It now sleeps as long as no read could have passed its limit
    meanwhile (CPU time runs no faster than the clock), and is woken early when a request
    with a shorter limit comes in.
    """

    EVERY = 0.005
    LONGEST = 1.0

    def __init__(self) -> None:
        self.budgets: set[_SQLiteBudget | _PostgresBudget] = set()
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.nudge = threading.Event()
        # When the watchdog looks next, while it waits; while it looks, any request added
        # wakes it again (the list it looks at may not hold it).
        self.until = math.inf
        self.thread: threading.Thread | None = None

    def add(self, budget: "_SQLiteBudget | _PostgresBudget") -> None:
        with self.lock:
            self.budgets.add(budget)
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self.run, name="db-read-watchdog",
                                               daemon=True)
                self.thread.start()
        self.wake.set()
        if time.monotonic() + budget.quiet_for() < self.until:
            self.nudge.set()

    def remove(self, budget: "_SQLiteBudget | _PostgresBudget") -> None:
        with self.lock:
            self.budgets.discard(budget)

    def run(self) -> None:
        while True:
            self.wake.wait()
            self.nudge.clear()
            with self.lock:
                budgets = list(self.budgets)
                if not budgets:
                    self.wake.clear()
                    continue
            pause = self.look(budgets)
            self.until = time.monotonic() + pause
            self.nudge.wait(pause)
            self.until = math.inf

    def look(self, budgets: list) -> float:
        """Stop what has passed its limit; how long until anything could."""
        pause = self.LONGEST
        for budget in budgets:
            # A connection closed meanwhile must not end the watching of the others.
            with suppress(Exception):
                budget.watch()
                pause = min(pause, budget.quiet_for())
        return max(pause, self.EVERY)


_watchdog = _Watchdog()
# How long past its statement_timeout a public read waits for a server that says nothing
# before its socket is shut: beyond any answer a live server gives, even a loaded one.
SILENT_SERVER_MARGIN_S = 2.0


class _SocketWatch:
    """A PostgreSQL connection's socket the watchdog shuts if its server stays silent past a
    deadline (the waiting call then fails as a lost connection, and Django drops it)."""

    milliseconds = 0

    def __init__(self) -> None:
        # While a watched call runs: when to give its server up, and its socket.
        self.deadline: float | None = None
        self.socket: int | None = None

    def watch_kept(self, connection) -> None:
        """At the request's start: a connection kept from an earlier request is first checked
        by Django (CONN_HEALTH_CHECKS: a SELECT 1 outside the execute wrappers), which waits
        on the server as a read does."""
        if connection.connection is not None:
            self._watch(connection.connection.pgconn.socket, self.milliseconds / 1000)

    @contextmanager
    def _watched(self, fd: int, seconds: float) -> Iterator[None]:
        self._watch(fd, seconds)
        try:
            yield
        finally:
            self.unwatch()

    def _watch(self, fd: int, seconds: float) -> None:
        self.socket = fd
        self.deadline = time.monotonic() + seconds + SILENT_SERVER_MARGIN_S
        _watchdog.add(self)

    def unwatch(self) -> None:
        self.deadline = None
        _watchdog.remove(self)

    def quiet_for(self) -> float:
        """Seconds within which the watched call cannot pass its deadline; a call watched
        later gets at least the margin."""
        deadline = self.deadline
        if deadline is None:
            return SILENT_SERVER_MARGIN_S
        return deadline - time.monotonic()

    def watch(self) -> None:
        """Called by the watchdog thread: shut the socket of a server silent past the deadline."""
        deadline, fd = self.deadline, self.socket
        if deadline is None or fd is None or time.monotonic() <= deadline:
            return
        self.deadline = None
        # A duplicate of the descriptor: shutting it down ends the connection itself, which
        # wakes libpq, while the descriptor libpq holds stays its to close.
        with suppress(OSError), socket.socket(fileno=os.dup(fd)) as dup:
            dup.shutdown(socket.SHUT_RDWR)


class _HealthCheckWatch(_SocketWatch):
    """A request outside the public budget (the desk, a form sent): only the health check of
    its kept connection is watched, up to its first statement; its own are never cut."""

    def __call__(self, execute, sql, params, many, context):
        self.unwatch()
        return execute(sql, params, many, context)


class _PostgresBudget(_SocketWatch):
    """Give this request's reads a statement_timeout; lift it for writes and at the end. While
    a read (or its SET) runs, the watchdog may shut a silent server's socket."""

    def __init__(self, milliseconds: int) -> None:
        super().__init__()
        self.milliseconds = milliseconds
        # Whether the session's timeout is on; None when unknown (a failed statement may have
        # rolled back the transaction that set it).
        self.timed: bool | None = False
        self.connection = None

    def __call__(self, execute, sql, params, many, context):
        self.unwatch()  # the kept connection's health check, if any, is over
        if sql.lstrip().lower().startswith(_CONTROL):
            return execute(sql, params, many, context)
        reading = _is_read(sql)
        socket_of = context["connection"].connection.pgconn.socket
        if reading != self.timed:
            self.connection = context["connection"]
            limit = self.milliseconds if reading else 0
            with self.connection.wrap_database_errors, self._watched(socket_of, 0):
                context["cursor"].cursor.execute(f"SET statement_timeout = {int(limit)}")
            self.timed = reading
        try:
            if not reading:
                return execute(sql, params, many, context)
            with self._watched(socket_of, self.milliseconds / 1000):
                return execute(sql, params, many, context)
        except Exception:
            self.timed = None
            raise


    def close(self) -> None:
        if self.timed is False or self.connection is None:
            return
        try:
            # On the driver's own cursor, like the SET: the budget's bookkeeping is not one of
            # the request's queries (and must not run through the wrapper it undoes).
            with self.connection.wrap_database_errors, \
                    self.connection.connection.cursor() as cursor:
                cursor.execute("RESET statement_timeout")
        except DatabaseError:
            # Inside a failed transaction, its rollback undoes the SET made in it. Outside,
            # a session that cannot be reset must not serve the desk with a public limit.
            if not self.connection.in_atomic_block:
                self.connection.close()


@contextmanager
def public_reads() -> Iterator[None]:
    """Within this block, reads on every database stop past the public budget."""
    with ExitStack() as stack:
        budgets: list = []
        for alias in connections:
            connection = connections[alias]
            if connection.vendor == "sqlite":
                budget = _SQLiteBudget(settings.DATELINE_PUBLIC_READ_CPU_MS / 1000)
                _watchdog.add(budget)
                stack.callback(_watchdog.remove, budget)
            elif connection.vendor == "postgresql":
                budget = _PostgresBudget(settings.DATELINE_PUBLIC_STATEMENT_TIMEOUT_MS)
                budget.watch_kept(connection)
                stack.callback(budget.unwatch)
            else:
                continue
            # Closed once its wrapper is gone, so that closing runs no limited statement.
            stack.callback(budget.close)
            stack.enter_context(connection.execute_wrapper(budget))
            budgets.append(budget)
        previous, _active.budgets = getattr(_active, "budgets", None), budgets
        stack.callback(setattr, _active, "budgets", previous)
        yield


@contextmanager
def health_checks_watched() -> Iterator[None]:
    """For any other request: a kept PostgreSQL connection's health check is cut if its server
    stays silent (the request then opens a new connection, within connect_timeout)."""
    with ExitStack() as stack:
        for alias in connections:
            connection = connections[alias]
            if connection.vendor != "postgresql" or connection.connection is None:
                continue
            watch = _HealthCheckWatch()
            watch.watch_kept(connection)
            stack.callback(watch.unwatch)
            stack.enter_context(connection.execute_wrapper(watch))
        yield


def stopped(exc: BaseException) -> bool:
    """Whether a database error is a public read stopped by its budget."""
    if not isinstance(exc, DatabaseError):
        return False
    if getattr(exc.__cause__, "sqlstate", None) == "57014":  # PostgreSQL: query_canceled
        return True
    # SQLite says only "interrupted"; the budget knows whether it was the one that asked.
    return "interrupted" in str(exc) and any(
        getattr(b, "fired", False) for b in getattr(_active, "budgets", None) or ()
    )

"""Django run on a few long-lived threads, the one idle last first.

granian runs a request on whichever of its threads picks it up, and `dateline serve` gives it
DATELINE_THREADS + 128 of them (the spare ones wait on slow bodies: bulkhead.py). Under load
the sixteen requests a worker holds each came on another thread, and Django ran on them all in
turn: each with its own database connection (Django's are per thread), its own SQLite
statement cache and prepared plans (dateline.base.prepared) and its own thread-local state,
each colder than one thread doing it all. A cold article cost 0.7-0.8 ms more (of 4) rendered
by sixteen threads in turn than by one, one at a time in one process; through `dateline
serve`, 128 spare threads against none cost 5.0-5.6 ms of CPU a cold article against 4.2-4.7
(bench/README, "A cold article, fourth pass").

So a request that has its turn hands its call to an idle runner, the one that finished last
first, and waits for the answer: under load the same DATELINE_THREADS threads run every page,
and hold the only database connections the pages use. An answer Django built whole is
collected and closed on the runner (its `request_finished` receivers clean that thread's
connections and caches, as they would have the caller's), and given to granian as one piece;
a streamed one (a file) is iterated and closed by granian on the caller's thread, as before.
"""

import threading
from collections import deque
from queue import SimpleQueue

from django.conf import settings
from django.http import HttpResponseBase

from dateline.base.environment import whole_number
from dateline.base.turns import holding_turns, take_turns

# How long a request with its slot waits for the runner ahead of it before running beside it,
# on SQLite. Longer than a page rendered from the database (4 ms a cold article,
# bench/README), so that under load pages run one after another; short enough that a slow one
# (a search, a database that has stopped answering) holds the next no longer.
SQLITE_PATIENCE_MS = 20


def default_patience(engine: str | None = None) -> float:
    """DATELINE_RUN_ALONE_MS, in seconds (0: every slot runs at once). By default only SQLite's
    runners take turns: its statements run in the process, and the interpreter's lock changes
    hands at each of their steps for nothing. PostgreSQL's run in the server, and a runner
    waiting for one leaves the core to the other, as before."""
    sqlite = (engine or settings.DATABASES["default"]["ENGINE"]).endswith("sqlite3")
    return whole_number("DATELINE_RUN_ALONE_MS", SQLITE_PATIENCE_MS if sqlite else 0,
                        least=0) / 1000


class _Call:
    __slots__ = ("answer", "app", "done", "environ", "error", "start_response", "turns")

    def __init__(self, app, environ: dict, start_response, turns: tuple) -> None:
        self.app, self.environ, self.start_response = app, environ, start_response
        self.turns = turns
        self.answer = self.error = None
        self.done = threading.Lock()
        self.done.acquire()  # released by the runner once answered


class OneAtATime:
    """A turn to run alone, handed to those waiting for it in the order they came (Python's
    own lock let the thread that released it take it straight back, and the other waited out
    its patience every second request). A waiter gives up after its patience and goes on
    without it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._taken = False
        self._waiting: deque[threading.Lock] = deque()

    def take(self, patience: float) -> bool:
        """Whether the turn came within `patience` seconds."""
        with self._lock:
            if not self._taken:
                self._taken = True
                return True
            gate = threading.Lock()
            gate.acquire()
            self._waiting.append(gate)
        if gate.acquire(timeout=patience):
            return True
        with self._lock:
            if gate in self._waiting:
                self._waiting.remove(gate)
                return False
        gate.acquire()  # handed on as the patience ran out: it is ours, at once
        return True

    def hand_on(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()  # still taken: by the next one now
            else:
                self._taken = False


class _Alone:
    """A call's hold on the turn to run alone, shaped as the turns `waiting()` lends while a
    request waits on a child process (a reader's photo being decoded) and takes back after."""

    __slots__ = ("held", "patience", "turn")

    def __init__(self, turn: OneAtATime, patience: float) -> None:
        self.turn, self.patience = turn, patience
        self.held = turn.take(patience)

    def release(self) -> None:
        if self.held:
            self.held = False
            self.turn.hand_on()

    def acquire(self) -> None:
        self.held = self.turn.take(self.patience)


class Runners:
    """Long-lived threads that run WSGI calls, the most recently idle one first. A call runs
    holding turns its caller took, so there are never more runners busy than turns (plus those
    a request lent its turn while waiting on a child process: dateline.base.turns).

    On SQLite, one of those runs alone while the next waits up to its patience: two threads
    rendering at once share one interpreter lock, handed between them at every step of every
    SQLite statement, and each core's caches then hold neither's work. In one process, two
    threads rendering cold articles side by side spent 4.6-4.9 ms of CPU an article, one thread
    3.4-3.6 (bench/README, "A cold article, fourth pass"). A runner done hands the turn to the
    next call and is idle again first, so that call runs on the same thread, on the same core."""

    def __init__(self, name: str = "dateline-django", patience: float | None = None) -> None:
        self.name = name
        self.patience = default_patience() if patience is None else patience
        self.alone = OneAtATime()
        self._idle: list[_Runner] = []
        self._lock = threading.Lock()
        self._made = 0

    def run(self, turns: tuple, app, environ: dict, start_response):
        """`app(environ, start_response)` on a runner, once one of each of `turns` is taken
        here (in order); the runner hands them back when it is done."""
        take_turns(*turns)
        # Last of the turns: holding_turns hands it on first (the runner resting already), then
        # the slots; `waiting()` lends it with them.
        turns = (*turns, _Alone(self.alone, self.patience))
        call = _Call(app, environ, start_response, turns)
        try:
            self._runner().inbox.put(call)
        except BaseException:  # no thread could be started: nothing will hand the turns back
            for semaphore in reversed(turns):
                semaphore.release()
            raise
        call.done.acquire()
        if call.error is not None:
            raise call.error
        return call.answer

    @property
    def threads(self) -> int:
        """How many runners were started."""
        return self._made

    def _runner(self) -> "_Runner":
        with self._lock:
            if self._idle:
                return self._idle.pop()
            self._made += 1
            number = self._made
        return _Runner(self, f"{self.name}-{number}")

    def _rest(self, runner: "_Runner") -> None:
        with self._lock:
            self._idle.append(runner)


class _Runner:
    def __init__(self, runners: Runners, name: str) -> None:
        self.runners = runners
        self.inbox: SimpleQueue[_Call] = SimpleQueue()
        threading.Thread(target=self._serve, name=name, daemon=True).start()

    def _serve(self) -> None:
        while True:
            call = self.inbox.get()
            try:
                with holding_turns(*call.turns):
                    try:
                        call.answer = _settled(call.app(call.environ, call.start_response))
                    except BaseException as error:  # the caller raises it, as if it ran there
                        call.error = error
                    # Idle again before the turns go back: the request that takes one next
                    # finds this runner, warm, rather than starting another.
                    self.runners._rest(self)
            finally:
                call.done.release()


def _settled(answer):
    """A response Django built whole, as one piece, closed here; any other answer as it is."""
    if not isinstance(answer, HttpResponseBase) or answer.streaming:
        return answer
    try:
        return [b"".join(answer)]
    finally:
        answer.close()

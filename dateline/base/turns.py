"""A request's turn to run Python, handed back while it only waits on something outside it.

`dateline serve` lets only DATELINE_THREADS requests run Django at once (more would fight over
the GIL), and one of them at a time alone (dateline.ops.serving.runners). A request that then
waits seconds on a child process (a reader's photo being decoded) runs no Python meanwhile;
`waiting()` lets another request have its turns until then. A turn is anything with
`acquire()` and `release()`: a semaphore, or the runners' hold on running alone.
"""

import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from django.db import connections

_held = threading.local()


def take_turns(*turns: threading.Semaphore) -> None:
    """Take one of each of `turns`, in order (every taker's order: no deadlock); none is kept
    when taking one fails."""
    with ExitStack() as taken:
        for semaphore in turns:
            taken.enter_context(semaphore)
        taken.pop_all()


@contextmanager
def taking_turns(*turns: threading.Semaphore) -> Iterator[None]:
    """Run the block holding one of each of `turns` (taken in order), which `waiting()` inside
    it may hand back for a while."""
    take_turns(*turns)
    with holding_turns(*turns):
        yield


@contextmanager
def holding_turns(*turns: threading.Semaphore) -> Iterator[None]:
    """Run the block with `turns` already taken (here, or by another thread, which then handed
    the request to this one), and hand them back after it; `waiting()` inside may lend them."""
    _held.turns = turns
    try:
        yield
    finally:
        _held.turns = None
        for semaphore in reversed(turns):
            semaphore.release()


def _in_transaction() -> bool:
    return any(connection.in_atomic_block
               for connection in connections.all(initialized_only=True))


@contextmanager
def waiting() -> Iterator[None]:
    """Hand this thread's turn back for the block, and take one again after it. Not inside a
    transaction: it holds the database (SQLite's write lock), which the request given the
    turn would then wait on while the first waited for the turn back (an editor accepting a
    reader's photos held every POST on the site for 100 s, and readers' reports failed)."""
    turns = getattr(_held, "turns", None)
    if not turns or _in_transaction():  # or not run by `taking_turns` (tests, the shell)
        yield
        return
    for semaphore in reversed(turns):
        semaphore.release()
    try:
        yield
    finally:
        for semaphore in turns:  # in the order taking_turns takes them: no deadlock
            semaphore.acquire()

"""A request's turn to run Python, handed back while it only waits on something outside it.

`dateline serve` lets only DATELINE_THREADS requests run Django at once (more would fight over
the GIL). A request that then waits seconds on a child process (a reader's photo being
decoded) runs no Python meanwhile; `waiting()` lets another request have its turn until then.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_held = threading.local()


@contextmanager
def taking_turns(turns: threading.Semaphore) -> Iterator[None]:
    """Run the block in one of `turns`, which `waiting()` inside it may hand back for a while."""
    with turns:
        _held.turns = turns
        try:
            yield
        finally:
            _held.turns = None


@contextmanager
def waiting() -> Iterator[None]:
    """Hand this thread's turn back for the block, and take one again after it."""
    turns = getattr(_held, "turns", None)
    if turns is None:  # not run by `taking_turns` (tests, the shell, a plain WSGI server)
        yield
        return
    turns.release()
    try:
        yield
    finally:
        turns.acquire()

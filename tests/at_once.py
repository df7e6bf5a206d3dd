"""Two sends of one thing at the same moment, each on a connection of its own, as two requests
of two web workers would be."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection


def need_two_writers() -> None:
    """Skip where the suite's database cannot take two writers (SQLite's in-memory test
    database fails the second at once, where a file makes it wait)."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("two connections need a database on disk")


def at_once(send: Callable[[], object], times: int = 2) -> list:
    """What `send` returned in each of `times` threads, released together, in the order they
    finished; each thread's connection closed after."""
    answers, start = [], threading.Barrier(times)

    def run() -> None:
        try:
            start.wait()
            answers.append(send())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers

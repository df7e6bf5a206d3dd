"""A TCP port that takes connections and never answers (a Redis or PostgreSQL behind a
partition, frozen, or on a hung disk), or passes them on to the real server: switched while a
test runs (`answering`)."""

import os
import socket
import threading
from contextlib import suppress
from urllib.parse import urlparse

import pytest


class SilentPort:
    def __init__(self, forward_to: tuple[str, int] | None = None,
                 answering: bool = False) -> None:
        self.forward_to = forward_to
        self.answering = answering
        self.connections = 0
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(100)
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def number(self) -> int:
        return self._listener.getsockname()[1]

    @property
    def url(self) -> str:
        """As a Redis URL."""
        return f"redis://127.0.0.1:{self.number}/0"

    def _accept(self) -> None:
        with suppress(OSError):
            while True:
                client, _ = self._listener.accept()
                self.connections += 1
                if self.answering and self.forward_to:
                    upstream = socket.create_connection(self.forward_to)
                    self._held += [client, upstream]  # closed with the port
                    for one, other in ((client, upstream), (upstream, client)):
                        threading.Thread(target=self._pipe, args=(one, other),
                                         daemon=True).start()
                else:
                    self._held.append(client)  # read nothing, answer nothing

    def close(self) -> None:
        for held in [self._listener, *self._held]:
            with suppress(OSError):
                held.close()

    def _pipe(self, source: socket.socket, target: socket.socket) -> None:
        """Pass bytes on while answering; once not, drop them (a connection already open goes
        silent too)."""
        with suppress(OSError):
            while data := source.recv(65536):
                if self.answering:
                    target.sendall(data)
        with suppress(OSError):
            target.shutdown(socket.SHUT_WR)


def before_the_test_redis() -> SilentPort:
    """An answering port in front of `make test-redis`'s real Redis (the test is skipped
    without one), to make silent and answering again while the test runs."""
    real = os.environ.get("DATELINE_REDIS_URL")
    if not real:
        pytest.skip("needs the real Redis of `make test-redis`")
    where = urlparse(real)
    return SilentPort(forward_to=(where.hostname, where.port), answering=True)

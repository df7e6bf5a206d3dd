"""One process at a time: a transaction that concurrent processes enter in turn."""

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, transaction


@contextmanager
def exclusive(name: str, using: str = "default") -> Iterator[None]:
    """A transaction no other process holds `name` during, for look-then-insert steps.

    SQLite: the project's immediate transactions take the database's write lock at BEGIN.
    PostgreSQL: an advisory lock, numbered from the name, held until the transaction ends.
    """
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(name.encode())])
        yield

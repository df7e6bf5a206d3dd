"""A Django cache of counters in the database, for rate limits shared by every process.

Django's DatabaseCache would share them too, but its incr() is BaseCache's get() then set():
two workers read 4 and both write 5, and the set() moves the expiry (a window that never
closes). Here add() is one INSERT ... ON CONFLICT and incr() one UPDATE ... SET value = value
+ n RETURNING value, each atomic on SQLite and PostgreSQL alike. Only integers are stored.
"""

import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.db import connections, router

from .models import RateCounter

# An expiry for "never", far beyond any window yet a plain float on both databases.
_NEVER = 1e15
_UPSERT = ("INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "
           "ON CONFLICT (cache_key) DO UPDATE "
           "SET value = excluded.value, expires = excluded.expires")


class DatabaseCounterCache(BaseCache):
    """Integer counters in the `RateCounter` table (`LOCATION` is ignored)."""

    def __init__(self, location: str, params: dict) -> None:
        super().__init__(params)
        self._table = RateCounter._meta.db_table

    def _run(self, sql: str, params: list) -> tuple[int, tuple | None]:
        db = router.db_for_write(RateCounter)
        connection = connections[db]
        with connection.cursor() as cursor:
            cursor.execute(sql.format(table=connection.ops.quote_name(self._table)), params)
            row = cursor.fetchone() if cursor.description else None
            return cursor.rowcount, row

    def _expiry(self, timeout) -> float:
        expires = self.get_backend_timeout(timeout)
        return _NEVER if expires is None else expires

    @staticmethod
    def _integer(value) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"DatabaseCounterCache keeps integers only, not {value!r}")
        return value

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self.make_and_validate_key(key, version)
        now = time.time()
        # Inserted, or an expired counter taken over: either way the caller's value now holds.
        added, _ = self._run(
            _UPSERT + " WHERE {table}.expires <= %s",
            [key, self._integer(value), self._expiry(timeout), now])
        if added:
            # A new window starts for this key; the windows that closed go with it.
            self._run("DELETE FROM {table} WHERE expires <= %s", [now])
        return bool(added)

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version)
        _, row = self._run("SELECT value FROM {table} WHERE cache_key = %s AND expires > %s",
                           [key, time.time()])
        return default if row is None else row[0]

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        key = self.make_and_validate_key(key, version)
        self._run(_UPSERT, [key, self._integer(value), self._expiry(timeout)])

    def incr(self, key, delta=1, version=None) -> int:
        name = key
        key = self.make_and_validate_key(key, version)
        _, row = self._run(
            "UPDATE {table} SET value = value + %s WHERE cache_key = %s AND expires > %s "
            "RETURNING value", [self._integer(delta), key, time.time()])
        if row is None:
            raise ValueError(f"Key '{name}' not found")
        return row[0]

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self.make_and_validate_key(key, version)
        touched, _ = self._run(
            "UPDATE {table} SET expires = %s WHERE cache_key = %s AND expires > %s",
            [self._expiry(timeout), key, time.time()])
        return bool(touched)

    def delete(self, key, version=None) -> bool:
        key = self.make_and_validate_key(key, version)
        deleted, _ = self._run("DELETE FROM {table} WHERE cache_key = %s", [key])
        return bool(deleted)

    def has_key(self, key, version=None) -> bool:
        return self.get(key, version=version) is not None

    def clear(self) -> None:
        self._run("DELETE FROM {table}", [])

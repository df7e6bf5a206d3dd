"""The readiness checks: each returns None when ready and raises when not."""

import secrets

from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


class NotReady(Exception):
    """The check ran and found something to report (rather than failing to run)."""


def check_database() -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise NotReady("SELECT 1 did not return 1")


def check_cache() -> None:
    cache = caches["default"]
    # A key and value of its own, so concurrent probes from other processes cannot interfere.
    key, value = f"dateline:ops:readyz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, timeout=10)
    try:
        if cache.get(key) != value:
            raise NotReady("a value set was not read back")
    finally:
        cache.delete(key)


def check_migrations() -> None:
    # Loading the graph from the imported modules and one query of django_migrations: ~2 ms.
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan)
        raise NotReady(f"{len(plan)} unapplied: {names}")


CHECKS = {"database": check_database, "cache": check_cache, "migrations": check_migrations}

"""Send reads to read replicas and writes to the primary."""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from . import replicas


class PrimaryReplicaRouter:
    """Read from a random replica in settings.DATELINE_DB_REPLICAS that answers, else from the
    primary (dateline.db.replicas); write and migrate on default."""

    # Sessions and the task queue are always read from the primary: a replica a moment behind
    # would log someone out just after login, or hide a task that was just queued.
    primary_only_apps = frozenset({"sessions", "django_tasks_database"})

    def db_for_read(self, model, **hints) -> str:
        aliases = settings.DATELINE_DB_REPLICAS
        # Inside a transaction on the primary, read there too, so code that writes and then
        # reads (the desk's actions, the worker's claims) sees its own writes.
        if (
            not aliases
            or model._meta.app_label in self.primary_only_apps
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        return replicas.choose(aliases) or DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        if settings.DATELINE_DB_REPLICAS:
            replicas.watch_writes()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # Every alias holds the same data, so objects read from any of them may be related.
        aliases = {DEFAULT_DB_ALIAS, *settings.DATELINE_DB_REPLICAS}
        return (obj1._state.db in aliases and obj2._state.db in aliases) or None

    def allow_migrate(self, db: str, app_label: str, model_name=None, **hints) -> bool:
        # Replicas receive the schema by replication; migrating them would fail (read-only).
        return db == DEFAULT_DB_ALIAS

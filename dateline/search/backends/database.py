"""The default backend: the database's own full-text search, chosen by its vendor."""

from django.db import connections

from .base import BaseSearchBackend, InvalidSearchBackendError


class DatabaseSearchBackend(BaseSearchBackend):
    """The database's own full-text search: the class for its vendor serves the queries."""

    @classmethod
    def implementation(cls, params: dict) -> type[BaseSearchBackend]:
        return backend_for_vendor(connections[params.get("DATABASE", "default")].vendor)


def backend_for_vendor(vendor: str) -> type[BaseSearchBackend]:
    """SQLite's FTS5 or PostgreSQL's tsvector search, by the connection's vendor."""
    if vendor == "sqlite":
        from .sqlite import SQLiteSearchBackend

        return SQLiteSearchBackend
    if vendor == "postgresql":
        from .postgres import PostgresSearchBackend

        return PostgresSearchBackend
    raise InvalidSearchBackendError(
        f"The database search backend supports SQLite and PostgreSQL, not {vendor!r}; "
        "set DATELINE_SEARCH_BACKENDS['default']['BACKEND'] to a backend for it."
    )


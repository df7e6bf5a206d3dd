"""Serving or working only on a database this version of Dateline has migrated.

On a new machine before `dateline migrate`, or with DATELINE_VAR_DIR mistyped (SQLite then makes
an empty file), `dateline serve` started anyway: every page and the desk answered 500 while
/healthz said ok, and the background worker died and was restarted in a loop of tracebacks.
"""

from collections.abc import Callable

from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

from dateline.db.backup import database_label


def migrated_or_refuse(say: Callable[[str], object] | None = None) -> None:
    """Raise CommandError naming the database when it was never migrated; say (to `say`) how
    many of this version's migrations an upgraded one lacks.
    A database that does not answer is said (to `say`) and let be: the site answers 503
    meanwhile and goes on once it is back (dateline.db.unavailable), and the worker waits
    for it, saying so itself."""
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        executor = MigrationExecutor(connection)
        missing = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as error:
        if say is not None:
            say(f"{_capital(database_label(connection))} is not answering ({error}); "
                "starting anyway.")
        return
    finally:
        connection.close()  # opened here, before the children: they open their own
    if not missing:
        return
    label = _capital(database_label(connection))
    if _empty(missing):
        raise CommandError(
            f"{label} has no Dateline tables ({len(missing)} migrations to apply): run "
            f"`dateline migrate` first (`make run` does), or check DATELINE_VAR_DIR and "
            f"DATELINE_DB_*.")
    # An upgrade on its way (new code before its `migrate`, several app servers): serve, with
    # /readyz answering 503 until the migrations are in, as the release steps say.
    if say is not None:
        say(f"{label} lacks {len(missing)} of this version's migrations: /readyz answers 503 "
            "until `dateline migrate` has run.")


def _empty(missing) -> bool:
    """Not even the newsroom's first migration: a database never migrated (a new machine, a
    mistyped DATELINE_VAR_DIR, which SQLite answers with a new empty file)."""
    return any(m.app_label == "newsroom" and m.name.startswith("0001") for m, _ in missing)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]

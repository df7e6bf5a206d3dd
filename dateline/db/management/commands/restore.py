"""`dateline restore PATH`: replace the database's contents with a backup."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, Error, connections
from django.db.migrations.executor import MigrationExecutor

from dateline.newsroom.signals import database_replaced

from ...backup import (
    Backup,
    BackupError,
    count_articles,
    database_label,
    has_dateline_tables,
    inspect_backup,
    restore_backup,
)


class Command(BaseCommand):
    help = (
        "Restore a backup made by `dateline backup`, replacing the database's contents. "
        "Destructive: asks first on a terminal; elsewhere it needs --yes."
    )

    # Backups must work when something else is misconfigured, and without the checks'
    # probing queries, which wait for any writer's lock on SQLite.
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, metavar="PATH")
        parser.add_argument(
            "--yes", action="store_true", help="Replace the database without asking."
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="The database alias to restore into."
        )

    def handle(self, *args, path: Path, yes: bool, database: str, **options) -> None:
        if database not in connections:
            raise CommandError(f"No database alias {database!r}: "
                               f"{', '.join(connections)} are set up.")
        connection = connections[database]
        label = database_label(connection)
        try:
            backup = inspect_backup(connection, path)
            self._confirm(connection, label, backup, yes)
            articles = restore_backup(connection, backup)
            executor = MigrationExecutor(connection)
            behind = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except BackupError as error:
            raise CommandError(str(error)) from error
        except Error as error:
            raise CommandError(f"Could not restore into {label}: {error}") from error
        self._forget_the_old_contents(database)
        self.stdout.write(self.style.SUCCESS(
            f"Restored {path} ({backup.summary()}) into {label}: "
            f"{articles:,} article{'' if articles == 1 else 's'} now."
        ))
        if behind:
            self.stdout.write(self.style.WARNING(
                "The backup predates this version of Dateline: run `dateline migrate`."
            ))

    def _forget_the_old_contents(self, database: str) -> None:
        """The site's caches held the contents just replaced: a restore made to take back a
        story published by mistake left its page and searches served from them."""
        for receiver, outcome in database_replaced.send_robust(
                sender=self.__class__, database=database):
            if isinstance(outcome, Exception):
                self.stderr.write(self.style.WARNING(
                    f"Restored, but {receiver.__module__}.{receiver.__name__} could not forget "
                    f"what it kept of the old contents ({outcome}): pages may show them until "
                    f"they expire (DATELINE_PAGE_CACHE_TIMEOUT)."))

    def _confirm(self, connection, label: str, backup: Backup, yes: bool) -> None:
        """Say what the restore replaces; go on only with --yes or a "yes" typed at a terminal."""
        if yes:
            return
        now = (
            f"{count_articles(connection):,} articles now"
            if has_dateline_tables(connection) else "no Dateline tables yet"
        )
        warning = (
            f"Restoring replaces the contents of {label} ({now}) with {backup.path} "
            f"({backup.description}; {backup.summary()})."
        )
        if not sys.stdin.isatty():
            raise CommandError(f"{warning} Run again with --yes to confirm.")
        self.stdout.write(warning)
        try:
            answer = input("Type 'yes' to replace it: ")
        except (EOFError, KeyboardInterrupt):
            answer = ""
        if answer.strip().lower() != "yes":
            raise CommandError("Restore cancelled; nothing was changed.")

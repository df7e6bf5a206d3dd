"""`dateline backup [PATH]`: write a consistent copy of the database while the site runs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, Error, connections

from ...backup import BackupError, create_backup, database_label


class Command(BaseCommand):
    help = (
        "Back up the database to PATH (default: var/backups/dateline-<UTC time>.sqlite3, or "
        ".dump for PostgreSQL; a folder gets a file of that name). SQLite is copied with its "
        "online backup API, PostgreSQL with pg_dump --format=custom; the site may keep running."
    )

    # Backups must work when something else is misconfigured, and without the checks'
    # probing queries, which wait for any writer's lock on SQLite.
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", nargs="?", type=Path, metavar="PATH")
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="The database alias to back up."
        )

    def handle(self, *args, path: Path | None, database: str, **options) -> None:
        if database not in connections:
            raise CommandError(f"No database alias {database!r}: "
                               f"{', '.join(connections)} are set up.")
        connection = connections[database]
        label = database_label(connection)
        try:
            backup = create_backup(connection, path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        except Error as error:
            raise CommandError(f"Could not back up {label}: {error}") from error
        self.stdout.write(self.style.SUCCESS(
            f"Backed up {label} to {backup.path} ({backup.summary()})."
        ))

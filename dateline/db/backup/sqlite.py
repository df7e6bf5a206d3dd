"""SQLite backups through SQLite's online backup API: consistent while the site writes."""

import sqlite3
from pathlib import Path

from django.db.backends.base.base import BaseDatabaseWrapper

from dateline.newsroom.models import Article

from .errors import BackupError

TABLE = Article._meta.db_table


def dump(connection: BaseDatabaseWrapper, path: Path) -> int:
    """Copy the database into the empty file PATH; return the copy's article count."""
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        # All pages in one step means one read transaction: a consistent snapshot, taken while
        # WAL mode lets the site go on writing.
        connection.connection.backup(target)
        # The copy's header says WAL, like its source's; a backup should be one plain file.
        target.execute("PRAGMA journal_mode=DELETE")
        return _count(target)
    except sqlite3.Error as error:
        raise BackupError(
            f"Could not back up {connection.settings_dict['NAME']}: {error}."
        ) from error
    finally:
        target.close()


def inspect(connection: BaseDatabaseWrapper, path: Path) -> tuple[int, str]:
    """Check that PATH is an undamaged SQLite copy of Dateline; return its articles."""
    try:
        source = _open_read_only(path)
        try:
            check = source.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"{path}: the SQLite database is damaged ({_first(check)}).")
            tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master")}
            if TABLE not in tables:
                raise BackupError(
                    f"{path}: an SQLite database, but not a Dateline backup "
                    f"(it has no {TABLE} table)."
                )
            return _count(source), "SQLite database"
        finally:
            source.close()
    except sqlite3.Error as error:
        raise BackupError(f"{path}: not a readable SQLite database ({error}).") from error


def load(connection: BaseDatabaseWrapper, path: Path) -> None:
    """Copy the backup PATH over the live database, page by page, through the backup API."""
    connection.ensure_connection()
    source = _open_read_only(path)
    try:
        # The API takes the live file's write lock (waiting for other writers), keeps its
        # WAL mode, and makes every other connection see the restored data at once.
        source.backup(connection.connection)
    except sqlite3.Error as error:
        raise BackupError(
            f"Could not restore {path} into {connection.settings_dict['NAME']}: {error}."
        ) from error
    finally:
        source.close()


def _open_read_only(path: Path) -> sqlite3.Connection:
    """Open PATH without any chance of changing it."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _count(database: sqlite3.Connection) -> int:
    """Count the articles in a raw SQLite connection's database."""
    return database.execute(f'SELECT COUNT(*) FROM "{TABLE}"').fetchone()[0]


def _first(check: str) -> str:
    """SQLite's first problem, and how many more: its report runs to a hundred lines."""
    problems = [line for line in check.splitlines() if line and not line.startswith("***")]
    more = len(problems) - 1
    return (problems[0] if problems else check) + (f"; and {more:,} more" if more > 0 else "")


def counters(connection: BaseDatabaseWrapper) -> dict[str, int]:
    """Each table's last id given (AUTOINCREMENT's sqlite_sequence)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")
        if cursor.fetchone() is None:
            return {}
        cursor.execute("SELECT name, seq FROM sqlite_sequence")
        return {name: seq for name, seq in cursor.fetchall()}


def never_back(connection: BaseDatabaseWrapper, before: dict[str, int]) -> None:
    """Set each table's counter to at least what it was before the restore."""
    with connection.cursor() as cursor:
        for table, last in before.items():
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s",
                           [table])
            if cursor.fetchone() is None:  # a table the backup's version did not have
                continue
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s AND seq < %s",
                           [last, table, last])
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) SELECT %s, %s WHERE NOT "
                           "EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = %s)",
                           [table, last, table])

"""Back up and restore Dateline's database, SQLite or PostgreSQL, while the site runs."""

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper

from dateline.newsroom.models import Article

from . import postgresql, sqlite
from .errors import BackupError

__all__ = ["Backup", "BackupError", "create_backup", "inspect_backup", "restore_backup"]

ENGINES = {"sqlite": sqlite, "postgresql": postgresql}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# How each kind of backup file begins: SQLite's header string, pg_dump's custom format.
MAGIC = {"sqlite": b"SQLite format 3\x00", "postgresql": b"PGDMP"}


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    articles: int | None
    description: str

    def summary(self) -> str:
        """Describe the file in a few words: size and, where known, its articles."""
        parts = [human_size(self.size)]
        if self.articles is not None:
            parts.append(f"{self.articles:,} article{'' if self.articles == 1 else 's'}")
        return ", ".join(parts)


def create_backup(connection: BaseDatabaseWrapper, path: Path | None = None) -> Backup:
    """Write a consistent copy of the database to PATH (or a new file under var/backups/)."""
    engine = _engine(connection)
    if connection.in_atomic_block:
        # A backup holds committed data; SQLite cannot even read through a writing connection.
        raise BackupError("Cannot back up inside a transaction.")
    if not has_dateline_tables(connection):
        raise BackupError(
            f"{database_label(connection)} has no Dateline tables: nothing to back up "
            "(run `dateline migrate` first?)."
        )
    path = _target_path(connection.vendor, path)
    # A name of its own (two backups started in the same second, a cron line and an operator,
    # wrote one shared ".partial" file and both failed, naming the live database as damaged),
    # readable by the owner only: backups hold password hashes and unpublished stories.
    try:
        handle, name = tempfile.mkstemp(prefix=f"{path.name}.", suffix=".partial",
                                        dir=path.parent)
    except OSError as error:
        raise BackupError(f"Cannot write in {path.parent}: {error.strerror}.") from None
    os.close(handle)
    partial = Path(name)
    try:
        articles = engine.dump(connection, partial)
        # Given its name only once complete, so a file with the final name is never
        # half-written; a link, not a rename, so that one written meanwhile is never replaced.
        try:
            os.link(partial, path)
        except FileExistsError:
            raise BackupError(f"{path} already exists: choose another path or remove it "
                              "first.") from None
        except OSError:  # a file system without hard links
            if path.exists():
                raise BackupError(f"{path} already exists: choose another path or remove it "
                                  "first.") from None
            partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(path, path.stat().st_size, articles, ENGINE_NAMES[connection.vendor])


def inspect_backup(connection: BaseDatabaseWrapper, path: Path) -> Backup:
    """Check that PATH is a Dateline backup this database can restore, and describe it."""
    _engine(connection)
    if not path.exists():
        raise BackupError(f"{path}: no such file.")
    if not path.is_file():
        raise BackupError(f"{path}: not a file.")
    try:
        with path.open("rb") as file:
            head = file.read(16)
    except OSError as error:
        raise BackupError(f"{path}: cannot read it ({error.strerror}).") from error
    kind = next((k for k, magic in MAGIC.items() if head.startswith(magic)), None)
    if kind is None:
        raise BackupError(
            f"{path}: not a Dateline backup (neither an SQLite database nor a pg_dump "
            "custom-format archive)."
        )
    if kind != connection.vendor:
        raise BackupError(
            f"{path} is a backup of {ENGINE_NAMES[kind]}, but this site's database is "
            f"{ENGINE_NAMES[connection.vendor]}: restore it on a site with "
            f"DATELINE_DB_ENGINE={kind}."
        )
    articles, description = ENGINES[kind].inspect(connection, path)
    return Backup(path, path.stat().st_size, articles, description)


def restore_backup(connection: BaseDatabaseWrapper, backup: Backup) -> int:
    """Replace the database's contents with an inspected backup; return its article count."""
    if connection.in_atomic_block:
        raise BackupError("Cannot restore inside a transaction.")
    engine = _engine(connection)
    # The ids given since the backup are never given again: a story written after it and lost
    # with the restore went out under its id (its address, its wire item's guid), and the next
    # story would have taken the same one, a different story at an address partners hold.
    before = engine.counters(connection) if has_dateline_tables(connection) else {}
    engine.load(connection, backup.path)
    engine.never_back(connection, before)
    return count_articles(connection)


def has_dateline_tables(connection: BaseDatabaseWrapper) -> bool:
    """Tell whether the database holds Dateline's schema (its article table)."""
    return Article._meta.db_table in connection.introspection.table_names()


def count_articles(connection: BaseDatabaseWrapper) -> int:
    """Count every article in this very database (not wherever the router would read)."""
    return Article._base_manager.using(connection.alias).count()


def database_label(connection: BaseDatabaseWrapper) -> str:
    """Name the database for a person: engine, name and, for a server, where it is."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        where = connection.settings_dict.get("HOST") or "local socket"
        if connection.settings_dict.get("PORT"):
            where += f":{connection.settings_dict['PORT']}"
        return f"the PostgreSQL database {name} on {where}"
    return f"the {ENGINE_NAMES.get(connection.vendor, connection.vendor)} database {name}"


def human_size(size: float) -> str:
    """Write a byte count the way people read it: 12.3 MB."""
    if size < 1000:
        return f"{size} bytes"
    for unit in ("kB", "MB", "GB"):
        size /= 1000
        if size < 1000:
            return f"{size:.1f} {unit}"
    return f"{size / 1000:.1f} TB"


def _engine(connection: BaseDatabaseWrapper):
    """Return the module that handles this connection's engine."""
    if connection.vendor not in ENGINES:
        raise BackupError(
            f"Backups support SQLite and PostgreSQL; this database's engine is {connection.vendor}."
        )
    return ENGINES[connection.vendor]


def _target_path(vendor: str, path: Path | None) -> Path:
    """Choose where a new backup goes; refuse to overwrite an earlier one."""
    suffix = ".sqlite3" if vendor == "sqlite" else ".dump"
    name = f"dateline-{datetime.now(UTC):%Y%m%dT%H%M%SZ}{suffix}"
    if path is None:
        path = settings.VAR_DIR / "backups"
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.is_dir():
        path /= name
    if path.exists():
        raise BackupError(f"{path} already exists: choose another path or remove it first.")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent}: no such directory.")
    return path

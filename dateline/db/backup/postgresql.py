"""PostgreSQL backups: pg_dump's custom format out, pg_restore in, matched to the server."""

import os
import re
import shutil
import subprocess
from pathlib import Path

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.postgresql.client import DatabaseClient

from dateline.newsroom.models import Article

from .errors import BackupError

TABLE = Article._meta.db_table
# Debian and Ubuntu install each major version's client programs side by side here.
VERSIONED_CLIENTS = Path("/usr/lib/postgresql")


def dump(connection: BaseDatabaseWrapper, path: Path) -> int:
    """Write the database to PATH with pg_dump; return the dumped article count."""
    pg_dump = client_binary("pg_dump", server_major(connection))
    # A second connection exports its snapshot to pg_dump, so the count and the dump agree.
    holder = connection.copy()
    try:
        with holder.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            cursor.execute(f"SELECT COUNT(*) FROM {holder.ops.quote_name(TABLE)}")
            articles = cursor.fetchone()[0]
            run_client(
                pg_dump, connection.settings_dict,
                "--format=custom", f"--file={path}", f"--snapshot={snapshot}",
            )
            cursor.execute("COMMIT")
    finally:
        holder.close()
    return articles


def inspect(connection: BaseDatabaseWrapper, path: Path) -> tuple[None, str]:
    """Check that PATH is a pg_dump archive of Dateline; describe where and when it was made."""
    pg_restore = client_binary("pg_restore", server_major(connection))
    try:
        listing = run_client(pg_restore, None, "--list", str(path))
    except BackupError as error:
        raise BackupError(f"{path}: not a readable pg_dump archive. {error}") from error
    if not re.search(rf"\bTABLE \S+ {re.escape(TABLE)}\b", listing):
        raise BackupError(
            f"{path}: a pg_dump archive, but not a Dateline backup (it has no {TABLE} table)."
        )
    made = re.search(r"^;\s+Archive created at (.+)$", listing, re.MULTILINE)
    source = re.search(r"^;\s+dbname: (.+)$", listing, re.MULTILINE)
    return None, (
        f"pg_dump archive of database {source[1] if source else '?'}, "
        f"made {made[1] if made else 'at an unknown time'}"
    )


def load(connection: BaseDatabaseWrapper, path: Path) -> None:
    """Replace the tables in the archive PATH with its contents, all or nothing."""
    pg_restore = client_binary("pg_restore", server_major(connection))
    # An idle Django connection could hold locks that DROP TABLE would wait for; it reconnects
    # when next used.
    connection.close()
    run_client(
        pg_restore, connection.settings_dict,
        "--clean", "--if-exists", "--no-owner", "--single-transaction", str(path),
    )


def server_major(connection: BaseDatabaseWrapper) -> int:
    """Return the server's major version, e.g. 17."""
    return connection.pg_version // 10000


def client_binary(name: str, server: int, root: Path | None = None) -> Path:
    """Find the client program NAME for a server of major version SERVER, then try PATH."""
    installed = {
        int(program.parent.parent.name): program
        for program in (root or VERSIONED_CLIENTS).glob(f"*/bin/{name}")
        if program.parent.parent.name.isdigit() and os.access(program, os.X_OK)
    }
    # A client may be newer than the server but never older: pg_dump refuses newer servers.
    usable = sorted(version for version in installed if version >= server)
    if usable:
        return installed[usable[0]]
    if on_path := shutil.which(name):
        return Path(on_path)
    raise BackupError(
        f"{name} not found: install the PostgreSQL {server} client programs "
        f"(Debian/Ubuntu: apt-get install postgresql-client-{server}) or put {name} on PATH."
    )


def client_command(
    program: Path, settings_dict: dict | None, *arguments: str
) -> tuple[list[str], dict[str, str]]:
    """Build a client's command line and environment; the password goes only in PGPASSWORD."""
    env = dict(os.environ)
    if settings_dict is None:
        return [str(program), *arguments], env
    # Django's own psql helper knows the password, SSL and service options.
    _, secrets = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env.update(secrets or {})
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return [str(program), f"--dbname={settings_dict['NAME']}", *arguments], env


def run_client(program: Path, settings_dict: dict | None, *arguments: str) -> str:
    """Run a client program and return its output; its error output becomes a BackupError."""
    argv, env = client_command(program, settings_dict, *arguments)
    try:
        result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    except OSError as error:
        raise BackupError(f"Could not run {program}: {error}.") from error
    if result.returncode != 0:
        raise BackupError(f"{program.name} failed: {result.stderr.strip() or result.returncode}")
    return result.stdout


def counters(connection: BaseDatabaseWrapper) -> dict[str, int]:
    """Each sequence's last value given, by its qualified name."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), "
                       "last_value FROM pg_sequences WHERE last_value IS NOT NULL")
        return dict(cursor.fetchall())


def never_back(connection: BaseDatabaseWrapper, before: dict[str, int]) -> None:
    """Set each sequence to at least what it was before the restore."""
    with connection.cursor() as cursor:
        for sequence, last in before.items():
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [sequence])
            if not cursor.fetchone()[0]:  # a sequence the backup's version did not have
                continue
            cursor.execute("SELECT last_value, is_called FROM " + sequence)
            now, called = cursor.fetchone()
            if not called or now < last:
                cursor.execute("SELECT setval(%s, %s)", [sequence, max(last, now)])

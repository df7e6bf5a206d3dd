"""A site's own database and static files, as `dateline migrate` and `collectstatic` make them,
for the tests that start `dateline` processes: each is made once per test run and copied.

On the 2-core machine a migrate takes 8 s of CPU and collectstatic 25 s (it compresses and
hashes a thousand files), and the suite starts dozens of sites. A copy of the database
this run migrated first with the same settings is what the migrate would have given (the
roles, the search index's tables and the seeded terms included: post_migrate writes them to
the database), in milliseconds. The tests of migrate itself (tests/test_cli.py) still run it;
collectstatic runs here, once per run and settings, and its files serve the sites' pages.
"""

import atexit
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

DATELINE = [sys.executable, "-m", "dateline"]
# What names a site's own database and folder, not how it is built.
PER_SITE = {"DATELINE_VAR_DIR", "DATELINE_DB_NAME"}
# What the sites' tests set that changes how a running site behaves, not what migrate writes:
# each made a migrate of its own (8 s of CPU), four on SQLite's side where one does.
RUNNING_ONLY = {"DATELINE_SECRET_KEY", "DATELINE_LOG_LEVEL", "DATELINE_LIVE_SAFETY_POLL"}

_lock = threading.Lock()
_made: dict[tuple, Path | str] = {}
_folder: Path | None = None


def migrate(env: dict) -> None:
    """The database `env` names, migrated (an SQLite file, or a PostgreSQL database that
    site_environment created), copied from this run's first migrate with the same settings."""
    if env.get("DATELINE_DB_ENGINE", "sqlite") == "postgresql":
        _migrate_postgresql(env)
    else:
        _migrate_sqlite(env)


def collectstatic(env: dict) -> None:
    """The site folder's static files, as collectstatic would collect them there."""
    key = ("static", env.get("DJANGO_SETTINGS_MODULE"))
    with _lock:
        if key not in _made:
            folder = _templates() / f"static-{len(_made)}"
            subprocess.run([*DATELINE, "collectstatic", "--noinput", "-v0"],
                           env={**env, "DATELINE_VAR_DIR": str(folder)}, check=True,
                           timeout=300)
            _made[key] = folder
    shutil.copytree(_made[key] / "static", Path(env["DATELINE_VAR_DIR"]) / "static",
                    dirs_exist_ok=True)


def _settings_key(env: dict, kind: str) -> tuple:
    settings = {name: value for name, value in env.items()
                if (name.startswith("DATELINE_") or name == "DJANGO_SETTINGS_MODULE")
                and name not in PER_SITE | RUNNING_ONLY}
    if settings.get("DATELINE_DB_ENGINE") == "sqlite":  # the default, said or not
        del settings["DATELINE_DB_ENGINE"]
    return (kind, *sorted(settings.items()))


def _templates() -> Path:
    global _folder
    if _folder is None:
        _folder = Path(tempfile.mkdtemp(prefix="dateline-prepared-"))
        atexit.register(shutil.rmtree, _folder, True)
    return _folder


def _sqlite_file(env: dict) -> Path:
    return Path(env.get("DATELINE_DB_NAME")
                or Path(env["DATELINE_VAR_DIR"]) / "dateline.sqlite3")


def _migrate_sqlite(env: dict) -> None:
    key = _settings_key(env, "sqlite")
    with _lock:
        if key not in _made:
            folder = _templates() / f"sqlite-{len(_made)}"
            folder.mkdir()
            made = {**env, "DATELINE_VAR_DIR": str(folder)}
            made.pop("DATELINE_DB_NAME", None)
            subprocess.run([*DATELINE, "migrate", "-v0"], env=made, check=True, timeout=300)
            template = folder / "dateline.sqlite3"
            # The write-ahead log folded into the file: the file alone is then the database.
            with sqlite3.connect(template) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.close()
            _made[key] = template
    target = _sqlite_file(env)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_made[key], target)  # in WAL mode, as migrate left it


def _migrate_postgresql(env: dict) -> None:
    from tests.live.server import admin_sql

    key = _settings_key(env, "postgresql")
    with _lock:
        if key not in _made:
            template = f"dateline_prepared_{os.getpid()}_{len(_made)}"
            admin_sql(env, f'DROP DATABASE IF EXISTS "{template}"',
                      f'CREATE DATABASE "{template}"')
            subprocess.run([*DATELINE, "migrate", "-v0"],
                           env={**env, "DATELINE_DB_NAME": template}, check=True, timeout=300)
            atexit.register(admin_sql, dict(env), f'DROP DATABASE IF EXISTS "{template}" '
                            "WITH (FORCE)")
            _made[key] = template
    name = env["DATELINE_DB_NAME"]
    admin_sql(env, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
              f'CREATE DATABASE "{name}" TEMPLATE "{_made[key]}"')

"""A site's own database and static files, as `dateline migrate` and `collectstatic` make them,
for the tests that start `dateline` processes: each is made once per test run and copied.

On the 2-core machine a migrate takes 8 s of CPU and collectstatic 25 s (it compresses and
hashes a thousand files), and the suite starts dozens of sites. A copy of the database
this run migrated first with the same settings is what the migrate would have given (the
roles, the search index's tables and the seeded terms included: post_migrate writes them to
the database), in milliseconds. The tests of migrate itself (tests/test_cli.py) still run it;
collectstatic runs here, once per run and settings, and its files serve the sites' pages.

`make test` runs three pytest processes (SQLite's, PostgreSQL's, Redis's) and names one
folder for them all in DATELINE_TEST_PREPARED, emptied when it starts: the static files and
SQLite's databases are then made once for the three (a file lock keeps two from making the
same one at once). Without it, each process makes its own in a temporary folder.
"""

import atexit
import contextlib
import fcntl
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

DATELINE = [sys.executable, "-m", "dateline"]
# What names a site's own database and folder (or this module's), not how it is built.
PER_SITE = {"DATELINE_VAR_DIR", "DATELINE_DB_NAME", "DATELINE_TEST_PREPARED"}
# What the sites' tests set that changes how a running site behaves, not what migrate writes:
# each made a migrate of its own (8 s of CPU), six on SQLite's side where one does.
RUNNING_ONLY = {"DATELINE_SECRET_KEY", "DATELINE_LOG_LEVEL", "DATELINE_LIVE_SAFETY_POLL",
                "DATELINE_LIVE_MAX_STREAMS", "DATELINE_THREADS", "DATELINE_REDIS_URL",
                "DATELINE_READERSHIP_FLUSH_SECONDS", "DATELINE_READERSHIP_REPEATS"}

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
    with _made_once(key) as folder:
        if folder is not None:
            subprocess.run([*DATELINE, "collectstatic", "--noinput", "-v0"],
                           env={**env, "DATELINE_VAR_DIR": str(folder)}, check=True,
                           timeout=300)
    shutil.copytree(_made[key] / "static", Path(env["DATELINE_VAR_DIR"]) / "static",
                    dirs_exist_ok=True)


@contextlib.contextmanager
def _made_once(key: tuple):
    """A new folder to make `key` in, or None where it is made already (by this process or,
    in a shared folder, another); `_made[key]` names it afterwards."""
    with _lock:
        if key in _made:
            yield None
            return
        folder = _templates() / hashlib.sha256(repr(key).encode()).hexdigest()[:16]
        with open(folder.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            if (folder / ".made").exists():
                yield None
            else:
                shutil.rmtree(folder, ignore_errors=True)  # a process killed while making it
                folder.mkdir()
                yield folder
                (folder / ".made").touch()
        _made[key] = folder


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
        if shared := os.environ.get("DATELINE_TEST_PREPARED"):
            _folder = Path(shared).resolve()
            _folder.mkdir(parents=True, exist_ok=True)
        else:
            _folder = Path(tempfile.mkdtemp(prefix="dateline-prepared-"))
            atexit.register(shutil.rmtree, _folder, True)
    return _folder


def _sqlite_file(env: dict) -> Path:
    return Path(env.get("DATELINE_DB_NAME")
                or Path(env["DATELINE_VAR_DIR"]) / "dateline.sqlite3")


def _migrate_sqlite(env: dict) -> None:
    key = _settings_key(env, "sqlite")
    with _made_once(key) as folder:
        if folder is not None:
            made = {**env, "DATELINE_VAR_DIR": str(folder)}
            made.pop("DATELINE_DB_NAME", None)
            subprocess.run([*DATELINE, "migrate", "-v0"], env=made, check=True, timeout=300)
            # The write-ahead log folded into the file: the file alone is then the database.
            with sqlite3.connect(folder / "dateline.sqlite3") as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.close()
    target = _sqlite_file(env)
    target.parent.mkdir(parents=True, exist_ok=True)
    # In WAL mode, as migrate left it.
    shutil.copyfile(_made[key] / "dateline.sqlite3", target)


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

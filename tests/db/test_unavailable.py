"""A database that cannot answer is a 503 with Retry-After and a page in words, logged in one
line; every other error stays a 500 (dateline.db.unavailable, dateline.ops.logs.DatabaseAway)."""

import json
import os
import socket
import sqlite3
import subprocess
import sys
import textwrap

import psycopg
import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError

from dateline.db.unavailable import RETRY_AFTER_S, takes_no_writes, unavailable

# What each request answered, as the test client sees it, in a process of its own (the
# database settings are read at start).
ASK = textwrap.dedent("""
    import django, json
    django.setup()
    from django.test import Client
    client = Client(raise_request_exception=False)
    answers = {}
    for path in ["/", "/articles/1/some-story/", "/search/?q=oil", "/feeds/rss/",
                 "/api/search?q=oil", "/sitemap.xml"]:
        r = client.get(path)
        answers[path] = [r.status_code, r.get("Retry-After"), r.get("Cache-Control"),
                         r.get("Content-Type"), r.content.decode()]
    r = client.post("/report/", {"headline": "x"})
    answers["POST /report/"] = [r.status_code, r.get("Retry-After"), None, None, ""]
    print(json.dumps(answers))
""")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ask(env: dict) -> tuple[dict, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dateline.settings.test",
           "DATELINE_LOG_LEVEL": "INFO", **env}
    env.pop("DATELINE_DB_NAME", None)  # the test suite's own database: not this one's
    done = subprocess.run([sys.executable, "-c", ASK], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


def assert_unavailable(answers: dict, log: str) -> None:
    for path, (status, retry, cache, kind, body) in answers.items():
        assert status == 503, (path, status, body[:300])
        assert retry == str(RETRY_AFTER_S), path
        if path.startswith("POST"):
            continue
        assert cache == "no-store", path
        if path.startswith("/api/"):
            assert kind == "application/json"
            assert json.loads(body) == {"status": 503, "error": (
                "The news database is not answering at the moment, so this page cannot be "
                "shown. Try again in a minute.")}
        else:
            assert "<h1>Briefly unavailable</h1>" in body, path
            assert "Try again in a minute." in body
    assert "Service Unavailable: / (database: " in log
    assert "Traceback" not in log  # one line a request, not a traceback each
    assert "Internal Server Error" not in log


def test_a_postgresql_that_is_down_is_a_503_on_every_page(tmp_path):
    answers, log = ask({"DATELINE_DB_ENGINE": "postgresql", "DATELINE_DB_HOST": "127.0.0.1",
                        "DATELINE_DB_PORT": str(closed_port()),
                        "DATELINE_VAR_DIR": str(tmp_path)})
    assert_unavailable(answers, log)
    assert "Connection refused" in log


def test_an_sqlite_file_that_cannot_be_opened_is_a_503_on_every_page(tmp_path):
    (tmp_path / "dateline.sqlite3").mkdir()  # where the database file should be: a folder
    answers, log = ask({"DATELINE_DB_ENGINE": "sqlite", "DATELINE_VAR_DIR": str(tmp_path)})
    assert_unavailable(answers, log)
    assert "unable to open database file" in log


def wrapped(raw: Exception, as_type=OperationalError) -> Exception:
    """The driver's error as Django raises it (DatabaseErrorWrapper: same words, the driver's
    error as its cause)."""
    error = as_type(*raw.args)
    error.__cause__ = raw
    return error


def sqlite_error(path, sql: str) -> sqlite3.Error:
    with pytest.raises(sqlite3.Error) as raised:
        sqlite3.connect(path, timeout=0).execute(sql)
    return raised.value


def test_sqlite_errors_that_mean_the_file_cannot_be_used_now(tmp_path):
    database = tmp_path / "news.sqlite3"
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("CREATE TABLE story (id INTEGER)")
    holder.execute("BEGIN EXCLUSIVE")
    locked = sqlite_error(database, "SELECT * FROM story")
    holder.execute("ROLLBACK")
    assert locked.sqlite_errorname == "SQLITE_BUSY"
    assert unavailable(wrapped(locked))
    with pytest.raises(sqlite3.OperationalError) as cannot_open:
        sqlite3.connect(tmp_path / "no-such-folder" / "news.sqlite3")
    assert cannot_open.value.sqlite_errorname == "SQLITE_CANTOPEN"
    assert unavailable(wrapped(cannot_open.value))


def test_sqlite_errors_of_a_wrong_statement_stay_errors(tmp_path):
    database = tmp_path / "news.sqlite3"
    no_table = sqlite_error(database, "SELECT * FROM no_such_table")
    assert no_table.sqlite_errorname == "SQLITE_ERROR"
    assert not unavailable(wrapped(no_table))  # a missing migration is a bug, not an outage
    syntax = sqlite_error(database, "SELEC 1")
    assert not unavailable(wrapped(syntax))


def test_postgresql_errors_that_mean_no_server_answers_now():
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect(host="127.0.0.1", port=closed_port(), connect_timeout=5)
    assert refused.value.sqlstate is None
    assert unavailable(wrapped(refused.value))
    closed = psycopg.InterfaceError("the connection is closed")
    assert unavailable(wrapped(closed, InterfaceError))


@pytest.mark.django_db
def test_postgresql_and_sqlite_errors_of_a_wrong_statement_stay_errors():
    from django.db import connection

    with (pytest.raises((OperationalError, ProgrammingError)) as raised,
          connection.cursor() as cursor):
        cursor.execute("SELECT * FROM dateline_no_such_table")
    assert not unavailable(raised.value)


def test_anything_but_a_database_error_stays_an_error():
    assert not unavailable(None)
    assert not unavailable(ValueError("Missing staticfiles manifest entry"))
    assert not unavailable(ProgrammingError("column does not exist"))


def test_a_database_that_answers_and_takes_no_change_is_said_so(tmp_path):
    """A read-only SQLite file (a disk remounted read-only, a file locked by the operator) was
    "not answering" on the desk; a save cannot be kept, and the words say that instead."""
    database = tmp_path / "news.sqlite3"
    sqlite3.connect(database).execute("CREATE TABLE story (id INTEGER)")
    read_only = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as refused:
        read_only.execute("INSERT INTO story VALUES (1)")
    assert refused.value.sqlite_errorname == "SQLITE_READONLY"
    assert unavailable(wrapped(refused.value)) and takes_no_writes(wrapped(refused.value))
    locked_out = sqlite_error(tmp_path / "news.sqlite3", "SELECT * FROM no_such_table")
    assert not takes_no_writes(wrapped(locked_out))


@pytest.mark.django_db
def test_a_postgresql_in_read_only_mode_is_a_503_not_a_500():
    """A primary set read-only for maintenance, or a standby answering writes, raised
    psycopg's ReadOnlySqlTransaction, which Django files as an InternalError: a 500."""
    from django.db import InternalError, connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's read-only mode (the suite's PostgreSQL run)")
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION READ ONLY")
        with pytest.raises(InternalError) as refused:
            cursor.execute("CREATE TEMPORARY TABLE story (id integer)")
    assert unavailable(refused.value) and takes_no_writes(refused.value)

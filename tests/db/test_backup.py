"""`dateline backup` and `dateline restore`: exact round trips on SQLite and PostgreSQL."""

import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from dateline.db.backup import BackupError, postgresql
from dateline.newsroom.models import Article
from tests import prepared

pytestmark = pytest.mark.one_engine

DATELINE = Path(sys.executable).parent / "dateline"
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL backups are tested when the suite runs on PostgreSQL (make test-postgres)",
)


# SQLite, as an operator meets it: a WAL database file and the `dateline` command.


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory) -> Path:
    """Migrate one SQLite database for the module; each test works on its own copy."""
    var = tmp_path_factory.mktemp("template")
    prepared.migrate(_env(var))  # the run's migrated file, its write-ahead log folded in
    return var / "dateline.sqlite3"


@pytest.fixture
def site(tmp_path, migrated_database):
    """Run `dateline` against a fresh copy of the migrated database in tmp_path."""
    shutil.copy(migrated_database, tmp_path / "dateline.sqlite3")
    env = _env(tmp_path)
    return tmp_path, lambda *args: _dateline(env, *args)


def _env(var: Path) -> dict[str, str]:
    env = {**os.environ, "DATELINE_VAR_DIR": str(var), "DATELINE_DB_ENGINE": "sqlite",
           "DJANGO_SETTINGS_MODULE": "dateline.settings.dev"}
    env.pop("DATELINE_DB_NAME", None)
    return env


def _dateline(env, *args) -> subprocess.CompletedProcess:
    # No terminal on stdin, whoever runs the suite: restore must not wait for an answer.
    return subprocess.run(
        [str(DATELINE), *args], env=env, stdin=subprocess.DEVNULL, capture_output=True,
        text=True, timeout=120, check=False,
    )


def _import(var: Path, dateline, *records: dict) -> None:
    archive = var / f"import-{len(list(var.glob('import-*')))}.jsonl"
    archive.write_text("".join(json.dumps(r) + "\n" for r in records))
    result = dateline("import", str(archive))
    assert result.returncode == 0, result.stderr


def _sql(database: Path, statement: str) -> list[tuple]:
    with closing(sqlite3.connect(database, isolation_level=None)) as db:
        return db.execute(statement).fetchall()


def _contents(database: Path) -> dict[str, list[tuple]]:
    """Every row of every table, in order: what "exactly the same data" means."""
    tables = _sql(database, "SELECT name, sql FROM sqlite_master WHERE type = 'table'")
    # WITHOUT ROWID tables (the search index's FTS5 shadow tables) are read in key order.
    return {t: _sql(database, f'SELECT * FROM "{t}"' + (
        "" if "WITHOUT ROWID" in (sql or "").upper() else " ORDER BY rowid"
    )) for t, sql in tables}


STORIES = [
    {"id": "r-1", "title": "Cocoa prices climb", "body": "Traders said so.\n\nMore text.",
     "section": "Business/Commodities", "authors": ["Ana Petrova"], "topics": ["cocoa"],
     "published": "2024-03-01T09:00:00+00:00"},
    {"id": "r-2", "title": "Rain in Sofia", "body": "It rained.", "section": "World/Bulgaria",
     "places": ["bulgaria"], "published": "2024-03-02T10:00:00+00:00"},
    {"id": "r-3", "title": "Markets close higher", "body": "Stocks rose.",
     "section": "Business", "sources": ["Reuters"], "published": "2024-03-03T11:00:00+00:00"},
]


def test_sqlite_round_trip_brings_back_exactly_the_backed_up_data(site):
    var, dateline = site
    _import(var, dateline, *STORIES)
    live = var / "dateline.sqlite3"
    backed_up = _contents(live)

    result = dateline("backup")
    assert result.returncode == 0, result.stderr
    [backup] = (var / "backups").glob("dateline-*.sqlite3")
    assert f"to {backup} (" in result.stdout and "3 articles)" in result.stdout
    assert backup.stat().st_mode & 0o077 == 0
    assert _contents(backup) == backed_up

    change = (
        "from dateline.newsroom.models import Article;"
        "Article.objects.filter(external_id='r-1').update(headline='Rewritten');"
        "Article.objects.get(external_id='r-2').delete()"
    )
    assert dateline("shell", "-c", change).returncode == 0
    _import(var, dateline, {"id": "r-4", "title": "After the backup", "body": "New."})
    assert _contents(live) != backed_up
    counters_before = dict(_contents(live)["sqlite_sequence"])

    refused = dateline("restore", str(backup))
    assert refused.returncode == 1
    assert f"replaces the contents of the SQLite database {live} (3 articles now)" in refused.stderr
    assert "Run again with --yes" in refused.stderr and "Traceback" not in refused.stderr
    assert _contents(live) != backed_up

    restored = dateline("restore", str(backup), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert "3 articles now" in restored.stdout and "dateline migrate" not in restored.stdout
    # Every row is the backup's, but for the ids' counters: none goes back, so no id given
    # since the backup (r-4's) is given again.
    now = _contents(live)
    counters = dict(now.pop("sqlite_sequence"))
    assert now == {t: rows for t, rows in backed_up.items() if t != "sqlite_sequence"}
    assert counters == {**dict(backed_up["sqlite_sequence"]), **counters_before}
    assert _sql(live, "PRAGMA journal_mode") == [("wal",)]
    assert _sql(live, "PRAGMA foreign_key_check") == []


def test_sqlite_backup_copies_committed_data_while_a_writer_holds_its_transaction(site):
    var, dateline = site
    _import(var, dateline, *STORIES)
    writer = sqlite3.connect(var / "dateline.sqlite3", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE newsroom_article SET headline = 'Not committed yet'")
        result = dateline("backup", str(var / "online.sqlite3"))
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.returncode == 0, result.stderr
    copied = _sql(var / "online.sqlite3", "SELECT headline FROM newsroom_article")
    assert {headline for (headline,) in copied} == {story["title"] for story in STORIES}


def test_restoring_an_older_backup_says_to_migrate(site):
    var, dateline = site
    backup = var / "old.sqlite3"
    assert dateline("backup", str(backup)).returncode == 0
    _sql(backup, "DELETE FROM django_migrations WHERE id = "
                 "(SELECT MAX(id) FROM django_migrations WHERE app = 'newsroom')")
    result = dateline("restore", str(backup), "--yes")
    assert result.returncode == 0, result.stderr
    assert "predates this version of Dateline: run `dateline migrate`" in result.stdout


def test_backup_refuses_to_overwrite_and_to_write_into_a_missing_folder(site):
    var, dateline = site
    existing = var / "taken.sqlite3"
    existing.write_bytes(b"an earlier backup")
    taken = dateline("backup", str(existing))
    assert taken.returncode == 1
    assert f"{existing} already exists" in taken.stderr and "Traceback" not in taken.stderr
    assert existing.read_bytes() == b"an earlier backup"
    nowhere = dateline("backup", str(var / "missing" / "x.sqlite3"))
    assert nowhere.returncode == 1 and "missing: no such directory" in nowhere.stderr


# PostgreSQL, when the suite runs on it: the test database itself is backed up and restored.


def _snapshot() -> dict[str, list[tuple]]:
    """Every row of every newsroom and auth table, in primary-key order."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for label in ("newsroom", "auth")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    }


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_postgresql_round_trip_brings_back_exactly_the_backed_up_data(
    tmp_path, make_article, make_tag, make_author, make_section
):
    business = make_section("Business")
    make_article("Cocoa prices climb", section=business, tags=[make_tag("Cocoa")],
                 authors=[make_author("Ana Petrova")])
    edited = make_article("Rain in Sofia")
    deleted = make_article("Markets close higher", section=business)
    backed_up = _snapshot()
    path = tmp_path / "site.dump"

    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    assert path.read_bytes().startswith(b"PGDMP")
    assert f"to {path} (" in out.getvalue() and "3 articles)" in out.getvalue()

    edited.headline = "Rewritten"
    edited.save()
    deleted.delete()
    make_article("After the backup")
    assert _snapshot() != backed_up

    with pytest.raises(CommandError, match="Run again with --yes"):
        call_command("restore", str(path))
    assert Article.objects.filter(headline="After the backup").exists()

    out = io.StringIO()
    call_command("restore", str(path), yes=True, stdout=out)
    assert "3 articles now" in out.getvalue()
    assert _snapshot() == backed_up


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_failed_postgresql_restore_changes_nothing(tmp_path, make_article):
    make_article("In the backup")
    path = tmp_path / "site.dump"
    call_command("backup", str(path), stdout=io.StringIO())
    make_article("Written after")
    # Something outside the backup that keeps pg_restore from dropping the article table.
    with connection.cursor() as cursor:
        cursor.execute("CREATE VIEW desk_report AS SELECT id FROM newsroom_article")
    try:
        dependent_view = r"(?s)pg_restore failed: .*view public\.desk_report depends"
        with pytest.raises(CommandError, match=dependent_view):
            call_command("restore", str(path), yes=True)
        headlines = Article.objects.order_by("pk").values_list("headline", flat=True)
        assert list(headlines) == ["In the backup", "Written after"]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP VIEW desk_report")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_missing_postgresql_tools_are_a_clear_error(tmp_path, monkeypatch, make_article):
    make_article()
    monkeypatch.setattr(postgresql, "VERSIONED_CLIENTS", tmp_path / "none")
    monkeypatch.setenv("PATH", str(tmp_path / "none"))
    with pytest.raises(CommandError, match="pg_dump not found: install the PostgreSQL"):
        call_command("backup", str(tmp_path / "x.dump"))
    assert not list(tmp_path.iterdir())


def test_client_programs_match_the_server_version_then_come_from_path(tmp_path, monkeypatch):
    for folder in ("13/bin", "15/bin", "17/bin", "path"):
        program = tmp_path / folder / "pg_dump"
        program.parent.mkdir(parents=True)
        program.write_text("#!/bin/sh\n")
        program.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path / "path"))
    assert postgresql.client_binary("pg_dump", 15, tmp_path) == tmp_path / "15/bin/pg_dump"
    assert postgresql.client_binary("pg_dump", 16, tmp_path) == tmp_path / "17/bin/pg_dump"
    assert postgresql.client_binary("pg_dump", 18, tmp_path) == tmp_path / "path/pg_dump"
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(BackupError, match="apt-get install postgresql-client-18"):
        postgresql.client_binary("pg_dump", 18, tmp_path)


def test_the_password_goes_to_pg_tools_in_the_environment_only():
    argv, env = postgresql.client_command(
        Path("/usr/bin/pg_restore"),
        {"NAME": "news", "USER": "desk", "PASSWORD": "s3cret", "HOST": "db.internal",
         "PORT": "5433", "OPTIONS": {"sslmode": "require"}},
        "--clean", "site.dump",
    )
    assert argv == ["/usr/bin/pg_restore", "--dbname=news", "--clean", "site.dump"]
    assert not any("s3cret" in arg for arg in argv)
    assert (env["PGPASSWORD"], env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGSSLMODE"]) == (
        "s3cret", "db.internal", "5433", "desk", "require"
    )


# Refusals, on whichever database the suite runs: clear messages, nothing changed. Transactional
# tests, because backups copy committed data only.


@pytest.fixture
def own_backup(tmp_path, make_article) -> Path:
    """A backup of the test database, taken with one article in it."""
    make_article("In the backup")
    path = tmp_path / ("own.sqlite3" if connection.vendor == "sqlite" else "own.dump")
    call_command("backup", str(path), stdout=io.StringIO())
    return path


def _sqlite_file(path: Path, table: str) -> Path:
    _sql(path, f'CREATE TABLE "{table}" (id INTEGER PRIMARY KEY)')
    return path


@pytest.mark.django_db(transaction=True)
def test_restore_without_yes_says_what_it_would_replace_and_changes_nothing(own_backup):
    Article.objects.create(headline="Written after", body="<p>x</p>",
                           section=Article.objects.get().section)
    with pytest.raises(CommandError) as refusal:
        call_command("restore", str(own_backup))
    message = str(refusal.value)
    assert message.startswith(f"Restoring replaces the contents of the {_engine_name()} database")
    assert f"(2 articles now) with {own_backup}" in message
    assert message.endswith("Run again with --yes to confirm.")
    assert Article.objects.count() == 2


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.django_db(transaction=True)
def test_restore_at_a_terminal_asks_and_anything_but_yes_cancels(own_backup, monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Terminal("no\n"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="Restore cancelled; nothing was changed"):
        call_command("restore", str(own_backup), stdout=out)
    assert "Restoring replaces the contents of" in out.getvalue()
    assert Article.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_restore_at_a_terminal_goes_ahead_when_told_yes(own_backup, monkeypatch, make_article):
    make_article("Written after")
    monkeypatch.setattr(sys, "stdin", _Terminal("yes\n"))
    call_command("restore", str(own_backup), stdout=io.StringIO())
    assert list(Article.objects.values_list("headline", flat=True)) == ["In the backup"]


@pytest.mark.django_db
def test_backup_refuses_to_run_inside_a_transaction_instead_of_waiting(tmp_path, make_article):
    make_article()
    with pytest.raises(CommandError, match=r"^Cannot back up inside a transaction\.$"):
        call_command("backup", str(tmp_path / "x"))
    assert not list(tmp_path.iterdir())


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match=re.escape(f"{tmp_path}/gone.dump: no such file.")):
        call_command("restore", str(tmp_path / "gone.dump"), yes=True)


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_file_that_is_no_backup(tmp_path, make_article):
    make_article()
    junk = tmp_path / "notes.txt"
    junk.write_text("Meeting at ten.\n")
    with pytest.raises(CommandError, match=r"notes\.txt: not a Dateline backup"):
        call_command("restore", str(junk), yes=True)
    assert Article.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_backup_of_the_other_engine(tmp_path, make_article):
    make_article()
    if connection.vendor == "sqlite":
        other, engine = tmp_path / "site.dump", "postgresql"
        other.write_bytes(b"PGDMP" + bytes(100))
    else:
        other, engine = _sqlite_file(tmp_path / "site.sqlite3", "newsroom_article"), "sqlite"
    with pytest.raises(CommandError) as refusal:
        call_command("restore", str(other), yes=True)
    assert f"this site's database is {_engine_name()}" in str(refusal.value)
    assert f"restore it on a site with DATELINE_DB_ENGINE={engine}" in str(refusal.value)
    assert Article.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_backup_of_another_application(tmp_path, make_article):
    make_article()
    if connection.vendor == "sqlite":
        foreign = _sqlite_file(tmp_path / "shop.sqlite3", "orders")
    else:
        foreign = tmp_path / "sessions.dump"
        postgresql.run_client(
            postgresql.client_binary("pg_dump", postgresql.server_major(connection)),
            connection.settings_dict, "--format=custom", f"--file={foreign}",
            "--table=django_session",
        )
    with pytest.raises(CommandError, match=r"not a Dateline backup \(it has no newsroom_article"):
        call_command("restore", str(foreign), yes=True)
    assert Article.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_damaged_backup(own_backup):
    data = own_backup.read_bytes()
    own_backup.write_bytes(data[: len(data) // 3])
    with pytest.raises(CommandError, match=r"damaged|not a readable"):
        call_command("restore", str(own_backup), yes=True)
    assert Article.objects.count() == 1


def _engine_name() -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[connection.vendor]


@pytest.mark.cache
@pytest.mark.django_db(transaction=True)
def test_after_a_restore_readers_get_the_restored_stories_not_the_cached_ones(own_backup):
    """The restore's point is often to take back what went out by mistake: the pages and
    searches the site kept of the replaced contents are forgotten with them."""
    from django.conf import settings
    from django.core.cache import caches

    from dateline.pagecache.wsgi import CachedPagesApplication
    from dateline.search.backends import SearchQuery
    from dateline.search.cache import search
    from dateline.syndication import sitemap_figures
    from dateline.wsgi import django_application
    from tests.pagecache.test_pagecache import Reader

    story = Article.objects.get(headline="In the backup")
    story.headline = "Published by mistake"
    story.save()
    reader = Reader(CachedPagesApplication(django_application))
    url = story.get_absolute_url()
    assert "Published by mistake" in reader.get(url)[2]
    assert reader.get(url)[1]["X-Cache"] == "HIT"
    assert search(SearchQuery("mistake")).total == 1
    figures = caches[settings.DATELINE_PAGE_CACHE]
    sitemap_figures.current()  # kept, counting the stories of before
    assert figures.get(sitemap_figures.KEY) is not None

    call_command("restore", str(own_backup), "--yes", stdout=io.StringIO())
    assert figures.get(sitemap_figures.KEY) is None

    status, headers, body = reader.get(url)
    assert (status, headers["X-Cache"]) == (200, "MISS")
    assert "In the backup" in body and "Published by mistake" not in body
    assert search(SearchQuery("mistake")).total == 0


@pytest.mark.skipif(connection.vendor != "sqlite",
                    reason="SQLite's own check of a file (a dump is pg_restore's to read)")
@pytest.mark.django_db(transaction=True)
def test_a_damaged_backups_refusal_is_one_line_with_the_first_problem(own_backup):
    """SQLite's report on a file damaged in many places ran to a hundred lines of the error."""
    data = bytearray(own_backup.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    with closing(sqlite3.connect(own_backup)) as db:  # the tables' pages, not the schema's
        roots = [r for (r,) in db.execute("SELECT rootpage FROM sqlite_master WHERE rootpage > 1")]
    for root in roots[len(roots) // 2:]:
        start = (root - 1) * page
        data[start + 8: start + page - 8] = b"\xa5" * (page - 16)
    own_backup.write_bytes(bytes(data))
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(own_backup), yes=True)
    message = str(refused.value)
    assert "the SQLite database is damaged" in message
    assert "\n" not in message and "more)" in message
    assert Article.objects.count() == 1


def test_two_backups_started_together_into_one_folder_do_not_spoil_each_other(site):
    """A cron line and an operator in the same second wrote one shared ".partial" file: both
    failed, naming the live database as damaged ("database disk image is malformed")."""
    var, _ = site
    folder = var / "backups"
    folder.mkdir()
    runs = [subprocess.Popen([str(DATELINE), "backup", str(folder)], env=_env(var),
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    said = [run.communicate(timeout=120) for run in runs]
    statuses = sorted(run.returncode for run in runs)
    made = sorted(folder.iterdir())
    assert not [p for p in made if p.name.endswith(".partial")]
    for _, err in said:
        assert "malformed" not in err and "disk I/O" not in err and "Traceback" not in err
    if statuses == [0, 0]:  # a second apart: two names
        assert len(made) == 2
    else:  # the same second: one backup, the other refused in words
        assert statuses == [0, 1] and len(made) == 1
        assert any("already exists: choose another path" in err for _, err in said)
    for backup in made:
        assert _sql(backup, "PRAGMA quick_check") == [("ok",)]


def test_backup_into_a_folder_it_cannot_write_says_so(site, tmp_path):
    _, dateline = site
    done = dateline("backup", "/proc/")
    assert done.returncode == 1
    assert done.stderr.strip() == "CommandError: Cannot write in /proc: No such file or directory."


def test_an_unknown_database_alias_is_said_in_a_line(site):
    _, dateline = site
    for command in ("backup", "restore"):
        done = dateline(command, *(["x"] if command == "restore" else []), "--database", "nosuch")
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert "No database alias 'nosuch'" in done.stderr


@pytest.mark.django_db(transaction=True)
def test_an_id_given_since_the_backup_is_never_given_again(own_backup, make_article):
    """A story written after the backup went out under its id (its address, its wire item's
    guid); after the restore the next story took that id: another story where partners and
    readers hold the first one's address."""
    lost = make_article("Written after the backup")
    call_command("restore", str(own_backup), "--yes", stdout=io.StringIO())
    assert not Article.objects.filter(pk=lost.pk).exists()
    assert make_article("Written after the restore").pk > lost.pk

"""The `dateline` command as an operator meets it: a fresh database folder, real processes."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests import prepared
from tests.live.server import free_port_pair

pytestmark = pytest.mark.one_engine

DATELINE = Path(sys.executable).parent / "dateline"


@pytest.fixture
def fresh_var(tmp_path):
    env = {**os.environ, "DATELINE_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE":
           "dateline.settings.dev", "DATELINE_DB_ENGINE": "sqlite"}
    env.pop("DATELINE_DB_NAME", None)
    return tmp_path, env


def run(env, *args):
    return subprocess.run(
        [str(DATELINE), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_migrate_creates_a_wal_database_in_the_var_folder(fresh_var):
    var, env = fresh_var
    result = run(env, "migrate", "--noinput", "-v0")
    assert result.returncode == 0, result.stderr
    database = var / "dateline.sqlite3"
    assert database.exists()
    assert sqlite3.connect(database).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_import_twice_adds_no_duplicates_and_ensure_editor_prints_login(fresh_var):
    var, env = fresh_var
    assert run(env, "migrate", "--noinput", "-v0").returncode == 0
    archive = var / "a.jsonl"
    archive.write_text(
        "\n".join(
            json.dumps({"id": f"x-{i}", "title": f"Story {i}", "body": "Body text."})
            for i in range(3)
        )
        + "\nnot json\n"
    )
    first = run(env, "import", str(archive))
    assert first.returncode == 0, first.stderr
    assert "3 created, 0 updated, 0 unchanged, 1 refused" in first.stdout
    assert f"{archive}:4: not valid JSON" in first.stderr
    second = run(env, "import", str(archive))
    assert "0 created, 0 updated, 3 unchanged" in second.stdout
    count = sqlite3.connect(var / "dateline.sqlite3").execute(
        "SELECT COUNT(*) FROM newsroom_article"
    ).fetchone()[0]
    assert count == 3
    editor = run(env, "ensure_editor")
    assert "username: editor" in editor.stdout
    password = (var / "editor-password").read_text().strip()
    assert f"password: {password}" in editor.stdout


def test_missing_file_is_a_clear_error(fresh_var):
    _, env = fresh_var
    result = run(env, "import", "/nonexistent.jsonl")
    assert result.returncode == 1
    assert "/nonexistent.jsonl: no such file" in result.stderr


def test_serve_runs_the_site_and_the_worker_that_publishes_on_time(fresh_var):
    """`dateline serve` (what `make run` ends with) also runs the scheduling worker."""
    import time
    import urllib.request

    _, env = fresh_var
    # The database and static files as the commands make them, copied from this run's first
    # (tests/prepared.py): collectstatic takes 25 s of CPU here, and the live site's tests
    # run it with the same settings; migrate has its own tests above.
    prepared.migrate(env)
    prepared.collectstatic(env)
    overdue = (
        "from datetime import timedelta; from django.utils import timezone;"
        "from dateline.newsroom.models import Article, Section;"
        "s = Section(name='World'); s.save();"
        "Article.objects.create(headline='Overdue story', body='<p>x</p>', section=s,"
        " status='scheduled', scheduled_for=timezone.now() - timedelta(minutes=1))"
    )
    assert run(env, "shell", "-c", overdue).returncode == 0
    # serve listens on port + 1 too (the stream): both below the ephemeral range, where a
    # client connection of the other suite's cannot hold the second meanwhile.
    port = free_port_pair()
    server = subprocess.Popen([str(DATELINE), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline, home = time.monotonic() + 60, ""
        while "Overdue story" not in home and time.monotonic() < deadline:
            time.sleep(0.3)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                    home = page.read().decode()
            except OSError:
                continue
        assert "Overdue story" in home
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "Background worker started" in output


def test_make_run_on_another_port_links_its_mails_and_pdfs_to_that_port(tmp_path):
    """`make run PORT=8765` linked the edition's PDF and the mails to :8000, where nothing
    answered: DATELINE_SITE_URL kept its fixed default."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("DATELINE_")}
    env.update(DJANGO_SETTINGS_MODULE="dateline.settings.dev", DATELINE_VAR_DIR=str(tmp_path),
               HOST="0.0.0.0", PORT="8765")
    show = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.DATELINE_SITE_URL)")
    said = subprocess.run([sys.executable, "-c", show], env=env, capture_output=True,
                          text=True, timeout=60, check=True).stdout.strip()
    assert said == "http://127.0.0.1:8765"
    env["DATELINE_SITE_URL"] = "https://news.example.org"
    said = subprocess.run([sys.executable, "-c", show], env=env, capture_output=True,
                          text=True, timeout=60, check=True).stdout.strip()
    assert said == "https://news.example.org"


@pytest.mark.parametrize("args, said, status", [
    # A CommandError raised while argparse read the day came out as a 52-line traceback.
    (("edition", "build", "2025-13-45"), "'2025-13-45' is not a date; write YYYY-MM-DD.", 2),
    (("edition", "send", "yesterday"), "'yesterday' is not a date; write YYYY-MM-DD.", 2),
    # A missing profile was a FileNotFoundError's traceback; a missing FILE was a line already.
    (("import", "--profile", "{var}/none.toml", "x.jsonl"),
     "{var}/none.toml: No such file or directory", 1),
    (("import", "{var}"), "{var}: a folder; name the JSON Lines files in it", 1),
])
def test_wrong_arguments_are_said_in_a_line_not_a_traceback(fresh_var, args, said, status):
    var, env = fresh_var
    result = run(env, *(a.format(var=var) for a in args))
    assert result.returncode == status
    assert said.format(var=var) in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) <= 2


def test_the_database_is_never_readable_by_everyone(fresh_var):
    """It holds password hashes and unpublished stories, as its backups (owner only) do."""
    var, env = fresh_var
    result = subprocess.run(["sh", "-c", f"umask 022 && {DATELINE} migrate --noinput -v0"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (var / "dateline.sqlite3").stat().st_mode & 0o007 == 0
    (var / "dateline.sqlite3").chmod(0o644)  # as an older Dateline left it
    assert run(env, "check").returncode == 0
    assert (var / "dateline.sqlite3").stat().st_mode & 0o777 == 0o640

"""A real `dateline import` killed at any moment and run again imports each record exactly once."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests import prepared

pytestmark = pytest.mark.one_engine

RECORDS = 3000  # six batches of 500
TAGS = ["cocoa", "usa", "brazil"]


def count(database, query: str) -> int:
    """One number from the importer's database, read while it writes (WAL lets readers in)."""
    for _ in range(100):
        try:
            with sqlite3.connect(database, timeout=5) as db:
                return db.execute(query).fetchone()[0]
        except sqlite3.OperationalError:  # the tables are not there yet, or a busy moment
            time.sleep(0.02)
    raise AssertionError(f"could not read {database}")


def test_an_import_killed_at_several_points_and_run_again_imports_each_record_once(tmp_path):
    env = {**os.environ, "DATELINE_VAR_DIR": str(tmp_path), "DATELINE_DB_ENGINE": "sqlite",
           "DJANGO_SETTINGS_MODULE": "dateline.settings.dev"}
    env.pop("DATELINE_DB_NAME", None)
    dateline = [sys.executable, "-m", "dateline"]
    prepared.migrate(env)
    database = tmp_path / "dateline.sqlite3"
    archive = tmp_path / "wire.jsonl"
    archive.write_text("".join(json.dumps({
        "id": f"w-{n}", "title": f"Cocoa report {n}", "body": f"Day {n} on the cocoa market.",
        "published": "1987-02-26T15:01:01", "section": "Business/Cocoa",
        "topics": TAGS, "authors": [f"Writer {n % 7}"],
    }) + "\n" for n in range(RECORDS)))
    articles = "SELECT COUNT(*) FROM newsroom_article"
    command = [*dateline, "import", str(archive), "--progress", "never"]

    # Killed as soon as its first batch is in, mid-way, and near the end: each time in the
    # middle of writing a batch of 500, or between two.
    for stop_at in (1, RECORDS // 2, RECORDS - 600):
        importer = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while (count(database, articles) < stop_at and importer.poll() is None
               and time.monotonic() < deadline):
            time.sleep(0.005)
        importer.send_signal(signal.SIGKILL)
        assert importer.wait(timeout=30) == -signal.SIGKILL, "it finished before the kill"
        assert count(database, articles) < RECORDS

    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert " 0 refused" in finished.stdout

    assert count(database, articles) == RECORDS
    assert count(database, "SELECT COUNT(DISTINCT external_id) FROM newsroom_article") == RECORDS
    # One import revision per article: no record was written twice, even half-way.
    assert count(database, "SELECT COUNT(*) FROM newsroom_revision WHERE kind = 'import'") \
        == RECORDS
    assert count(database, "SELECT COUNT(*) FROM newsroom_article_tags") == RECORDS * len(TAGS)
    assert count(database, "SELECT COUNT(*) FROM newsroom_article_authors") == RECORDS
    assert count(database, "SELECT COUNT(*) FROM newsroom_tag") == len(TAGS)
    assert count(database, "SELECT COUNT(*) FROM newsroom_author") == 7
    assert count(database, "SELECT COUNT(*) FROM newsroom_section") == 2

    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert f"0 created, 0 updated, {RECORDS:,} unchanged, 0 refused" in again.stdout

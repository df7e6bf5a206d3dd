"""SQLite's query plans as an archive's statistics make them.

`dateline import` ends with `PRAGMA optimize`, which stores statistics that SQLite's planner
then follows. A test database of a few stories has none, and the planner's guesses for an
empty database hide plans that a real archive gets. These are the statistics left by
importing 100,000 stories (bench/corpus.py), so that a test sees the plan a site sees.
"""

from collections.abc import Iterable

from django.db import connection

ARCHIVE_STATISTICS = [
    ("newsroom_article", "article_desk_section_idx", "100000 603 11 1"),
    ("newsroom_article", "article_desk_recent_idx", "100000 500 1"),
    ("newsroom_article", "article_section_live_idx", "100000 603 603 1"),
    ("newsroom_article", "article_live_idx", "100000 100000 1"),
    ("newsroom_article", "article_wire_changes_idx", "100000 2 1"),
    ("newsroom_article", "newsroom_article_created_by_id_f40eabe9", "100000 100000"),
    ("newsroom_article", "newsroom_article_section_id_35e98401", "100000 603"),
    ("newsroom_article", "newsroom_article_status_a8660741", "100000 100000"),
    ("newsroom_article", "newsroom_article_slug_82deeb21", "100000 7"),
    ("newsroom_article", "sqlite_autoindex_newsroom_article_1", "100000 1"),
    ("newsroom_section", "newsroom_section_parent_id_4502f446", "172 20"),
    ("newsroom_section", "newsroom_section_slug_b5548a1e", "172 1"),
    ("newsroom_section", "section_unique_root_slug", "6 1"),
    ("newsroom_section", "sqlite_autoindex_newsroom_section_2", "172 20 1"),
    ("newsroom_section", "sqlite_autoindex_newsroom_section_1", "172 1"),
]


def install_archive_statistics() -> None:
    """Give the test database a 100,000-story archive's statistics (SQLite only)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # creates sqlite_stat1
        cursor.execute("DELETE FROM sqlite_stat1")
        cursor.executemany("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (%s, %s, %s)",
                           ARCHIVE_STATISTICS)
        cursor.execute("ANALYZE sqlite_schema")  # the planner reads them again


def plan(sql: str) -> list[str]:
    """The steps of SQLite's plan for one statement."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return [row[3] for row in cursor.fetchall()]


def plan_steps(statements: Iterable[dict]) -> list[str]:
    """Every step of the plans of these statements (CaptureQueriesContext's), reads only."""
    return [step for statement in statements
            if statement["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
            for step in plan(statement["sql"])]


def sorting_everything(statements: Iterable[dict]) -> list[str]:
    """The statements among these (CaptureQueriesContext's) whose plan sorts every row it
    finds before its LIMIT: a listing that should read its newest rows by index."""
    found = []
    for statement in statements:
        sql = statement["sql"]
        if "ORDER BY" not in sql or "LIMIT" not in sql:
            continue
        steps = plan(sql)
        if "USE TEMP B-TREE FOR ORDER BY" in steps:
            found.append(f"{sql}\n  {steps}")
    return found

"""PostgreSQL's match table, partitioned by id range (migration search 0003), and the index
its join to the articles reads (0004).

A range's partition is made when its first story is indexed, by one save or by two at once;
a search reads the partitions newest first and stops when it has enough; and a site that
migrates keeps every entry, both ways.
"""

import threading

import psycopg
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from dateline.search.backends import InvalidSearchBackendError, SearchQuery, get_backend, postgres
from dateline.search.query import parse

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="partitions are PostgreSQL's")
SPAN = 1 << postgres.SLICE_BITS


def partitions() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON "
                       "c.oid = i.inhrelid WHERE i.inhparent = %s::regclass ORDER BY 1",
                       [postgres.TABLE])
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_a_story_in_a_new_range_of_ids_makes_its_partition(make_article):
    first = make_article("Harbour strike", pk=3 * SPAN + 5)
    assert "search_article_match_p3" in partitions()
    made = partitions()
    make_article("Harbour strike ends", pk=3 * SPAN + 6)  # the same range: nothing new
    assert partitions() == made
    hits = get_backend().search(SearchQuery("harbour", newest_first=True)).hits
    assert [hit.article_id for hit in hits] == [3 * SPAN + 6, first.pk]


@pytest.mark.django_db
def test_an_archive_wider_than_the_first_partitions_is_asked_again_with_all(
    make_article, monkeypatch
):
    old = [make_article("Volcano ash", pk=pk) for pk in (10, SPAN + 1, 2 * SPAN + 1)]
    newest = make_article("Volcano ash", pk=4 * SPAN + 1)
    make_article("Budget vote", pk=3 * SPAN + 1)  # a partition without a match between
    backend = get_backend()
    monkeypatch.setattr(backend, "candidates", 2)
    monkeypatch.setattr(backend, "max_count", 1)
    monkeypatch.setattr(postgres, "FIRST_PARTITIONS", 2)
    with CaptureQueriesContext(connection) as queries:
        results = backend.search(SearchQuery("volcano", newest_first=True, facets=True))
    statements = [q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"]]
    # The newest two partitions hold one match; the second statement names all five.
    assert [s.count("search_article_match_p") for s in statements] == [2, 5]
    assert [hit.article_id for hit in results.hits] == [newest.pk, old[2].pk]
    assert (results.total, results.more) == (1, True)


@pytest.mark.django_db
def test_phrases_prefixes_and_exclusions_are_read_partition_by_partition(make_article):
    make_article("Grain exports rise", pk=SPAN + 2)
    make_article("Exports of grain fall", pk=2)  # both words, not the phrase
    make_article("Grainy pictures", pk=2 * SPAN + 3)
    search = get_backend().search
    assert [h.article_id for h in search(SearchQuery('"grain exports"')).hits] == [SPAN + 2]
    assert {h.article_id for h in search(SearchQuery("grain*")).hits} == {
        2, SPAN + 2, 2 * SPAN + 3}
    assert [h.article_id for h in search(SearchQuery("grain -fall")).hits] == [SPAN + 2]


@pytest.mark.django_db(transaction=True)
def test_two_saves_starting_the_same_range_at_once_make_it_once(make_article):
    """The first holds its new partition uncommitted; the second waits, then finds it."""
    settings = connection.settings_dict
    dsn = dict(host=settings["HOST"], port=settings["PORT"], user=settings["USER"],
               password=settings["PASSWORD"], dbname=settings["NAME"])
    sql = ("SELECT search_article_match_cover(ARRAY[9]); INSERT INTO search_article_match "
           "(article_id, document) VALUES (%s, to_tsvector('english', 'tide'))")
    with psycopg.connect(**dsn) as first, psycopg.connect(**dsn) as second:
        first.execute(sql.split("; ")[0])
        errors = []

        def second_save():
            try:
                second.execute(sql.split("; ")[0])
                second.execute(sql.split("; ")[1], [9 * SPAN + 2])
                second.commit()
            except psycopg.Error as error:  # pragma: no cover - what the test looks for
                errors.append(error)

        waiting = threading.Thread(target=second_save)
        waiting.start()
        waiting.join(timeout=1)
        assert waiting.is_alive()  # held by the first save's lock
        first.execute(sql.split("; ")[1], [9 * SPAN + 1])
        first.commit()
        waiting.join(timeout=10)
        assert not waiting.is_alive() and errors == []
    assert partitions().count("search_article_match_p9") == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT article_id FROM search_article_match_p9 ORDER BY 1")
        assert [row[0] for row in cursor.fetchall()] == [9 * SPAN + 1, 9 * SPAN + 2]
        cursor.execute("DELETE FROM search_article_match WHERE article_id >= %s", [9 * SPAN])


@pytest.mark.django_db(transaction=True)
def test_reads_and_saves_go_on_while_a_save_holds_a_new_partition_uncommitted(make_article):
    """A long import that starts a new range must not hold the other saves, the related-story
    ranker's lookups (the whole table's) or searches until it commits: the new partition is
    attached, which locks the table against other DDL only."""
    make_article("Tide tables", pk=5)
    settings = connection.settings_dict
    backend = get_backend()
    with psycopg.connect(host=settings["HOST"], port=settings["PORT"], user=settings["USER"],
                         password=settings["PASSWORD"], dbname=settings["NAME"]) as importing:
        importing.execute("SELECT search_article_match_cover(ARRAY[11])")  # left uncommitted
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = '3s'")  # blocked, these would fail
        try:
            make_article("Tide turns", pk=6)
            match, params = backend.match_sql(parse("tide"))
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT id FROM ({match}) m ORDER BY id", params)
                matched = [row[0] for row in cursor.fetchall()]
            hits = backend.search(SearchQuery("tide", newest_first=True)).hits
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET statement_timeout")
        assert matched == [5, 6] and [hit.article_id for hit in hits] == [6, 5]
        importing.rollback()
    assert "search_article_match_p11" not in partitions()


@pytest.mark.django_db(transaction=True)
def test_migrating_back_and_forth_keeps_every_entry(make_article):
    made = [make_article("Lighthouse keeper", pk=pk).pk for pk in (7, SPAN + 7, 5 * SPAN + 7)]
    executor = MigrationExecutor(connection)
    executor.migrate([("search", "0002_narrow_match_table")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT article_id, slice FROM search_article_match ORDER BY 1")
        assert cursor.fetchall() == [(pk, pk >> postgres.SLICE_BITS) for pk in made]
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert {"search_article_match_p0", "search_article_match_p1",
            "search_article_match_p5"} <= set(partitions())
    hits = get_backend().search(SearchQuery("lighthouse", newest_first=True)).hits
    assert [hit.article_id for hit in hits] == made[::-1]


@pytest.mark.django_db
def test_the_join_to_the_articles_finds_what_it_reads_in_one_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_indexdef('search_article_cover'::regclass)")
        definition = cursor.fetchone()[0]
    assert definition.endswith("ON public.newsroom_article USING btree (id) INCLUDE "
                               "(section_id, published_at, status, embargo_until)")


@pytest.mark.django_db
def test_a_site_may_rank_by_cover_density_and_nothing_else(make_article):
    for headline in ("Tidal power plant opens", "Power cut hits tidal town"):
        make_article(headline)
    params = {**get_backend().params, "RANK": "ts_rank_cd"}
    dense = postgres.PostgresSearchBackend(params)
    with CaptureQueriesContext(connection) as queries:
        found = dense.search(SearchQuery("tidal power"))
    searched = [q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"]]
    assert len(searched) == 1 and "ts_rank_cd(" in searched[0]
    assert {h.article_id for h in found.hits} == {
        h.article_id for h in get_backend().search(SearchQuery("tidal power")).hits}
    with pytest.raises(InvalidSearchBackendError, match="ts_rank, ts_rank_cd"):
        postgres.PostgresSearchBackend({**params, "RANK": "random()"})

"""Bounded cost: the query's limits, the public read budget, and cached identical searches."""

import string

import pytest
from django.db import OperationalError, connection, transaction
from django.http import HttpResponse
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path

from dateline.base.methods import takes_posts
from dateline.db import limits
from dateline.search import query as search_query
from dateline.search.backends.postgres import PostgresSearchBackend
from dateline.search.backends.sqlite import SQLiteSearchBackend

pytestmark = pytest.mark.django_db

# The search from the issue: 32 prefixes of one letter (6.4 to 8.6 s on 15k stories before).
HOSTILE = " ".join(f"{letter}*" for letter in string.ascii_lowercase + "abcdef")
SLOW_READ = {
    # Counting to a hundred million: seconds of CPU in SQLite's own loop.
    "sqlite": "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
              "WHERE x < 100000000) SELECT COUNT(*) FROM n",
    "postgresql": "SELECT pg_sleep(5)",
}
SOMEWHAT_SLOW_READ = {
    "sqlite": "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
              "WHERE x < 300000) SELECT COUNT(*) FROM n",
    "postgresql": "SELECT COUNT(pg_sleep(0.2)::text)",
}


def test_the_hostile_query_is_shortened_and_says_how():
    parsed = search_query.parse(HOSTILE)
    terms = [term for group in parsed.groups for term in group]
    assert len(terms) == search_query.MAX_WORDS
    assert not any(term.prefix for term in terms)  # one letter before * is no prefix
    assert any("first 10 words" in note for note in parsed.notes)
    assert any("at least 3 letters before it" in note for note in parsed.notes)


def test_prefixes_and_length_are_bounded():
    parsed = search_query.parse("infla* econ* trad* bank* gover*")
    assert [t.prefix for g in parsed.groups for t in g] == [True, True, True, False, False]
    assert any("first 3 words ending in *" in note for note in parsed.notes)
    long = search_query.parse("x" * 5000)
    assert len(long.groups[0][0].words[0]) == search_query.MAX_QUERY_CHARS
    assert any("first 300 characters" in note for note in long.notes)
    # OR chains, phrases and exclusions spend the same words.
    chain = search_query.parse(" OR ".join(f"word{i}" for i in range(50)) + ' "a b c" -x -y')
    assert sum(len(t.words) for g in chain.groups for t in g) + len(chain.excluded) == 10
    assert not search_query.parse("oil prices -opec").notes


def test_the_page_shows_the_shortened_search(client, make_article):
    make_article("A story about b and c")
    response = client.get("/search/", {"q": HOSTILE})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Searched for the first 10 words only" in html
    assert "A * needs at least 3 letters before it" in html


def test_the_api_refuses_past_the_limits_with_a_reason(client, make_article):
    make_article("Inflation rises")
    response = client.get("/api/search", {"q": HOSTILE})
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and "Searched for the first 10 words" in body["error"]
    deep = client.get("/api/search", {"q": "inflation", "page": "100000"})
    assert deep.status_code == 400 and "50" in deep.json()["error"]
    assert client.get("/api/search", {"q": "inflation"}).json()["total"] == 1
    # The page shows the last page there can be instead, and says why.
    page = client.get("/search/", {"q": "inflation", "page": "100000"})
    assert page.status_code == 200 and "Pages stop at 50" in page.content.decode()


@pytest.mark.parametrize("tiny", [{"DATELINE_PUBLIC_READ_CPU_MS": 5,
                                   "DATELINE_PUBLIC_STATEMENT_TIMEOUT_MS": 50}])
def test_a_slow_public_read_is_stopped_and_a_write_is_not(tiny):
    with override_settings(**tiny), limits.public_reads():
        # In a savepoint, as in autocommit: PostgreSQL's test transaction outlives the error.
        with pytest.raises(OperationalError) as stopped, transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(SLOW_READ[connection.vendor])
            cursor.fetchall()
        assert limits.stopped(stopped.value)
        # A write outlives the budget (this one takes longer than the read was allowed).
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE numbers AS " + (
                "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
                "WHERE x < 200000) SELECT x FROM n" if connection.vendor == "sqlite"
                else "SELECT x, pg_sleep(0.0005)::text AS s FROM generate_series(1, 200) x"))
    # Counted outside the budget: a read of 200,000 rows is itself over 5 ms of CPU.
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM numbers")
        assert cursor.fetchone()[0] in (200000, 200)
    # Outside a public request nothing is limited: the session is as it was.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "0"


def test_a_full_text_prefix_expansion_is_stopped_too():
    """FTS5 expands a prefix inside one step of SQLite's machine, where no progress handler
    looks: the watchdog interrupts it."""
    if connection.vendor != "sqlite":
        pytest.skip("FTS5 is SQLite's")
    rows = [(" ".join(f"abc{i}x{j}" for j in range(40)),) for i in range(4000)]
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO search_article_fts (body) VALUES (%s)", rows)
    unlimited = _count_matches('"abc"*')
    assert unlimited == 1  # it runs to the end outside a public request
    with override_settings(DATELINE_PUBLIC_READ_CPU_MS=1), limits.public_reads():
        with pytest.raises(OperationalError) as stopped:
            _count_matches('"abc"* AND "abc1"* AND "abc2"*')
        assert limits.stopped(stopped.value)


def _count_matches(expression: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM (SELECT rowid FROM search_article_fts "
                       "WHERE search_article_fts MATCH %s LIMIT 1)", [expression])
        return cursor.fetchone()[0]


class _SlowFirst:
    """A real backend that first runs a deliberately slow read, as a costly search would."""

    def search(self, query):
        with self.connection.cursor() as cursor:
            cursor.execute(SLOW_READ[self.connection.vendor])
            cursor.fetchall()
        return super().search(query)


class SlowSQLite(_SlowFirst, SQLiteSearchBackend):
    pass


class SlowPostgres(_SlowFirst, PostgresSearchBackend):
    pass


@pytest.fixture
def slow_search(settings):
    name = "SlowSQLite" if connection.vendor == "sqlite" else "SlowPostgres"
    settings.DATELINE_SEARCH_BACKENDS = {"default": {"BACKEND": f"{__name__}.{name}"}}
    settings.DATELINE_PUBLIC_READ_CPU_MS = 20
    settings.DATELINE_PUBLIC_STATEMENT_TIMEOUT_MS = 100


def test_a_stopped_search_says_to_narrow_it_and_is_not_run_again(client, make_article,
                                                                 slow_search):
    make_article("Inflation rises")
    response = client.get("/search/", {"q": "inflation"})
    assert response.status_code == 503
    assert "This search took too long and was stopped. Narrow it" in response.content.decode()
    # Stopped after shortening, it says both.
    both = client.get("/search/", {"q": HOSTILE}).content.decode()
    assert "took too long" in both and "Searched for the first 10 words only" in both
    api = client.get("/api/search", {"q": "inflation"})
    assert api.status_code == 503 and "took too long" in api.json()["error"]
    # Sent again, it is answered from the cache without reaching the database's search.
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/search/", {"q": "inflation"}).status_code == 503
    assert not [q for q in queries if "pg_sleep" in q["sql"] or "RECURSIVE" in q["sql"]]


def costly_view(request):
    """A public page that asks the database for too much, as a hostile query string might."""
    # The savepoint stands for production's autocommit: tests run in one transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(SLOW_READ[connection.vendor])
        cursor.fetchall()


def somewhat_slow_view(request):
    """A read that takes a little longer than the tests' tiny budgets allow."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(SOMEWHAT_SLOW_READ[connection.vendor])
        return HttpResponse(str(cursor.fetchone()[0]))


@takes_posts
def somewhat_slow_form(request):
    """The same read behind a public form, which takes posts (the reader's report)."""
    return somewhat_slow_view(request)


urlpatterns = [
    path("costly/", costly_view), path("api/costly", costly_view),
    path("desk/somewhat-slow/", somewhat_slow_view), path("somewhat-slow/", somewhat_slow_view),
    path("somewhat-slow-form/", somewhat_slow_form),
]


@pytest.mark.urls(__name__)
def test_any_public_page_stopped_by_the_budget_gets_a_clear_503(client, settings):
    """A view that does not catch the stop itself still answers with a reason, never a 500."""
    settings.DATELINE_PUBLIC_READ_CPU_MS = 5
    settings.DATELINE_PUBLIC_STATEMENT_TIMEOUT_MS = 50
    page = client.get("/costly/")
    assert page.status_code == 503 and "Try fewer words or filters" in page.content.decode()
    api = client.get("/api/costly")
    assert api.status_code == 503 and api.json()["status"] == 503


def test_identical_searches_are_answered_from_the_cache_until_a_story_changes(
    client, make_article, django_capture_on_commit_callbacks
):
    first = make_article("Harvest begins", body="<p>Wheat fields.</p>")

    def searched() -> tuple[list, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/api/search", {"q": "wheat  OR  barley", "sort": "newest"}).json()
        index = [q["sql"] for q in queries if "search_article" in q["sql"]]
        return [r["id"] for r in body["results"]], index

    ids, index = searched()
    assert ids == [first.pk] and index
    ids, index = searched()
    assert ids == [first.pk] and not index  # the same search: no full-text query at all
    # The same search spelled otherwise is the same entry.
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/search", {"q": "Wheat OR barley", "sort": "newest"})
    assert not [q for q in queries if "search_article" in q["sql"]]
    with django_capture_on_commit_callbacks(execute=True):
        second = make_article("Barley prices up", body="<p>Barley.</p>")
    ids, index = searched()
    assert ids == [second.pk, first.pk] and index
    with django_capture_on_commit_callbacks(execute=True):
        second.status = second.Status.UNPUBLISHED
        second.save()
    assert searched()[0] == [first.pk]


@pytest.mark.urls(__name__)
def test_the_desk_and_writes_are_not_limited(client, settings):
    settings.DATELINE_PUBLIC_READ_CPU_MS = 1
    settings.DATELINE_PUBLIC_STATEMENT_TIMEOUT_MS = 20
    assert client.get("/somewhat-slow/").status_code == 503  # the read is over the budget
    assert client.get("/desk/somewhat-slow/").status_code == 200
    assert client.post("/somewhat-slow-form/").status_code == 200
    # A page that only reads takes no post: the read is never made outside its budget.
    assert client.post("/somewhat-slow/").status_code == 405

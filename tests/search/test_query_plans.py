"""SQLite's plans for a search with an archive's statistics (tests/query_plans.py), as
`dateline import` leaves them: the counting statement joined its matches to the articles
through a Bloom filter built over the whole table, 490 ms a search at a million stories."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dateline.search.backends import SearchQuery, get_backend
from tests.query_plans import install_archive_statistics, plan_steps

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner"),
]


@pytest.mark.parametrize("newest_first", [False, True], ids=["relevance", "newest"])
def test_no_statement_of_a_search_builds_a_filter_over_every_article(make_article,
                                                                     newest_first):
    for n in range(3):
        make_article(f"Oil prices rise again {n}", body="<p>Crude oil prices rose.</p>")
    install_archive_statistics()
    with CaptureQueriesContext(connection) as queries:
        results = get_backend().search(SearchQuery("oil prices", newest_first=newest_first,
                                                   facets=True))
    assert results.total == 3 and results.facets["section"]
    steps = plan_steps(queries.captured_queries)
    assert not [step for step in steps if step.startswith("BLOOM FILTER ON newsroom_article")]

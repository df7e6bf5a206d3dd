"""A feed reads its newest stories by index, with an archive's statistics as SQLite has them
after `dateline import`: joined to their sections, the planner read every live story section
by section and sorted them all (120 ms at 100,000 stories, on every feed request)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.query_plans import install_archive_statistics, sorting_everything

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner"),
]


@pytest.mark.parametrize("url", ["/feeds/rss/", "/feeds/atom/", "/feeds/json/",
                                 "/section/world/feed/rss/"])
def test_a_feed_reads_its_newest_stories_without_sorting_them_all(client, make_article,
                                                                  make_section, url):
    world = make_section("World")
    for hours in range(3):
        make_article(f"Story {hours}", section=make_section(f"Region {hours}", parent=world),
                     age=timedelta(hours=hours))
    install_archive_statistics()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert b"Story 2" in response.content  # the sections still named, from their own query
    assert sorting_everything(queries.captured_queries) == []

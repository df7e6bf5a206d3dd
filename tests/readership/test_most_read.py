"""The "Most read" block on the home and article pages, and the beacon script of the latter."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from dateline.newsroom.models import Article
from dateline.readership import counting, most_read
from dateline.readership.models import Tally

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 5, 4, 12, 30, tzinfo=UTC)


def tally(story, count: int, hours_ago: int) -> None:
    hour = NOW.replace(minute=0) - timedelta(hours=hours_ago)
    Tally.objects.create(kind="view", key=str(story.pk), hour=hour, count=count)


@pytest.fixture
def stories(make_article):
    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        return [make_article(f"Story {name}") for name in "ABCD"]


def test_ranks_the_last_24_hours_of_live_stories(stories):
    a, b, c, d = stories
    tally(a, 5, 0)
    tally(a, 5, 23)
    tally(b, 30, 24)  # a day and more ago: not counted
    tally(b, 3, 1)
    tally(c, 7, 2)
    tally(d, 99, 0)
    Article.objects.filter(pk=d.pk).update(status=Article.Status.DRAFT)  # withdrawn
    with time_machine.travel(NOW, tick=False):
        assert [(s.headline, n) for s, n in most_read.most_read()] == [
            ("Story A", 10), ("Story C", 7), ("Story B", 3)]


def test_views_of_stories_not_live_never_push_the_live_ones_out(stories, make_article):
    """Nine drafts read six times each (or made-up ids, counted before any database is
    asked): the ranking's first ten were none of them live, and the block was empty."""
    a, b = stories[:2]
    tally(a, 3, 0)
    tally(b, 2, 0)
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        drafts = [make_article(f"Draft {n}", status=Article.Status.DRAFT, published_at=None)
                  for n in range(9)]
    for draft in drafts:
        tally(draft, 6, 0)
    for made_up in range(10**12, 10**12 + 40):
        Tally.objects.create(kind="view", key=str(made_up), hour=NOW.replace(minute=0), count=9)
    Tally.objects.create(kind="view", key="9" * 40, hour=NOW.replace(minute=0), count=99)
    with time_machine.travel(NOW, tick=False):
        assert [(s.headline, n) for s, n in most_read.most_read()] == [
            ("Story A", 3), ("Story B", 2)]


def test_pages_show_the_block_and_refresh_it_every_few_minutes(stories, client, settings):
    settings.DATELINE_PAGE_CACHE_ON = False  # the part itself is what is kept here
    a, b, *_ = stories
    tally(a, 4, 0)
    with time_machine.travel(NOW, tick=False):
        home = client.get("/").content.decode()
        assert "Most read" in home and "Story A" in home.split("Most read")[1]
        tally(b, 9, 0)
        page = client.get(a.get_absolute_url()).content.decode()
        assert "Story B" not in page.split("Most read")[1]  # the stored block, until it is due
    later = NOW + timedelta(seconds=settings.DATELINE_READERSHIP_MOST_READ_SECONDS)
    with time_machine.travel(later, tick=False):
        block = client.get(a.get_absolute_url()).content.decode().split("Most read")[1]
        assert block.index("Story B") < block.index("Story A")


def test_the_block_names_its_stories_so_their_changes_renew_it(stories):
    a, *_ = stories
    tally(a, 4, 0)
    with time_machine.travel(NOW, tick=False):
        html, found = most_read.block()
    assert f"a{a.pk}" in found and a.get_absolute_url() in html


def test_nothing_read_shows_no_block(stories, client):
    assert "Most read" not in client.get("/").content.decode()


def test_the_article_page_counts_itself_with_a_deferred_script(stories, client):
    a, *_ = stories
    page = client.get(a.get_absolute_url()).content.decode()
    assert f'data-beacon="/r/view/{a.pk}" defer' in page
    assert "readership/beacon" in page
    assert not client.cookies  # the page sets none, cached or not
    counting.flush()
    assert not Tally.objects.exists()  # rendering a page counts nothing: only the beacon does

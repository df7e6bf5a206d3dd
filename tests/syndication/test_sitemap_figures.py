"""The archive's figures behind the sitemaps (dateline.syndication.sitemap_figures): worked
out by the worker, kept, and brought up to date by each request with what was saved since.

At 100,000 stories working them out took a second of SQLite's CPU, and the sitemap index, the
sections', tags' and News in Brief sitemaps answered 503 on every try (the public read
budget)."""

from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dateline.newsroom.models import Article, Tag
from dateline.newsroom.signals import articles_bulk_changed
from dateline.syndication import sitemap_figures
from dateline.syndication.sitemap_figures import refresh_sitemap_figures
from tests.query_plans import install_archive_statistics, plan_steps

pytestmark = pytest.mark.django_db
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def local(*parts) -> datetime:
    return timezone.make_aware(datetime(*parts))


def dated(client, url: str) -> dict[str, str]:
    """Each <loc> of a sitemap or index with its <lastmod>."""
    response = client.get(url)
    assert response.status_code == 200, response.content
    root = ElementTree.fromstring(response.content)
    return {entry.findtext("s:loc", namespaces=NS): entry.findtext("s:lastmod", namespaces=NS)
            for entry in root}


def queued_refreshes() -> int:
    return DBTaskResult.objects.filter(task_path=refresh_sitemap_figures.module_path).count()


def test_a_publication_dates_its_month_day_section_and_tag_at_once_with_figures_kept(
        client, make_article, make_section, make_tag):
    world, moscow = make_section("World"), make_tag("Moscow", Tag.Kind.PLACE)
    make_article("Old", section=world, tags=[moscow], published_at=local(2025, 3, 10, 12, 0))
    sitemap_figures.refresh()
    new = make_article("New", section=world, tags=[moscow],
                       published_at=local(2025, 4, 2, 9, 30))
    index = dated(client, "/sitemap.xml")
    assert datetime.fromisoformat(index["http://testserver/sitemaps/articles-2025-04.xml"]) \
        == new.published_at
    day = timezone.localtime(new.published_at).date().isoformat()  # a sitemap's <lastmod>
    tags = dated(client, "/sitemaps/tags.xml")
    assert tags[f"http://testserver{moscow.get_absolute_url()}"] == day
    sections = dated(client, "/sitemaps/sections.xml")
    assert sections[f"http://testserver{world.get_absolute_url()}"] == day
    briefs = dated(client, "/sitemaps/briefs.xml")
    assert "http://testserver/news-in-brief/2025-04-02/" in briefs


def test_a_story_added_to_kept_figures_is_counted_once_and_an_edit_only_dates(make_article):
    old = make_article("Old", published_at=local(2025, 3, 10, 12, 0))
    sitemap_figures.refresh()
    make_article("New", published_at=local(2025, 3, 20, 12, 0))
    old.headline = "Old, edited"
    old.updated_at = timezone.now()
    old.save()
    figures = sitemap_figures.current()
    count, latest = figures.months()[local(2025, 3, 1, 0, 0).date()]
    assert count == 2
    assert latest == old.updated_at


def test_an_unpublished_story_leaves_its_month_when_the_worker_works_the_figures_out_again(
        client, make_article):
    story = make_article("Killed later", published_at=local(2025, 5, 10, 12, 0))
    make_article("Stays", published_at=local(2025, 6, 10, 12, 0))
    sitemap_figures.refresh()
    story.status = Article.Status.UNPUBLISHED
    story.save()
    assert "http://testserver/sitemaps/articles-2025-05.xml" in dated(client, "/sitemap.xml")
    refresh_sitemap_figures.call()  # what the worker runs
    index = dated(client, "/sitemap.xml")  # the stored copy is renewed (the `sitemaps` key)
    assert "http://testserver/sitemaps/articles-2025-05.xml" not in index
    assert "http://testserver/sitemaps/articles-2025-06.xml" in index


def test_old_figures_ask_the_worker_once_however_many_readers(client, make_article,
                                                               settings):
    make_article(published_at=local(2025, 3, 10, 12, 0))
    sitemap_figures.refresh()
    settings.DATELINE_SITEMAP_FIGURES_SECONDS = 0
    for _ in range(3):
        assert sitemap_figures.current().days
    assert queued_refreshes() == 1
    refresh_sitemap_figures.call()
    sitemap_figures.current()
    assert queued_refreshes() == 2  # asked again once the refresh was done


def test_an_import_asks_for_a_refresh():
    articles_bulk_changed.send(sender=Article, count=3, pks=[1, 2, 3])
    assert queued_refreshes() == 1


def test_past_folded_stories_saved_since_a_request_keeps_the_figures_and_asks_the_worker(
        make_article, monkeypatch):
    make_article(published_at=local(2025, 3, 10, 12, 0))
    sitemap_figures.refresh()
    monkeypatch.setattr(sitemap_figures, "FOLDED", 2)
    for day in (11, 12, 13):
        make_article(published_at=local(2025, 3, day, 12, 0))
    figures = sitemap_figures.current()
    assert figures.months()[local(2025, 3, 1, 0, 0).date()][0] == 1  # kept as they were
    assert queued_refreshes() == 1
    assert refresh_sitemap_figures.call()["days"] == 4


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plans")
def test_with_figures_kept_the_index_reads_no_story_it_does_not_add(client, make_article):
    """With an archive's statistics (tests/query_plans.py), no statement of the index's
    request scans the stories or their tags: it reads the ones saved since, by index."""
    make_article(published_at=local(2025, 3, 10, 12, 0))
    sitemap_figures.refresh()
    make_article(published_at=local(2025, 4, 10, 12, 0))
    install_archive_statistics()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/sitemap.xml").status_code == 200
    scans = [step for step in plan_steps(queries.captured_queries)
             if step.startswith(("SCAN newsroom_article", "SCAN newsroom_article_"))]
    assert scans == []


@pytest.mark.skipif(connection.vendor != "sqlite",
                    reason="the budget is SQLite's CPU time; PostgreSQL groups these natively")
def test_a_large_archive_without_figures_answers_503_with_retry_after_then_the_worker_helps(
        client, make_section, settings):
    section = make_section("World")
    start = local(2024, 1, 1, 0, 0)
    Article.objects.bulk_create(
        Article(headline=f"Story {n}", slug=f"story-{n}", body="<p>Text.</p>", teaser="Text.",
                section=section, status=Article.Status.PUBLISHED,
                published_at=start + timedelta(hours=n))
        for n in range(20_000))
    settings.DATELINE_PUBLIC_READ_CPU_MS = 5
    response = client.get("/sitemap.xml")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert queued_refreshes() == 1
    refresh_sitemap_figures.call()
    index = dated(client, "/sitemap.xml")
    assert "http://testserver/sitemaps/articles-2024-01.xml" in index
    assert "http://testserver/sitemaps/articles-2026-04.xml" in index  # 20,000 hours on

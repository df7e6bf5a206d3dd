"""Every cache on a Redis that stops answering: readers get every page, editors publish, and
Redis is asked once, not at every one of a page's dozen cache reads (each of which waited out
its timeout: 22 s for an article page). Logged once, never a traceback a request."""

import logging

import pytest
from django.conf import settings as django_settings
from django.test import override_settings

from dateline.base import sharedcache
from dateline.newsroom.models import Article
from tests.silent_server import SilentPort, before_the_test_redis

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def silent_redis(monkeypatch):
    monkeypatch.setattr(sharedcache, "AWAY_SECONDS", 600)  # one outage for the whole test
    port = SilentPort()
    caches = {alias: {"BACKEND": "dateline.base.sharedcache.RedisCache", "LOCATION": port.url,
                      "KEY_PREFIX": alias, "TIMEOUT": config.get("TIMEOUT", 300),
                      "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}
              for alias, config in django_settings.CACHES.items()}
    with override_settings(CACHES=caches):
        yield port
    port.close()


def test_readers_and_editors_carry_on_and_redis_is_asked_once(
        silent_redis, client, make_article, make_user, desk_client, settings, caplog):
    settings.DATELINE_PAGE_CACHE_ON = settings.DATELINE_FRAGMENT_CACHE_ON = True
    story = make_article(headline="Floods in the north", body="<p>Rivers rose overnight.</p>")
    client.raise_request_exception = False
    answers = {}
    for path in ["/", story.get_absolute_url(), "/search/?q=floods", "/api/search?q=floods",
                 "/feeds/rss/", "/feeds/json/", "/sitemap.xml", "/news-in-brief/", "/report/",
                 story.section.get_absolute_url()]:
        response = client.get(path)
        answers[path] = response.status_code
        assert response.status_code == 200, (path, response.content[:300])
    assert "Floods in the north" in client.get(story.get_absolute_url()).content.decode()

    draft = make_article(headline="Dam holds", status=Article.Status.DRAFT)
    editor = desk_client(make_user("Editor"))
    published = editor.post(f"/desk/newsroom/article/{draft.pk}/workflow/publish/",
                             {"note": "", "seen_status": "draft"})
    assert published.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert "Dam holds" in client.get(draft.get_absolute_url()).content.decode()

    # Asked at the first read only (redis-py may try that one 3 times more): not at each of the
    # pages' and the desk's reads, stores and invalidations since.
    assert 1 <= silent_redis.connections <= 4
    records = caplog.records
    said = [r for r in records if r.name == "dateline.base.sharedcache"]
    assert len(said) == 1 and said[0].levelname == "ERROR"
    assert not [r for r in records if r.exc_info], [r.getMessage() for r in records
                                                    if r.exc_info]
    # Above DEBUG, besides that line, only what the outage cost: freshness. The publication's
    # invalidations are lost and say so (the pages expire by themselves), as do the search
    # cache's; the reads and stores that missed, a dozen a page, are not said again.
    louder = [r.getMessage() for r in records if r.levelno >= logging.WARNING
              and r.name.startswith(("dateline.pagecache", "dateline.search",
                                     "dateline.syndication", "dateline.base"))]
    lost = [line for line in louder if "could not invalidate" in line
            or "results may be stale" in line]
    assert lost and len(louder) == len(lost) + 1
    assert all("not asked again yet" in line or "Timeout" in line for line in lost)


@pytest.mark.cache
def test_searches_show_a_story_published_while_redis_was_away_once_it_answers(
        client, make_article, monkeypatch):
    port = before_the_test_redis()
    monkeypatch.setattr(sharedcache, "AWAY_SECONDS", 0)  # asked again at every operation
    caches = {alias: {"BACKEND": "dateline.base.sharedcache.RedisCache", "LOCATION": port.url,
                      "KEY_PREFIX": f"outage-{alias}", "TIMEOUT": config.get("TIMEOUT", 300),
                      "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
              for alias, config in django_settings.CACHES.items()}
    try:
        with override_settings(CACHES=caches):
            make_article(headline="Floods close the ring road")
            assert client.get("/api/search?q=floods").json()["total"] == 1
            port.answering = False
            make_article(headline="Floods reach the old town")  # its renewal is lost
            port.answering = True
            found = client.get("/api/search?q=floods").json()
    finally:
        port.close()
    assert found["total"] == 2

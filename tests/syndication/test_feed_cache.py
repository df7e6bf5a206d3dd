"""Feeds join the page cache: ETag and 304, and a publication refreshes them at once."""

import pytest

from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.models import Article
from tests.pagecache.test_pagecache import Reader

pytestmark = [pytest.mark.cache, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reader():
    return Reader()


@pytest.mark.parametrize("url", ["/feeds/rss/", "/feeds/atom/", "/feeds/json/"])
def test_a_feed_is_cached_and_answers_304(reader, make_article, url):
    article = make_article("Parliament votes")
    status, headers, body = reader.get(url)
    assert (status, headers["X-Cache"]) == (200, "MISS")
    assert {"home", f"a{article.pk}"} <= set(headers["Surrogate-Key"].split())
    status, again, _ = reader.get(url)
    assert (status, again["X-Cache"], again["ETag"]) == (200, "HIT", headers["ETag"])
    status, _, body = reader.get(url, HTTP_IF_NONE_MATCH=headers["ETag"])
    assert (status, body) == (304, "")


def test_section_and_tag_feeds_name_their_listing(reader, make_article, make_tag):
    article = make_article(tags=[make_tag("Sofia")])
    section, tag = article.section, article.tags.get()
    _, headers, _ = reader.get(f"{section.get_absolute_url()}feed/rss/")
    assert f"s{section.pk}" in headers["Surrogate-Key"].split()
    _, headers, _ = reader.get(f"{tag.get_absolute_url()}feed/atom/")
    assert {f"t{tag.pk}", f"a{article.pk}"} <= set(headers["Surrogate-Key"].split())


def test_publishing_a_story_refreshes_the_cached_feeds(reader, make_article, make_user):
    make_article("Earlier story")
    draft = make_article("Breaking story", status=Article.Status.DRAFT, published_at=None)
    urls = ["/feeds/rss/", "/feeds/json/", f"{draft.section.get_absolute_url()}feed/atom/"]
    for url in urls:
        reader.get(url)
        _, headers, body = reader.get(url)
        assert headers["X-Cache"] == "HIT" and "Breaking story" not in body
    TRANSITIONS["publish"].execute(make_user("Editor"), draft)
    for url in urls:
        _, headers, body = reader.get(url)
        assert headers["X-Cache"] == "MISS" and "Breaking story" in body, url


def test_renaming_a_tag_refreshes_the_site_feed(reader, make_article, make_tag):
    tag = make_tag("Old name")
    make_article(tags=[tag])
    reader.get("/feeds/rss/")
    tag.name = "New name"
    tag.save()
    _, headers, body = reader.get("/feeds/rss/")
    assert headers["X-Cache"] == "MISS" and "New name" in body


def test_renaming_a_credited_agency_refreshes_the_feed(reader, make_article, make_source):
    agency = make_source("Reutres")
    make_article("Wire story", sources=[agency])
    reader.get("/feeds/atom/")
    agency.name = "Reuters"
    agency.save()
    _, headers, body = reader.get("/feeds/atom/")
    assert headers["X-Cache"] == "MISS" and "<name>Reuters</name>" in body

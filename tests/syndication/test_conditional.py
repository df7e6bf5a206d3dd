"""Feed readers and crawlers poll: every feed and sitemap answers 304 when nothing changed,
whether the poller sends back the ETag or the Last-Modified date."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.models import Tag
from tests.pagecache.test_pagecache import Reader

pytestmark = [pytest.mark.cache, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reader():
    return Reader()


@pytest.fixture
def listing(make_article, make_section, make_tag):
    section, tag = make_section("Business"), make_tag("Japan", Tag.Kind.PLACE)
    make_article("Kumagai Gumi <KUMT.TOK> seeks listing", section=section, tags=[tag])
    return section, tag


def feed_urls(section, tag) -> list[str]:
    prefixes = ["/feeds/", f"{section.get_absolute_url()}feed/", f"{tag.get_absolute_url()}feed/"]
    return [f"{prefix}{kind}/" for prefix in prefixes for kind in ("rss", "atom", "json")]


def sitemap_urls(reader) -> list[str]:
    """The index and every sitemap it names, as a crawler finds them."""
    status, _, index = reader.get("/sitemap.xml")
    assert status == 200
    named = re.findall(r"<loc>https?://[^/]+(/[^<]+)</loc>", index)
    assert named, index
    return ["/sitemap.xml", *named]


def assert_polled_twice_unchanged(reader, url: str) -> None:
    status, headers, body = reader.get(url)
    assert status == 200 and body, url
    etag, modified = headers["ETag"], headers["Last-Modified"]
    for condition in ({"HTTP_IF_NONE_MATCH": etag}, {"HTTP_IF_MODIFIED_SINCE": modified}):
        status, again, body = reader.get(url, **condition)
        assert (status, body) == (304, ""), (url, condition)
        assert again["ETag"] == etag, url


def test_every_feed_answers_304_when_unchanged(reader, listing):
    for url in feed_urls(*listing):
        assert_polled_twice_unchanged(reader, url)


def test_every_sitemap_answers_304_when_unchanged(reader, listing):
    urls = sitemap_urls(reader)
    assert len(urls) > 3, urls  # the index, sections, tags, news and a month at least
    for url in urls:
        assert_polled_twice_unchanged(reader, url)


def test_a_changed_story_gives_the_new_feed_to_a_poller_with_the_old_etag(reader, listing):
    _, tag = listing
    url = f"{tag.get_absolute_url()}feed/atom/"
    _, headers, _ = reader.get(url)
    story = tag.articles.get()
    story.standfirst = "Kumagai Gumi Co Ltd <KUMT.TOK> lists its unit & its bonds."
    story.save()
    status, again, body = reader.get(url, HTTP_IF_NONE_MATCH=headers["ETag"])
    assert status == 200 and again["ETag"] != headers["ETag"]
    assert "Kumagai Gumi Co Ltd &lt;KUMT.TOK&gt; lists its unit &amp; its bonds." in body


def test_a_story_killed_is_gone_for_a_poller_that_sends_only_the_date(reader, listing,
                                                                      make_user, make_article):
    """A feed's or sitemap's Last-Modified was its newest story's date: a kill, a deletion or
    a story released late changed the body and not the date, and If-Modified-Since kept the
    old copy (304) for good. It is now when the version stored was made."""
    section, tag = listing
    story = tag.articles.get()
    make_article("Earlier story", section=section, tags=[tag], age=timedelta(days=1))
    urls = [*feed_urls(section, tag), *sitemap_urls(reader)]
    held = {url: reader.get(url)[1]["Last-Modified"] for url in urls}
    listed = [url for url in urls if story.get_absolute_url() in reader.get(url)[2]]
    assert len(listed) >= 9, listed  # nine feeds, and the sitemaps that list it
    # A minute later (HTTP dates are to the second), the desk kills it.
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=True):
        TRANSITIONS["unpublish"].execute(make_user("Editor"), story)
        for url in listed:
            status, _, body = reader.get(url, HTTP_IF_MODIFIED_SINCE=held[url])
            assert status != 304, url
            assert story.get_absolute_url() not in body, url

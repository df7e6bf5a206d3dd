"""Every feed names its hub and itself, in the document and in its Link header."""

import json

import feedparser
import pytest

from dateline.newsroom.models import Tag
from tests.pagecache.test_pagecache import Reader

pytestmark = pytest.mark.django_db

HUB = "http://testserver/websub/"


@pytest.fixture
def feeds(make_article, make_section, make_tag):
    world = make_section("World")
    make_article("Talks resume", section=make_section("Russia", parent=world),
                 tags=[make_tag("Moscow", Tag.Kind.PLACE)])
    return ["/feeds/rss/", "/feeds/atom/", "/section/world/feed/rss/",
            "/section/world/russia/feed/atom/", "/places/moscow/feed/rss/",
            "/places/moscow/feed/atom/"]


def test_rss_and_atom_feeds_link_to_the_hub_and_to_themselves(client, feeds):
    for url in feeds:
        response = client.get(url)
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, (url, parsed.get("bozo_exception"))
        links = {link.rel: link.href for link in parsed.feed.links}
        assert links["hub"] == HUB, url
        assert links["self"] == f"http://testserver{url}", url
        assert response["Link"] == f'<{HUB}>; rel="hub", <http://testserver{url}>; rel="self"'


def test_rss_declares_the_atom_namespace_it_uses(client, feeds):
    xml = client.get("/feeds/rss/").content.decode()
    assert 'xmlns:atom="http://www.w3.org/2005/Atom"' in xml
    assert f'<atom:link href="{HUB}" rel="hub"/>' in xml


def test_the_json_feed_lists_the_hub(client, feeds):
    response = client.get("/feeds/json/")
    feed = json.loads(response.content)
    assert feed["hubs"] == [{"type": "WebSub", "url": HUB}]
    assert feed["feed_url"] == "http://testserver/feeds/json/"
    assert 'rel="hub"' in response["Link"]


def test_the_hub_is_named_on_the_host_and_scheme_the_feed_was_asked_on(client, feeds):
    response = client.get("/feeds/atom/", HTTP_HOST="localhost", secure=True)
    links = {link.rel: link.href for link in feedparser.parse(response.content).feed.links}
    assert links["hub"] == "https://localhost/websub/"
    assert links["self"] == "https://localhost/feeds/atom/"


@pytest.mark.cache
@pytest.mark.django_db(transaction=True)  # the WSGI application closes the connection
def test_a_cached_feed_keeps_its_link_header(feeds):
    reader = Reader()
    _, first, _ = reader.get("/feeds/rss/")
    status, again, _ = reader.get("/feeds/rss/")
    assert (status, again["X-Cache"]) == (200, "HIT")
    assert again["Link"] == first["Link"] == (
        f'<{HUB}>; rel="hub", <http://testserver/feeds/rss/>; rel="self"')

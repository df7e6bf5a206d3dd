"""A query parameter no view reads is dropped by a redirect, so no one renders pages at will."""

from itertools import count

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from dateline.pagecache.queries import ATTRIBUTE

from .test_pagecache import Reader

pytestmark = [pytest.mark.cache, pytest.mark.django_db(transaction=True)]

_busting = count(1)


def test_a_cache_busting_parameter_is_redirected_to_the_stored_page(make_article):
    article = make_article("Parliament votes")
    reader, url = Reader(), article.get_absolute_url()
    assert reader.get(url)[0] == 200
    for query in ("x=1", "utm_source=social&fbclid=abc", "page=3"):
        status, headers, _ = reader.get(f"{url}?{query}")
        assert (status, headers["Location"]) == (301, url)
    # What it is sent to is the page the cache holds: no render for each new parameter.
    assert reader.get(url)[1]["X-Cache"] == "HIT"


@pytest.mark.parametrize("path", ["/sitemap.xml", "/robots.txt", "/feeds/rss/",
                                  "/feeds/json/", "/edition/"])
def test_feeds_and_sitemaps_take_no_parameter(client, make_article, path):
    make_article("Parliament votes")
    response = client.get(f"{path}?x={next(_busting)}")
    assert (response.status_code, response["Location"]) == (301, path)


def test_the_parameters_a_page_reads_are_kept_and_the_others_dropped(client, make_article):
    article = make_article("Parliament votes")
    section = article.section.get_absolute_url()
    response = client.get(f"{section}?utm_medium=mail&page=2&x=%C3%A9")
    assert (response.status_code, response["Location"]) == (301, f"{section}?page=2")
    assert client.get(f"{section}?page=2").status_code in (200, 404)  # nothing to drop
    first = client.get(f"{section}?page=1")  # the first page is the address alone
    assert (first.status_code, first["Location"]) == (301, section)
    sitemap = client.get(f"/sitemaps/news.xml?p=2&x={next(_busting)}")
    assert sitemap["Location"] == "/sitemaps/news.xml?p=2"


@pytest.mark.parametrize(("query", "sent_to"), [
    ("p=1&p=1", ""), ("p=%31", ""), ("p=2&p=2", "?p=2"), ("x=1&p=2", "?p=2"), ("&", ""),
    ("&&p=2&", "?p=2"), ("p=abc1", ""), ("p=002", "?p=2"), ("p=0", ""),
    ("p=%EF%BC%92", ""), ("p=1234567", ""),
])
def test_a_parameter_read_but_spelled_another_way_is_sent_to_its_one_spelling(
        make_article, query, sent_to):
    """Names alone were compared: `?p=1&p=1`, `?pag%65=2` or `?&` passed, and the page cache,
    which keeps `p=N` alone, rendered the 1.4 MB sitemap afresh for each."""
    make_article("Parliament votes")
    path = "/sitemaps/news.xml"
    status, headers, _ = Reader().get(f"{path}?{query}")
    assert (status, headers["Location"]) == (301, path + sent_to)
    # The one spelling is not sent anywhere else: no loop (a page 2 of one page is a 404).
    assert Reader().get(path + sent_to)[0] in (200, 404)


def test_a_lists_page_spelled_another_way_is_sent_to_its_number(client, make_article):
    section = make_article("Parliament votes").section.get_absolute_url()
    for query, sent_to in (("pag%65=2", "?page=2"), ("page=1&page=2", "?page=2"),
                           ("page=abc", "")):
        response = client.get(f"{section}?{query}")
        assert (response.status_code, response["Location"]) == (301, section + sent_to)


def test_pages_that_read_their_query_and_posts_are_left_alone(client, make_article):
    make_article("Parliament votes")
    assert client.get("/search/?q=parliament&x=1").status_code == 200
    assert client.get("/api/search?q=parliament&x=1").status_code != 301
    # A form's POST is never redirected (its body would be lost): it is answered as before.
    assert client.post("/report/?x=1", {}).status_code != 301


def test_a_path_naming_another_host_is_not_sent_there(client):
    response = client.get("//evil.example/feeds/rss/?x=1")
    assert response.status_code != 301 or not response["Location"].startswith("//")


def _views(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


# Addresses whose views read their own parameters or are no reader's page: the desk, the
# partners' API (a key each), the search (its words), beacons, ads, the WebSub hub, renditions,
# editors' previews and the probes.
_NOT_READERS_PAGES = ("desk/", "^desk/", "api/", "search/", "r/", "ads/", "websub/",
                      "media/", "preview/", "healthz", "readyz", "metrics")


def test_every_readers_page_says_which_parameters_it_reads():
    undeclared = [route for route, view in _views(get_resolver().url_patterns)
                  if not route.startswith(_NOT_READERS_PAGES)
                  and getattr(view, ATTRIBUTE, None) is None]
    assert undeclared == []

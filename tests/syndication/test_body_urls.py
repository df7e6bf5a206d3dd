"""A story's body read away from the site (a partner's wire, a feed reader) names the site's
pages and pictures by absolute URL: "/articles/…" on a partner's page would be the partner's.
Read back by the JSON and XML parsers of the standard library and lxml, validated by IPTC's
schemas."""

import json
import xml.etree.ElementTree as ET

import lxml.html
import pytest

from .ninjs_schema import errors
from .test_api import api, make_key, token  # noqa: F401 - the partner's fixtures
from .test_ninjs_versions import VERSIONS, formatter

pytestmark = pytest.mark.django_db
BODY = ('<p>As <a href="/articles/7/earlier-story/">we reported</a>, the river rose '
        '<a href="#update">(update below)</a>.</p><p><img src="/media/maps/river.png" alt="Map">'
        ' <a href="https://other.example/report">Their report</a>.</p>')


@pytest.fixture
def story(make_article):
    return make_article("River rises", body=BODY)


def links(markup: str) -> list[str]:
    tree = lxml.html.fragment_fromstring(markup, create_parent="div")
    return [e.get("href") or e.get("src") for e in tree.iter("a", "img")]


def expected(page: str) -> list[str]:
    site = page.split("/articles/")[0]
    return [f"{site}/articles/7/earlier-story/", f"{page}#update",
            f"{site}/media/maps/river.png", "https://other.example/report"]


@pytest.mark.parametrize("version", VERSIONS)
def test_every_ninjs_version_carries_absolute_urls_in_the_body(story, version):
    item = formatter(version).format_all([story])[0]
    assert errors(item, version) == []
    body = item["body_html"] if "body_html" in item else item["bodies"][0]["value"]
    assert links(body) == expected(f"https://news.example{story.get_absolute_url()}")


def test_the_wire_names_the_host_the_partner_asked(story, api):  # noqa: F811
    item = json.loads(api(f"/api/ninjs/{story.pk}").content)
    assert links(item["bodies"][0]["value"]) == expected(
        f"http://testserver{story.get_absolute_url()}")


def test_full_content_feeds_carry_absolute_urls(story, client, settings):
    settings.DATELINE_FEED_FULL_CONTENT = True
    page = f"http://testserver{story.get_absolute_url()}"
    item = json.loads(client.get("/feeds/json/").content)["items"][0]
    assert links(item["content_html"]) == expected(page)
    rss = ET.fromstring(client.get("/feeds/rss/").content)
    encoded = rss.find("channel/item/{http://purl.org/rss/1.0/modules/content/}encoded").text
    assert links(encoded) == expected(page)
    atom = ET.fromstring(client.get("/feeds/atom/").content)
    content = atom.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}content")
    assert links(content.text) == expected(page)

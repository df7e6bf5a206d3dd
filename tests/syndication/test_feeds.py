"""The site's, sections' and tags' feeds, read back the way feed readers read them."""

import json
import re
from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from dateline.newsroom.models import Article, Tag

pytestmark = pytest.mark.django_db


def parse(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return response, parsed


@pytest.fixture
def stories(make_article, make_section, make_tag, make_author):
    world = make_section("World")
    russia = make_section("Russia", parent=world)
    moscow = make_tag("Moscow", Tag.Kind.PLACE)
    older = make_article("Talks resume & stall", section=world, age=timedelta(hours=3),
                         tags=[moscow], authors=[make_author("Ana Ivanova")])
    newer = make_article("Duma votes", section=russia, age=timedelta(hours=1), tags=[moscow],
                         authors=[make_author("Ivan Petrov"), make_author("Maria Popova")])
    return world, russia, moscow, older, newer


@pytest.mark.parametrize("url", ["/feeds/rss/", "/feeds/atom/"])
def test_site_feed_lists_stories_newest_first_with_permanent_guids(client, stories, url,
                                                                   settings):
    _, _, _, older, newer = stories
    settings.DATELINE_SITE_URL = "https://news.example"
    response, feed = parse(client, url)
    assert [e.title for e in feed.entries] == ["Duma votes", "Talks resume & stall"]
    assert [e.id for e in feed.entries] == [
        f"https://news.example/articles/{newer.pk}/", f"https://news.example/articles/{older.pk}/"
    ]
    assert feed.entries[0].link == f"http://testserver{newer.get_absolute_url()}"
    # The site under another of its names: the links follow the host asked, the GUIDs do
    # not (two names gave every story twice in a reader subscribed to both).
    other = feedparser.parse(client.get(url, HTTP_HOST="localhost").content)
    assert [e.id for e in other.entries] == [e.id for e in feed.entries]
    if url.endswith("/atom/"):  # the feed's own id too
        assert other.feed.id == feed.feed.id == "https://news.example/"  # its page's
    assert other.entries[0].link == f"http://localhost{newer.get_absolute_url()}"
    assert feed.entries[0].published_parsed == newer.published_at.utctimetuple()
    assert "Last-Modified" in response


def test_rss_items_carry_dates_with_zone_authors_categories_and_teaser(client, stories):
    *_, newer = stories
    response, feed = parse(client, "/feeds/rss/")
    xml = response.content.decode()
    assert re.search(r"<pubDate>[^<]+ \+0000</pubDate>", xml)
    assert xml.count("<dc:creator>") == 3
    entry = feed.entries[0]
    assert [a.name for a in entry.authors] == ["Ivan Petrov", "Maria Popova"]
    assert [t.term for t in entry.tags] == ["Russia", "Moscow"]
    assert entry.summary == newer.teaser == "First sentence here."
    assert f'<guid isPermaLink="true">{entry.id}</guid>' in xml


def test_atom_entries_have_published_and_updated_with_offset(client, stories):
    *_, newer = stories
    newer.updated_at = timezone.now()
    newer.save()
    response, feed = parse(client, "/feeds/atom/")
    assert re.search(r"<published>[^<]+\+00:00</published>", response.content.decode())
    entry = feed.entries[0]
    assert entry.updated_parsed == newer.updated_at.utctimetuple()
    assert [a.name for a in entry.authors] == ["Ivan Petrov", "Maria Popova"]


def test_full_content_setting_puts_the_sanitised_body_in_the_feed(client, settings, stories):
    body_html = "<p>First sentence here. Second sentence follows.</p>"
    for url in ("/feeds/rss/", "/feeds/atom/"):
        _, feed = parse(client, url)
        assert "content" not in feed.entries[0], url
    settings.DATELINE_FEED_FULL_CONTENT = True
    for url in ("/feeds/rss/", "/feeds/atom/"):
        _, feed = parse(client, url)
        (content,) = feed.entries[0].content
        assert (content.type, content.value) == ("text/html", body_html), url
        assert feed.entries[0].summary == "First sentence here.", url
    body = json.loads(client.get("/feeds/json/").content)["items"][0]
    assert body["content_html"] == "<p>First sentence here. Second sentence follows.</p>"
    assert body["summary"] == "First sentence here."


def test_json_feed_is_version_1_1_with_complete_items(client, stories, settings):
    _, _, _, older, newer = stories
    settings.DATELINE_SITE_URL = "https://news.example"  # the ids' origin, whatever host asked
    response = client.get("/feeds/json/")
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    feed = json.loads(response.content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Dateline" and feed["home_page_url"] == "http://testserver/"
    assert feed["feed_url"] == "http://testserver/feeds/json/"
    assert [i["id"] for i in feed["items"]] == [
        f"https://news.example/articles/{newer.pk}/", f"https://news.example/articles/{older.pk}/"
    ]
    item = feed["items"][0]
    assert item["url"] == f"http://testserver{newer.get_absolute_url()}"
    assert item["title"] == "Duma votes"
    assert item["content_text"] == item["summary"] == "First sentence here."
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00",
                        item["date_published"])
    assert item["authors"] == [{"name": "Ivan Petrov"}, {"name": "Maria Popova"}]
    assert item["tags"] == ["Russia", "Moscow"]


def test_section_feed_includes_subsections_and_no_other_section(client, stories, make_article,
                                                                make_section):
    world, russia, *_ = stories
    make_article("Match report", section=make_section("Sport"))
    for kind in ("rss", "atom"):
        _, feed = parse(client, f"/section/{world.path}/feed/{kind}/")
        assert [e.title for e in feed.entries] == ["Duma votes", "Talks resume & stall"]
        assert feed.feed.title == "Dateline: World"
        _, feed = parse(client, f"/section/{russia.path}/feed/{kind}/")
        assert [e.title for e in feed.entries] == ["Duma votes"]
    assert client.get("/section/nowhere/feed/rss/").status_code == 404


def test_tag_feed_lists_the_tags_stories(client, stories, make_article):
    world, _, moscow, _, _ = stories
    make_article("Untagged story", section=world)
    for kind in ("rss", "atom"):
        _, feed = parse(client, f"{moscow.get_absolute_url()}feed/{kind}/")
        assert [e.title for e in feed.entries] == ["Duma votes", "Talks resume & stall"]
    assert client.get("/topics/moscow/feed/rss/").status_code == 404


def test_only_live_stories_appear(client, make_article, make_user):
    make_article("Live story")
    make_article("Draft story", status=Article.Status.DRAFT, published_at=None)
    make_article("Scheduled story", status=Article.Status.SCHEDULED,
                 scheduled_for=timezone.now() + timedelta(hours=2), published_at=None)
    make_article("Future-dated story", age=-timedelta(hours=2))
    make_article("Killed story", status=Article.Status.UNPUBLISHED)
    make_article("Embargoed story", embargo_until=timezone.now() + timedelta(hours=1))
    section = Article.objects.get(headline="Live story").section
    for url in ("/feeds/rss/", "/feeds/atom/", f"/section/{section.path}/feed/rss/"):
        _, feed = parse(client, url)
        assert [e.title for e in feed.entries] == ["Live story"], url
    items = json.loads(client.get("/feeds/json/").content)["items"]
    assert [i["title"] for i in items] == ["Live story"]


def test_a_feed_holds_the_fifty_newest_stories(client, make_article):
    for hours in range(55):
        make_article(f"Story {hours}", age=timedelta(hours=hours + 1))
    _, feed = parse(client, "/feeds/rss/")
    assert [e.title for e in feed.entries] == [f"Story {h}" for h in range(50)]


def feed_links(html: str) -> set[tuple[str, str]]:
    return set(re.findall(r'<link rel="alternate" type="([^"]+)" title="[^"]+" href="([^"]+)">',
                          html))


SITE_LINKS = {("application/rss+xml", "/feeds/rss/"), ("application/atom+xml", "/feeds/atom/"),
              ("application/feed+json", "/feeds/json/")}


def test_every_page_advertises_the_site_feeds_and_its_own(client, stories):
    world, _, moscow, _, newer = stories
    head = lambda url: client.get(url).content.decode().split("</head>")[0]  # noqa: E731
    assert feed_links(head("/")) == SITE_LINKS
    assert feed_links(head(newer.get_absolute_url())) == SITE_LINKS
    assert feed_links(head(world.get_absolute_url())) == SITE_LINKS | {
        ("application/rss+xml", "/section/world/feed/rss/"),
        ("application/atom+xml", "/section/world/feed/atom/"),
        ("application/feed+json", "/section/world/feed/json/"),
    }
    assert feed_links(head(moscow.get_absolute_url())) == SITE_LINKS | {
        ("application/rss+xml", "/places/moscow/feed/rss/"),
        ("application/atom+xml", "/places/moscow/feed/atom/"),
        ("application/feed+json", "/places/moscow/feed/json/"),
    }
    for url in ("/section/world/feed/rss/", "/places/moscow/feed/atom/",
                "/section/world/feed/json/", "/places/moscow/feed/json/"):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(("alias", "feed"), [
    ("/feed/", "/feeds/rss/"), ("/feed/rss/", "/feeds/rss/"), ("/feed/atom/", "/feeds/atom/"),
    ("/feed/json/", "/feeds/json/"), ("/rss/", "/feeds/rss/"), ("/rss.xml", "/feeds/rss/"),
    ("/atom.xml", "/feeds/atom/"), ("/feed.json", "/feeds/json/"),
])
def test_the_addresses_readers_try_first_lead_to_the_site_feed(client, stories, alias, feed):
    response = client.get(alias)
    assert (response.status_code, response["Location"]) == (301, feed)
    if feed.endswith("json/"):
        assert json.loads(client.get(feed).content)["items"]
    else:
        assert [e.title for e in parse(client, feed)[1].entries] == ["Duma votes",
                                                                      "Talks resume & stall"]


def test_a_section_or_tag_feed_without_its_kind_leads_to_its_rss(client, stories):
    world, _, moscow, _, _ = stories
    for page in (f"/section/{world.path}/", moscow.get_absolute_url()):
        response = client.get(f"{page}feed/")
        assert (response.status_code, response["Location"]) == (301, f"{page}feed/rss/")
        assert parse(client, response["Location"])[1].entries
    assert client.get("/section/nowhere/feed/").status_code == 301  # then 404 at the feed
    assert client.get("/section/nowhere/feed/rss/").status_code == 404

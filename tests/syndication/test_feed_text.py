"""Feeds say exactly what the story says: every feed, read back by feedparser, gives each
headline and teaser as written, however much it looks like markup; the JSON Feed describes
its publisher; categories come once; the house's rights travel with every feed."""

import html
import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import feedparser
import pytest
from django.contrib.staticfiles import finders

from dateline.newsroom.models import Article, Tag

pytestmark = pytest.mark.django_db

# Real wire copy holds tickers in angle brackets; readers type anything, markup included.
AWKWARD = [
    ("KUMAGAI GUMI'S UNIT SEEKS LISTING IN HONG KONG <KUMT.TOK>",
     "Kumagai Gumi Co Ltd <KUMT.TOK> is seeking a listing for its unit & its bonds."),
    ('Tom & Jerry say "no" to O\'Brien\'s < 5% offer',
     'Shares rose 3% < 5% & "analysts" said it was \'fair\' -- A&P <AP.N> agreed.'),
    ("<img src=x onerror=alert(1)> Reader's photo",
     "<script>alert(1)</script> then <img src=x onerror=alert(1)> and <b>bold</b> &amp;"),
    # What a reader guessing at RSS titles takes for HTML: a closing tag, an entity.
    ("Tom & Jerry <b>bold</b> &amp; AT&T &lt;x&gt; Café", "Plain."),
]


@pytest.fixture
def awkward_stories(make_article, make_section, make_tag):
    section, tag = make_section("Business"), make_tag("Japan", Tag.Kind.PLACE)
    return section, tag, [
        make_article(headline, standfirst=teaser, section=section, tags=[tag])
        for headline, teaser in AWKWARD
    ]


def as_text(detail) -> str:
    """What a reader shows of a feed field: text as it is, HTML made from text unescaped.

    Where the field is HTML it must hold no element at all: the teaser is text.
    """
    if detail.type == "text/plain":
        return detail.value
    assert detail.type == "text/html" and "<" not in detail.value, detail
    return html.unescape(detail.value)


def feed_urls(section, tag) -> list[str]:
    prefixes = ["/feeds/", f"{section.get_absolute_url()}feed/", f"{tag.get_absolute_url()}feed/"]
    return [f"{prefix}{kind}/" for prefix in prefixes for kind in ("rss", "atom", "json")]


def read_back(client, url: str) -> dict[str, str]:
    """{headline: teaser} of every item, read the way a client reads the feed."""
    response = client.get(url)
    assert response.status_code == 200, url
    if url.endswith("/json/"):
        items = json.loads(response.content)["items"]
        return {item["title"]: item["summary"] for item in items}
    no_markup_elements(response.content)
    feed = feedparser.parse(response.content)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    return {as_text(e.title_detail): as_text(e.summary_detail) for e in feed.entries}


def no_markup_elements(document: bytes) -> None:
    """The reader's markup stays text: the XML itself holds no HTML element."""
    names = {element.tag.rsplit("}", 1)[-1] for element in ET.fromstring(document).iter()}
    assert not names & {"img", "script", "b"}, names


def test_every_feed_gives_back_the_exact_headline_and_teaser(client, awkward_stories):
    section, tag, articles = awkward_stories
    assert [a.teaser for a in articles] == [teaser for _, teaser in AWKWARD]
    for url in feed_urls(section, tag):
        assert read_back(client, url) == dict(AWKWARD), url


def test_full_content_keeps_the_teaser_as_text_and_the_body_sanitised(client, settings,
                                                                      awkward_stories):
    settings.DATELINE_FEED_FULL_CONTENT = True
    section, tag, _ = awkward_stories
    for url in feed_urls(section, tag):
        assert read_back(client, url) == dict(AWKWARD), url
    atom = feedparser.parse(client.get("/feeds/atom/").content)
    assert {e.content[0].value for e in atom.entries} == {
        "<p>First sentence here. Second sentence follows.</p>"
    }


def test_a_section_and_a_tag_of_one_name_give_one_category(client, make_article, make_section,
                                                           make_tag):
    section = make_section("Moscow")
    make_article("City budget", section=section,
                 tags=[make_tag("Moscow", Tag.Kind.PLACE), make_tag("Budget", Tag.Kind.TOPIC)])
    for url in ("/feeds/rss/", "/feeds/atom/"):
        entry = feedparser.parse(client.get(url).content).entries[0]
        assert [t.term for t in entry.tags] == ["Moscow", "Budget"], url
    item = json.loads(client.get("/feeds/json/").content)["items"][0]
    assert item["tags"] == ["Moscow", "Budget"]


def test_json_feeds_name_their_icon_favicon_and_authors(client, awkward_stories,
                                                       make_author, make_article):
    section, tag, _ = awkward_stories
    make_article("Signed story", section=section, authors=[make_author("Ana Ivanova")])
    for url in feed_urls(section, tag)[2::3]:
        feed = json.loads(client.get(url).content)
        assert feed["authors"] == [{"name": "Dateline", "url": "http://testserver/"}]
        assert feed["icon"] == "http://testserver/static/syndication/icon.png"
        assert feed["favicon"] == "http://testserver/static/site/favicon.svg"
    signed = json.loads(client.get("/feeds/json/").content)["items"][0]
    assert signed["authors"] == [{"name": "Ana Ivanova"}]
    for asset in (feed["icon"], feed["favicon"]):  # shipped, so collectstatic publishes them
        assert finders.find(asset.removeprefix("http://testserver/static/")), asset


def test_every_feed_carries_the_house_rights(client, settings, awkward_stories):
    section, tag, _ = awkward_stories
    assert settings.DATELINE_COPYRIGHT_NOTICE == "Copyright Dateline. All rights reserved."
    settings.DATELINE_COPYRIGHT_NOTICE = "© 2026 Dateline Ltd & partners <dateline.example>"
    for url in feed_urls(section, tag):
        if not url.endswith("/json/"):  # JSON Feed 1.1 has no field for rights
            feed = feedparser.parse(client.get(url).content)
            assert as_text(feed.feed.rights_detail) == settings.DATELINE_COPYRIGHT_NOTICE, url


def test_wire_copy_is_credited_to_its_agency_and_carries_its_rights(client, make_article,
                                                                   make_source, make_author):
    reuters = make_source("Reuters")
    reuters.rights_holder = "Reuters"
    reuters.save()
    make_article("KUMAGAI GUMI SEEKS LISTING", sources=[reuters], age=timedelta(hours=2))
    make_article("Staff story", sources=[make_source("Le Monde")],
                 authors=[make_author("Ana Ivanova")])
    house = "Copyright Dateline. All rights reserved."
    for url in ("/feeds/rss/", "/feeds/atom/"):
        staff, wire = feedparser.parse(client.get(url).content).entries
        assert [a.name for a in wire.authors] == ["Reuters"], url
        assert wire.rights == "Copyright Reuters. All rights reserved.", url
        assert [a.name for a in staff.authors] == ["Ana Ivanova"], url
        assert staff.rights == house, url
    staff, wire = json.loads(client.get("/feeds/json/").content)["items"]
    assert (staff["authors"], wire["authors"]) == ([{"name": "Ana Ivanova"}], [{"name": "Reuters"}])


def test_an_atom_feed_names_the_agency_so_an_uncredited_story_is_valid_atom(
    client, make_article, make_section
):
    """RFC 4287 4.1.1: a feed names an author unless every entry does; a story with no staff
    author, byline or source named none (the W3C validator: 'Missing entry element: author')."""
    section = make_section("Business")
    make_article("Uncredited desk story", section=section)
    atom = "{http://www.w3.org/2005/Atom}"
    for url in ("/feeds/atom/", f"{section.get_absolute_url()}feed/atom/"):
        body = client.get(url).content
        root = ET.fromstring(body)
        entries = root.findall(f"{atom}entry")
        assert entries and all(e.find(f"{atom}author") is None for e in entries), url
        feed = feedparser.parse(body).feed
        assert [(a.name, a.href) for a in feed.authors] == [("Dateline", "http://testserver/")]


def test_rss_writes_ampersands_and_less_thans_as_hexadecimal_references(client, awkward_stories):
    # The RSS Best Practices Profile's rule, checked by the W3C validator ("Encode & and <").
    section, tag, _ = awkward_stories
    for url in feed_urls(section, tag)[::3]:
        xml = client.get(url).content.decode()
        assert "&amp;" not in xml and "&lt;" not in xml, url
        assert "<title>Tom &#x26; Jerry say" in xml, url
        assert "LISTING IN HONG KONG &#x3C;KUMT.TOK&gt;</title>" in xml, url


def test_control_characters_of_wire_copy_are_dropped_not_a_server_error(client, make_article):
    # XML 1.0 cannot hold them; the 1987 Reuters files end their bodies with one. A save
    # drops them (newsroom.html.without_control_characters); a story stored before that rule
    # still has them, and the feeds' writers drop them too.
    saved = make_article("Cocoa\x0b prices fall", standfirst="Cocoa fell\x03 on Monday.")
    assert (saved.headline, saved.teaser) == ("Cocoa prices fall", "Cocoa fell on Monday.")
    Article.objects.filter(pk=saved.pk).update(headline="Cocoa\x0b prices fall",
                                               teaser="Cocoa fell\x03 on Monday.")
    for url in ("/feeds/rss/", "/feeds/atom/"):
        assert read_back(client, url) == {"Cocoa prices fall": "Cocoa fell on Monday."}, url
    # JSON can hold them (escaped), so it keeps the text exactly.
    assert read_back(client, "/feeds/json/") == {
        "Cocoa\x0b prices fall": "Cocoa fell\x03 on Monday."
    }


def test_a_feed_s_own_title_reads_as_its_name_however_much_it_looks_like_markup(
        client, make_article, make_tag):
    tag = make_tag("&amp; <b>amp</b>")
    make_article("Story", tags=[tag])
    for kind in ("rss", "atom"):
        feed = feedparser.parse(client.get(f"{tag.get_absolute_url()}feed/{kind}/").content)
        assert as_text(feed.feed.title_detail).endswith("&amp; <b>amp</b>"), kind


def test_noncharacters_typed_or_stored_leave_every_feed_well_formed(client, make_article,
                                                                    make_section, make_tag):
    """U+FFFE and U+FFFF are UTF-8 a browser sends like any letter, and no XML 1.0 may hold
    them: one in a tag made each feed listing the story unreadable to a strict parser."""
    from lxml import etree

    section, tag = make_section("World"), make_tag("Assad\uffff", Tag.Kind.PERSON)
    story = make_article("Talks\ufffe in Geneva", standfirst="Both\uffff sides.",
                         section=section, tags=[tag])
    assert (story.headline, story.teaser, tag.name) == ("Talks in Geneva", "Both sides.", "Assad")
    # A row stored before that rule: the feeds' writer leaves the characters out too.
    Article.objects.filter(pk=story.pk).update(headline="Talks\ufffe in Geneva",
                                               teaser="Both\uffff sides.")
    Tag.objects.filter(pk=tag.pk).update(name="Assad\uffff")
    for url in [u for u in feed_urls(section, tag) if not u.endswith("json/")]:
        etree.fromstring(client.get(url).content)  # raises on what XML cannot hold
        assert read_back(client, url) == {"Talks in Geneva": "Both sides."}, url
        assert not feedparser.parse(client.get(url).content).bozo, url


def test_full_content_shows_corrections_above_the_body_as_the_page_does(
        client, settings, make_article, make_user):
    """A reader of the whole story in a feed reader sees what was corrected: before, the
    feed's content was the body alone, and the note stayed on the site."""
    from dateline.newsroom.actions.notes import add_note
    from dateline.newsroom.datelines import house_dateline

    settings.DATELINE_FEED_FULL_CONTENT = True
    story = make_article("Shares fall", body="<p>Shares fell 3%.</p>")
    note = add_note(make_user("Chief editor", "chief"), story, "correction",
                    "An earlier version said <5% & \"most\" shares; it was 3%.")
    said = f"Correction {house_dateline(note.created_at)}: {note.text}"
    for url in ("/feeds/rss/", "/feeds/atom/"):
        content = feedparser.parse(client.get(url).content).entries[0].content[0].value
        note_html, body = content.split("</p>", 1)
        assert html.unescape(re.sub(r"<[^>]+>", "", note_html)) == said, url
        assert body == "<p>Shares fell 3%.</p>", url
    item = json.loads(client.get("/feeds/json/").content)["items"][0]
    assert html.unescape(re.sub(r"<[^>]+>", "", item["content_html"])) == said + "Shares fell 3%."
    settings.DATELINE_FEED_FULL_CONTENT = False  # teasers only: the page shows the notes
    assert "content_html" not in json.loads(client.get("/feeds/json/").content)["items"][0]


def test_an_undated_imports_entry_gives_no_publication_date(client, make_article):
    """The time it reached the archive went out as its publication date: feed readers showed
    a twenty-year-old story as today's news."""
    make_article("Dated story")
    make_article("Undated archive story", published_at_is_import_time=True)
    rss = {e.title: e for e in feedparser.parse(client.get("/feeds/rss/").content).entries}
    assert "published_parsed" in rss["Dated story"]
    assert "published" not in rss["Undated archive story"]
    atom = {e.title: e for e in feedparser.parse(client.get("/feeds/atom/").content).entries}
    assert "published" not in atom["Undated archive story"]
    assert atom["Undated archive story"].updated  # Atom's one required date: when it was added
    items = {i["title"]: i for i in client.get("/feeds/json/").json()["items"]}
    assert "date_published" not in items["Undated archive story"]
    assert "date_modified" in items["Undated archive story"]
    assert "date_published" in items["Dated story"]

"""Sitemaps and robots.txt, validated against the sitemaps.org and Google News schemas."""

import re
from datetime import datetime, timedelta
from functools import cache
from xml.etree import ElementTree

import pytest
import xmlschema
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.models import Article, Tag
from dateline.syndication import sitemap_figures
from dateline.syndication.sitemaps import ArticleMonthSitemap, NewsSitemap
from tests.conftest import require_shared
from tests.pagecache.test_pagecache import Reader

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"s": SITEMAP_NS, "news": NEWS_NS}
W3C_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")

pytestmark = pytest.mark.django_db


@cache
def schema(name: str) -> xmlschema.XMLSchema:
    """A sitemaps.org schema, with the News schema for the elements it lets in; offline."""
    schemas = require_shared("schemas/sitemap")
    return xmlschema.XMLSchema(str(schemas / name), allow="local",
                               locations=[(NEWS_NS, str(schemas / "sitemap-news.xsd"))])


def fetch(client, url: str, xsd: str = "sitemap.xsd") -> ElementTree.Element:
    """GET a sitemap, check that it is valid, and return its root element."""
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml"
    root = ElementTree.fromstring(response.content)
    schema(xsd).validate(root)
    return root


def locations(root: ElementTree.Element) -> list[str]:
    return [loc.text for loc in root.iterfind("*/s:loc", NS)]


def lastmods(root: ElementTree.Element) -> dict[str, str]:
    return {entry.findtext("s:loc", namespaces=NS): entry.findtext("s:lastmod", namespaces=NS)
            for entry in root}


def absolute(obj) -> str:
    return f"http://testserver{obj.get_absolute_url()}"


def local(*args: int) -> datetime:
    """A time on the site's clock (Europe/Sofia in the tests)."""
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def archive(make_article, make_section, make_tag):
    world = make_section("World")
    sport = make_section("Sport", parent=world)
    budget = make_tag("Budget & taxes")
    march = make_article("Budget passes", section=world, published_at=local(2025, 3, 2, 9, 0),
                         tags=[budget])
    # 00:30 on 1 April in Sofia is still 31 March in UTC: months follow the site's clock.
    april = make_article("April story", section=sport, published_at=local(2025, 4, 1, 0, 30),
                         updated_at=local(2025, 4, 3, 12, 0))
    recent = make_article("Floods & storms hit coast", section=world, age=timedelta(hours=2))
    return world, sport, budget, march, april, recent


def month_url(day: datetime) -> str:
    return f"http://testserver/sitemaps/articles-{timezone.localtime(day):%Y-%m}.xml"


def test_index_names_each_month_with_stories_and_the_other_sitemaps(client, archive):
    *_, march, april, recent = archive
    root = fetch(client, "/sitemap.xml", "siteindex.xsd")
    assert locations(root) == [
        "http://testserver/sitemaps/articles-2025-03.xml",
        "http://testserver/sitemaps/articles-2025-04.xml",
        month_url(recent.published_at),
        "http://testserver/sitemaps/sections.xml",
        "http://testserver/sitemaps/tags.xml",
        "http://testserver/sitemaps/news.xml",
        "http://testserver/sitemaps/briefs.xml",
    ]
    dated = lastmods(root)
    assert datetime.fromisoformat(dated[locations(root)[0]]) == march.published_at
    assert datetime.fromisoformat(dated[locations(root)[1]]) == april.updated_at
    assert datetime.fromisoformat(dated["http://testserver/sitemaps/news.xml"]) == (
        recent.published_at)


def test_a_month_lists_its_live_stories_at_their_canonical_urls(client, archive):
    *_, march, april, _ = archive
    root = fetch(client, "/sitemaps/articles-2025-03.xml")
    assert locations(root) == [absolute(march)]
    assert lastmods(root) == {absolute(march): "2025-03-02"}
    root = fetch(client, "/sitemaps/articles-2025-04.xml")
    assert lastmods(root) == {absolute(april): "2025-04-03"}  # the update, not publication
    assert absolute(april) == f"http://testserver/articles/{april.pk}/april-story/"


@pytest.mark.parametrize("name", ["articles-2024-12", "articles-2025-13", "articles-25-03",
                                  "pages", "NEWS"])
def test_unknown_or_empty_sitemaps_are_not_found(client, archive, name):
    assert client.get(f"/sitemaps/{name}.xml").status_code == 404


def test_empty_sitemaps_are_not_found_and_the_index_leaves_them_out(client, make_article):
    make_article("Old story", published_at=local(2025, 2, 1, 12, 0))
    assert locations(fetch(client, "/sitemap.xml", "siteindex.xsd")) == [
        "http://testserver/sitemaps/articles-2025-02.xml",
        "http://testserver/sitemaps/sections.xml",
        "http://testserver/sitemaps/briefs.xml",
    ]
    # An empty <urlset> fails the schema (one URL at least): Google News' was served so on
    # any day without a story of the last 48 hours.
    for name in ("news", "tags"):
        response = client.get(f"/sitemaps/{name}.xml")
        assert response.status_code == 404
        assert "lists nothing at the moment" in response.content.decode()
    assert "news.xml" not in client.get("/robots.txt").content.decode()


def test_a_month_over_the_limit_is_paged(client, monkeypatch, make_article):
    monkeypatch.setattr(ArticleMonthSitemap, "limit", 2)
    stories = [make_article(f"Story {day}", published_at=local(2025, 5, day, 12, 0))
               for day in (1, 2, 3)]
    root = fetch(client, "/sitemap.xml", "siteindex.xsd")
    assert locations(root)[:2] == ["http://testserver/sitemaps/articles-2025-05.xml",
                                   "http://testserver/sitemaps/articles-2025-05.xml?p=2"]
    first = fetch(client, "/sitemaps/articles-2025-05.xml")
    second = fetch(client, "/sitemaps/articles-2025-05.xml?p=2")
    assert locations(first) + locations(second) == [absolute(s) for s in stories]
    assert client.get("/sitemaps/articles-2025-05.xml?p=3").status_code == 404


def test_sections_and_tags_with_live_stories(client, archive, make_article, make_tag):
    world, sport, budget, *_ = archive
    unused = make_tag("Unused")
    drafted = make_tag("Only in a draft", Tag.Kind.PERSON)
    make_article("Draft", section=world, status=Article.Status.DRAFT, published_at=None,
                 tags=[drafted])
    assert locations(fetch(client, "/sitemaps/sections.xml")) == [absolute(world),
                                                                  absolute(sport)]
    tags = locations(fetch(client, "/sitemaps/tags.xml"))
    assert tags == [absolute(budget)] == ["http://testserver/topics/budget-taxes/"]
    assert absolute(unused) not in tags


def test_sections_and_tags_are_dated_by_their_newest_live_story(client, archive,
                                                                  make_article):
    world, sport, budget, march, april, recent = archive
    # A draft is newer than all of them, and counts for nothing.
    make_article("Draft", section=sport, status=Article.Status.DRAFT, published_at=None,
                 updated_at=timezone.now(), tags=[budget])
    sections = lastmods(fetch(client, "/sitemaps/sections.xml"))
    # World's page lists Sport's stories too, so its newest story may be Sport's.
    assert sections == {absolute(world): f"{timezone.localtime(recent.published_at):%Y-%m-%d}",
                        absolute(sport): f"{april.updated_at:%Y-%m-%d}"}  # not its publication
    assert lastmods(fetch(client, "/sitemaps/tags.xml")) == {absolute(budget): "2025-03-02"}
    dated = lastmods(fetch(client, "/sitemap.xml", "siteindex.xsd"))
    assert datetime.fromisoformat(dated["http://testserver/sitemaps/sections.xml"]) == (
        recent.published_at)
    assert datetime.fromisoformat(dated["http://testserver/sitemaps/tags.xml"]) == (
        march.published_at)


def prepare_figures(kept: bool) -> None:
    """Kept: the figures the worker worked out before the test's stories were written, so
    that the request adds every story itself. Else none kept: the request works them out."""
    if kept:
        if caches[settings.DATELINE_PAGE_CACHE].get(sitemap_figures.KEY) is None:
            sitemap_figures.refresh()
    else:
        caches[settings.DATELINE_PAGE_CACHE].delete_many(
            [sitemap_figures.KEY, sitemap_figures.ASKED_KEY])


@pytest.mark.parametrize("kept", [False, True], ids=["worked-out", "kept"])
@pytest.mark.parametrize("url", ["/sitemaps/sections.xml", "/sitemaps/tags.xml"])
def test_dating_sections_and_tags_costs_the_same_queries_however_many(client, make_article,
                                                                       make_section, make_tag,
                                                                       url, kept):
    """Whether the request works the archive's figures out itself or finds them kept (and
    adds the stories saved since), its queries do not grow with the sections or tags."""
    prepare_figures(kept)

    def queries() -> int:
        prepare_figures(kept)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    make_article(section=make_section("Section 0"), tags=[make_tag("Tag 0")])
    few = queries()
    for n in range(1, 8):
        make_article(section=make_section(f"Section {n}"), tags=[make_tag(f"Tag {n}")])
    assert queries() == few


def test_news_sitemap_has_the_last_48_hours_with_publication_and_title(client, archive,
                                                                        make_article):
    world, *_, recent = archive
    within = make_article("Day-old story", section=world, age=timedelta(hours=47))
    make_article("Too old for news", section=world, age=timedelta(hours=49))
    # An undated archive's story, imported an hour ago: its time is the import's, no news.
    make_article("Undated archive story", section=world, published_at_is_import_time=True)
    root = fetch(client, "/sitemaps/news.xml")
    assert locations(root) == [absolute(recent), absolute(within)]
    entry = root.find("s:url", NS)
    news = entry.find("news:news", NS)
    assert news.findtext("news:publication/news:name", namespaces=NS) == "Dateline"
    assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
    assert news.findtext("news:title", namespaces=NS) == "Floods & storms hit coast"
    published = news.findtext("news:publication_date", namespaces=NS)
    assert W3C_SECONDS.match(published)
    assert datetime.fromisoformat(published) == recent.published_at.replace(microsecond=0)
    assert W3C_SECONDS.match(entry.findtext("s:lastmod", namespaces=NS))


def test_a_headline_stored_with_a_noncharacter_leaves_the_news_sitemap_readable(
        client, make_article, make_section):
    story = make_article("Talks in Geneva", section=make_section("World"))
    Article.objects.filter(pk=story.pk).update(headline="Talks\ufffe in\uffff Geneva")
    news = fetch(client, "/sitemaps/news.xml").find("s:url/news:news", NS)
    assert news.findtext("news:title", namespaces=NS) == "Talks in Geneva"


def bulk_stories(section, count: int, *, newest: timedelta = timedelta(minutes=1),
                 step: timedelta = timedelta(minutes=1)) -> list[Article]:
    """Live stories created in one statement, `step` apart from `newest` ago backwards."""
    now = timezone.now()
    stories = [Article(headline=f"Story {n}", body="<p>Text.</p>", section=section,
                       status=Article.Status.PUBLISHED, published_at=now - newest - n * step)
               for n in range(count)]
    for story in stories:
        story.prepare_for_save()
    return Article.objects.bulk_create(stories)


def test_news_sitemaps_hold_every_story_of_48_hours_in_files_of_1000(client, make_section):
    world = make_section("World")
    # 2,001 stories 80 seconds apart (the oldest 44.5 hours old: all within 48 hours),
    # and some just older, which no news file may name.
    recent = bulk_stories(world, 2001, step=timedelta(seconds=80))
    bulk_stories(world, 5, newest=timedelta(hours=49))
    index = locations(fetch(client, "/sitemap.xml", "siteindex.xsd"))
    news = [url for url in index if "/sitemaps/news.xml" in url]
    assert news == ["http://testserver/sitemaps/news.xml",
                    "http://testserver/sitemaps/news.xml?p=2",
                    "http://testserver/sitemaps/news.xml?p=3"]
    listed = []
    for url in news:
        found = locations(fetch(client, url.removeprefix("http://testserver")))
        assert 0 < len(found) <= 1000
        listed += found
    assert len(listed) == len(set(listed))  # each story in exactly one file
    assert set(listed) == {f"http://testserver/articles/{a.pk}/{a.slug}/" for a in recent}
    assert client.get("/sitemaps/news.xml?p=4").status_code == 404


def test_no_story_a_reader_cannot_see_is_in_any_sitemap(client, make_article, make_tag):
    make_article("Live story", published_at=local(2025, 6, 1, 12, 0))
    make_article("Fresh live story", age=timedelta(minutes=5))
    hidden = make_tag("Hidden tag")
    for headline, fields in {
        "Draft story": {"status": Article.Status.DRAFT, "published_at": None},
        "Scheduled story": {"status": Article.Status.SCHEDULED, "published_at": None,
                            "scheduled_for": timezone.now() + timedelta(hours=2)},
        "Future-dated story": {"age": -timedelta(hours=2)},
        "Killed story": {"status": Article.Status.UNPUBLISHED,
                         "published_at": local(2025, 7, 1, 12, 0)},
        "Embargoed story": {"embargo_until": timezone.now() + timedelta(hours=1)},
        "Embargoed archive story": {"embargo_until": timezone.now() + timedelta(hours=1),
                                    "published_at": local(2025, 8, 1, 12, 0)},
    }.items():
        make_article(headline, tags=[hidden], **fields)
    visible = {absolute(a) for a in Article.objects.live()}
    index = locations(fetch(client, "/sitemap.xml", "siteindex.xsd"))
    assert "http://testserver/sitemaps/articles-2025-07.xml" not in index
    assert "http://testserver/sitemaps/articles-2025-08.xml" not in index
    listed = set()
    for url in index:
        root = fetch(client, url.removeprefix("http://testserver"))
        listed.update(u for u in locations(root) if "/articles/" in u)
        assert absolute(hidden) not in locations(root)
    assert listed == visible
    assert client.get("/sitemaps/articles-2025-07.xml").status_code == 404


@pytest.mark.parametrize("kept", [False, True], ids=["worked-out", "kept"])
def test_the_index_costs_the_same_queries_however_many_months(client, make_article, kept):
    prepare_figures(kept)

    def queries() -> int:
        prepare_figures(kept)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/sitemap.xml").status_code == 200
        return len(captured)

    make_article(published_at=local(2025, 1, 10, 12, 0))
    few = queries()
    for month in range(2, 13):
        make_article(published_at=local(2025, month, 10, 12, 0))
    assert queries() == few


def test_robots_txt_keeps_crawlers_out_of_the_desk_and_names_the_sitemaps(client, settings,
                                                                          make_article):
    settings.ALLOWED_HOSTS = ["testserver", "news.example.org"]
    make_article("Fresh story")  # Google News' sitemap is named while it lists one
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert {"Disallow: /desk/", "Disallow: /preview/", "Allow: /"} <= set(lines)
    assert [line for line in lines if line.startswith("Sitemap:")] == [
        "Sitemap: http://testserver/sitemap.xml",
        "Sitemap: http://testserver/sitemaps/news.xml",
    ]
    secure = client.get("/robots.txt", secure=True, HTTP_HOST="news.example.org")
    assert "Sitemap: https://news.example.org/sitemaps/news.xml" in secure.content.decode()


@pytest.mark.cache
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url", ["/sitemap.xml", "/sitemaps/news.xml", "/sitemaps/tags.xml",
                                 "/sitemaps/sections.xml", "/robots.txt"])
def test_sitemaps_and_robots_are_cached_and_answer_304(make_article, make_tag, url):
    reader = Reader()
    article = make_article("Parliament votes", tags=[make_tag("Sofia")])
    status, headers, body = reader.get(url)
    assert (status, headers["X-Cache"]) == (200, "MISS")
    surrogate = set(headers["Surrogate-Key"].split())
    assert "nav" in surrogate
    if url != "/robots.txt":
        assert "home" in surrogate
    if url == "/sitemaps/news.xml":
        assert f"a{article.pk}" in surrogate
    status, again, _ = reader.get(url)
    assert (status, again["X-Cache"], again["ETag"]) == (200, "HIT", headers["ETag"])
    status, _, body = reader.get(url, HTTP_IF_NONE_MATCH=headers["ETag"])
    assert (status, body) == (304, "")


@pytest.mark.cache
@pytest.mark.django_db(transaction=True)
def test_publishing_and_killing_refresh_the_cached_sitemaps(make_article, make_user):
    reader = Reader()
    make_article("Earlier story", published_at=local(2025, 1, 10, 12, 0))
    draft = make_article("Breaking story", status=Article.Status.DRAFT, published_at=None)
    reader.get("/sitemap.xml")
    _, headers, body = reader.get("/sitemap.xml")
    assert headers["X-Cache"] == "HIT" and "Breaking story" not in body
    assert reader.get("/sitemaps/news.xml")[0] == 404  # nothing in 48 hours: not a sitemap
    editor = make_user("Editor")
    TRANSITIONS["publish"].execute(editor, draft)
    draft.refresh_from_db()
    _, headers, body = reader.get("/sitemaps/news.xml")
    assert headers["X-Cache"] == "MISS" and "<news:title>Breaking story</news:title>" in body
    _, headers, body = reader.get("/sitemap.xml")
    assert headers["X-Cache"] == "MISS" and month_url(draft.published_at) in body
    month = month_url(draft.published_at).removeprefix("http://testserver")
    assert absolute(draft) in reader.get(month)[2]
    assert reader.get(month)[1]["X-Cache"] == "HIT"
    TRANSITIONS["unpublish"].execute(editor, draft)
    assert "Breaking story" not in reader.get("/sitemaps/news.xml")[2]
    assert reader.get(month)[0] == 404
    assert month_url(draft.published_at) not in reader.get("/sitemap.xml")[2]


@pytest.mark.cache
@pytest.mark.django_db(transaction=True)
def test_a_new_story_reaches_every_cached_news_page_at_once(monkeypatch, make_article,
                                                            make_user):
    monkeypatch.setattr(NewsSitemap, "limit", 2)
    reader = Reader()
    older = [make_article(f"Story {n}", age=timedelta(hours=n + 1)) for n in range(3)]
    draft = make_article("Breaking story", status=Article.Status.DRAFT, published_at=None)
    for url in ("/sitemaps/news.xml", "/sitemaps/news.xml?p=2"):
        reader.get(url)
        assert reader.get(url)[1]["X-Cache"] == "HIT"
    TRANSITIONS["publish"].execute(make_user("Editor"), draft)
    draft.refresh_from_db()
    _, headers, first = reader.get("/sitemaps/news.xml")
    assert headers["X-Cache"] == "MISS"
    assert locations(ElementTree.fromstring(first)) == [absolute(draft), absolute(older[0])]
    _, headers, second = reader.get("/sitemaps/news.xml?p=2")
    assert headers["X-Cache"] == "MISS"  # the stories moved down a place: page 2 changed too
    assert locations(ElementTree.fromstring(second)) == [absolute(o) for o in older[1:]]


def test_a_headline_pasted_from_word_keeps_the_news_sitemap_valid(client, make_article):
    """Word's manual line break is a vertical tab, which XML 1.0 cannot hold: Google refuses
    a whole news sitemap for one. Saved, it is a space; one stored earlier is left out."""
    story = make_article("Storm hits\x0bthe coast\x1f")
    stored_before = make_article("Quake\x0bfelt")
    Article.objects.filter(pk=stored_before.pk).update(headline="Quake\x0bfelt\x03")
    root = fetch(client, "/sitemaps/news.xml")
    titles = {t.text for t in root.iter("{http://www.google.com/schemas/sitemap-news/0.9}title")}
    assert titles == {"Storm hits the coast", "Quake felt"}
    story.refresh_from_db()
    assert story.headline == "Storm hits the coast"

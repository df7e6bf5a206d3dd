import re
from datetime import UTC, datetime, timedelta

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dateline.newsroom.models import Article, Tag

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The words a reader reads, as a browser joins them (an inline element adds no space)."""
    return " ".join(lxml.html.fromstring(response.content).body.text_content().split())


def test_article_page_shows_what_the_agency_shows(
    client, make_section, make_article, make_tag, make_source, make_author
):
    world = make_section("World")
    russia = make_section("Russia", parent=world)
    putin = make_tag("Vladimir Putin", Tag.Kind.PERSON)
    moscow = make_tag("Moscow", Tag.Kind.PLACE)
    article = make_article(
        "Kremlin announces talks",
        section=russia,
        published_at=datetime(2024, 12, 11, 7, 15, tzinfo=UTC),  # 09:15 in Sofia
        tags=[putin, moscow],
        sources=[make_source("NBC News", "https://www.nbcnews.com/"), make_source("Le Monde")],
        authors=[make_author("Ivan Petrov"), make_author("Ana Lee")],
        body="<p>The Kremlin said on Wednesday it would talk. Details followed.</p>",
        dateline="MOSCOW, Dec 11",
    )
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(response)
    assert re.search(r'aria-label="Breadcrumb".*World.*Russia', html, re.S)
    assert "December 11, 2024, Wednesday // 09:15" in text
    assert '<time datetime="2024-12-11T09:15:00+02:00">' in html
    assert "By Ivan Petrov and Ana Lee" in text or "By Ana Lee and Ivan Petrov" in text
    assert "Sources: Le Monde, NBC News" in text
    assert 'href="/people/vladimir-putin/" rel="tag"' in html
    assert 'href="/places/moscow/" rel="tag"' in html
    assert "MOSCOW, Dec 11" in text
    assert "Be a reporter: write and send your article" in text
    assert f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in html


def test_related_articles_rank_by_shared_tags_then_section_then_recency(
    client, make_section, make_article, make_tag
):
    world, sport = make_section("World"), make_section("Sport")
    a, b, c = make_tag("A"), make_tag("B"), make_tag("C")
    article = make_article("Subject", section=world, tags=[a, b, c])
    two_shared = make_article("Two shared", section=sport, tags=[a, b], age=timedelta(days=9))
    one_same_section = make_article("One shared, same section", section=world, tags=[c])
    one_other_new = make_article("One shared, newer", section=sport, tags=[a], age=timedelta(0))
    one_other_old = make_article("One shared, older", section=sport, tags=[b],
                                 age=timedelta(days=5))
    section_only = make_article("Same section, no tags", section=world, age=timedelta(days=20))
    make_article("Unrelated", section=sport, age=timedelta(minutes=1))
    make_article("Draft", section=world, tags=[a, b, c], status=Article.Status.DRAFT)
    response = client.get(article.get_absolute_url())
    related = response.context["related"]
    assert related == [two_shared, one_same_section, one_other_new, one_other_old, section_only]
    block = response.content.decode().split('id="related-title"')[1].split("</section>")[0]
    assert "Two shared" in block and "Sport" in block  # section path
    assert "First sentence here." in block  # teaser
    assert re.search(r"\w+ \d+, \d{4}, \w+ // \d\d:\d\d", block)  # dateline


def test_more_from_section_lists_the_latest_ten(client, make_section, make_article):
    world = make_section("World")
    russia = make_section("Russia", parent=world)
    article = make_article("Subject", section=world)
    older = [make_article(f"World {i}", section=world, age=timedelta(hours=i + 2))
             for i in range(12)]
    in_sub = [make_article(f"Russia {i}", section=russia, age=timedelta(minutes=i))
              for i in range(4)]
    response = client.get(article.get_absolute_url())
    # Related (no shared tags here) is filled from the section: the five newest World stories.
    assert response.context["related"] == older[:5]
    # "More from" then lists the rest, newest first, repeating nothing shown above it.
    assert response.context["more_from_section"] == in_sub + older[5:11]
    assert "More from World" in response.content.decode()


def test_article_page_query_count_does_not_grow_with_tags_or_related(
    client, make_section, make_article, make_tag, make_source, make_author
):
    def queries_for(n: int) -> int:
        section = make_section(f"Section {n}")
        tags = [make_tag(f"Tag {n}-{i}") for i in range(n)]
        article = make_article(
            section=section, tags=tags,
            sources=[make_source(f"Source {n}-{i}") for i in range(n)],
            authors=[make_author(f"Author {n}-{i}") for i in range(n)],
        )
        for i in range(n):
            make_article(section=section, tags=tags[: i + 1])
        client.get(article.get_absolute_url())  # warm the section-menu cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get(article.get_absolute_url()).status_code == 200
        return len(queries)

    # One tag leaves room to fill "related" from the section: one query more, never more.
    few, many = queries_for(1), queries_for(40)
    assert many <= few <= 12


def test_old_slugs_and_short_urls_redirect_permanently(client, make_article):
    article = make_article("Original headline")
    article.headline = "Changed headline"
    article.slug = "changed-headline"
    article.save()
    response = client.get(f"/articles/{article.pk}/original-headline/")
    assert response.status_code == 301
    assert response["Location"] == f"/articles/{article.pk}/changed-headline/"
    short = client.get(f"/articles/{article.pk}/")
    assert (short.status_code, short["Location"]) == (301, article.get_absolute_url())


def test_unpublished_and_future_articles_are_not_found(client, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    future = make_article(published_at=timezone.now() + timedelta(hours=1))
    for article in (draft, future):
        assert client.get(article.get_absolute_url()).status_code == 404
        assert client.get(f"/articles/{article.pk}/").status_code == 404


def test_a_killed_story_is_gone_and_says_so_without_a_word_of_it(client, make_article):
    """It answered 404, read by crawlers and aggregators as an address to try again."""
    killed = make_article("Minister named in fraud case", status=Article.Status.UNPUBLISHED,
                          body="<p>Words the lawyers had taken down.</p>")
    for url in (killed.get_absolute_url(), f"/articles/{killed.pk}/"):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 410
        assert "This story has been withdrawn" in page
        assert '<meta name="robots" content="noindex">' in page
        assert "Minister named" not in page and "lawyers" not in page


def test_home_page_has_top_story_latest_and_section_blocks(client, make_section, make_article):
    world, sport = make_section("World", position=1), make_section("Sport", position=2)
    flagged = make_article("Flagged lead", section=world, is_top_story=True, age=timedelta(days=1))
    newest = make_article("Newest", section=sport, age=timedelta(0))
    for i in range(15):
        make_article(f"World story {i}", section=world, age=timedelta(hours=i + 1))
    make_article("Hidden draft", section=world, status=Article.Status.DRAFT)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["top_story"] == flagged
    assert response.context["latest"][0] == newest
    assert len(response.context["latest"]) == 12
    blocks = response.context["section_blocks"]
    assert [s.name for s, _ in blocks] == ["World"]  # Sport's only story is already in "latest"
    shown = {a.pk for a in response.context["latest"]} | {flagged.pk}
    assert not shown & {a.pk for _, stories in blocks for a in stories}
    assert "Hidden draft" not in response.content.decode()
    assert '<h2 id="top-story-title" class="block-title">Top story</h2>' in response.text


def test_the_newest_story_leads_as_the_latest_when_no_editor_chose_a_top_story(
        client, make_article):
    """Only editors choose the top story: the newest story, whatever it was, was headed "Top
    story" on a home page no editor had chosen one for (an outside editor's finding)."""
    make_article("A minor item", age=timedelta(0))
    response = client.get("/")
    assert response.context["top_story"].headline == "A minor item"
    assert '<h2 id="top-story-title" class="block-title">Latest</h2>' in response.text
    assert ">Top story<" not in response.text


def test_an_undated_archive_s_stories_neither_lead_nor_pass_for_the_day_s_news(
        client, make_section, make_article):
    """The BBC's undated 2004 archive, imported this morning, led the home page as its top
    story, and its teasers and briefs gave the import's time as the story's own."""
    world = make_section("World")
    news = make_article("Talks resume", section=world, age=timedelta(hours=3))
    make_article("Losing yourself in online gaming", section=world, age=timedelta(minutes=5),
                 published_at_is_import_time=True)
    home = client.get("/")
    assert home.context["top_story"] == news
    html = home.content.decode()
    teasers = re.findall(r'<article class="teaser.*?</article>', html, re.S)
    [archived] = [t for t in teasers if "online gaming" in t]
    assert "Undated; added to the archive <time" in archived
    assert all("Undated" not in t for t in teasers if "Talks resume" in t)
    briefs = client.get("/news-in-brief/").content.decode()
    assert briefs.count("Undated; added to the archive") == 1
    found = client.get("/search/", {"q": "gaming"}).content.decode()
    assert found.count("Undated; added to the archive") == 1
    beside = client.get(news.get_absolute_url()).content.decode()  # "More from World"
    assert beside.count("Undated; added to the archive") == 1


def test_section_page_is_newest_first_includes_subsections_and_paginates(
    client, settings, make_section, make_article
):
    settings.DATELINE_PAGE_SIZE = 5
    world = make_section("World")
    russia = make_section("Russia", parent=world)
    stories = [make_article(f"S{i}", section=russia if i % 2 else world,
                            age=timedelta(hours=i)) for i in range(12)]
    first = client.get("/section/world/")
    assert first.status_code == 200
    assert list(first.context["page"].object_list) == stories[:5]
    assert 'href="/section/world/russia/"' in first.content.decode()
    third = client.get("/section/world/?page=3")
    assert list(third.context["page"].object_list) == stories[10:]
    # Each page its own title: page 3 was titled as page 1, one page to a search engine.
    assert "<title>World, page 3 | " in third.content.decode()
    assert "<title>World | " in first.content.decode()
    # A page that is no number is the first: sent there, one spelling the cache keeps.
    odd = client.get("/section/world/?page=abc")
    assert (odd.status_code, odd["Location"]) == (301, "/section/world/")
    # Past the last page: not an empty page that says "No stories here yet" (a soft 404).
    assert client.get("/section/world/?page=4").status_code == 404
    past = client.get("/section/world/?page=999")
    assert past.status_code == 404
    # Said as it is, with the way back: it said "the address may be mistyped".
    shown = past.content.decode()
    assert "This list has no page 999: its stories end before it." in shown
    assert '<a href="/section/world/">Go to its first page</a>' in shown
    assert "mistyped" not in shown
    assert "mistyped" in client.get("/section/nowhere/").content.decode()
    sub = client.get("/section/world/russia/")
    assert all(a.section == russia for a in sub.context["page"].object_list)


def test_many_subsections_fold_away_before_the_stories(client, make_section, make_article):
    """World's 88 countries came before its first story: two screens down on a phone."""
    world, europe = make_section("World"), make_section("Europe")
    for n in range(13):
        make_section(f"Country {n}", parent=world)
    make_section("France", parent=europe)
    make_article("A story", section=world)
    make_article("Another", section=europe)
    many = client.get("/section/world/").content.decode()
    assert "<details><summary>All 13 sections in World</summary>" in many
    assert many.index("</details>") < many.index("A story")
    few = client.get("/section/europe/").content.decode()
    assert "<details>" not in few and 'href="/section/europe/france/"' in few


def test_no_name_turns_the_words_after_it_around(client, make_article, make_author,
                                                 make_source):
    """A right-to-left override left open in one author's name ran on to the end of the
    byline: "By Aaa first and Zed second" read "By Aaarohtua dnoces deZ dna ..." in Chromium.
    The mark goes as the name is saved, and each name is isolated as a name written right to
    left (Arabic, Hebrew) needs to be beside the page's own words."""
    story = make_article(
        authors=[make_author("Aaa\u202e first author"), make_author("Zed second author")],
        sources=[make_source("Aaa\u202e first source", "https://a.example/"),
                 make_source("\u05d7\u05d3\u05e9\u05d5\u05ea \u202eZed")])
    html = client.get(story.get_absolute_url()).content.decode()
    assert "\u202e" not in html
    assert re.search(r'By <a href="[^"]+" rel="author" dir="auto">Aaa first author</a> and '
                     r'<a href="[^"]+" rel="author" dir="auto">Zed second author</a>', html)
    assert ('Sources:</span> <a href="https://a.example/" rel="nofollow noopener" dir="auto">'
            'Aaa first source</a>, <bdi>\u05d7\u05d3\u05e9\u05d5\u05ea Zed</bdi>') in html


def test_tag_and_author_pages_list_their_live_stories(
    client, make_article, make_tag, make_author
):
    tag, author = make_tag("Moscow", Tag.Kind.PLACE), make_author("Ivan Petrov")
    story = make_article("About Moscow", tags=[tag], authors=[author])
    make_article("Draft about Moscow", tags=[tag], authors=[author],
                 status=Article.Status.DRAFT)
    for url in ("/places/moscow/", "/authors/ivan-petrov/"):
        response = client.get(url)
        assert response.status_code == 200
        assert list(response.context["page"].object_list) == [story]
        past = client.get(f"{url}?page=2")  # past the last page
        assert past.status_code == 404 and "has no page 2" in past.content.decode()
    assert client.get("/people/moscow/").status_code == 404  # wrong kind


def test_a_tag_or_author_no_live_story_names_is_not_found(
    client, make_article, make_tag, make_author
):
    """A photo's IPTC keywords ("keyword1ref2017.1") became public topic pages saying "No
    stories here yet"; and a tag or author made with a draft answered 200 where an unknown
    name was a 404: anyone guessing a name learnt that a story on it was being written (an
    outside tester's finding). Both are not found until a story naming them is out."""
    empty, used = make_tag("keyword1ref2017.1"), make_tag("Harvest")
    secret = make_tag("Acme merger")
    make_article("Harvest begins", tags=[used], authors=[make_author("Ann Lee")])
    make_article("Acme to merge", tags=[secret], authors=[make_author("Bo Chan")],
                 status=Article.Status.DRAFT)
    for hidden in (f"/topics/{empty.slug}/", f"/topics/{secret.slug}/", "/authors/bo-chan/",
                   f"/topics/{secret.slug}/feed/rss/", f"/topics/{secret.slug}/feed/json/"):
        assert client.get(hidden).status_code == 404, hidden
    for shown in (f"/topics/{used.slug}/", "/authors/ann-lee/", f"/topics/{used.slug}/feed/rss/"):
        response = client.get(shown)
        assert response.status_code == 200 and "noindex" not in response.text, shown


def test_404_page_is_the_sites_own(client, make_section):
    make_section("World")
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert 'href="/section/world/"' in html
    assert "<html lang=\"en\">" in html


def test_pages_send_a_content_security_policy(client, make_article):
    response = client.get(make_article().get_absolute_url())
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_ids_in_the_page_s_data_are_never_localised(client, make_article, make_tag, settings):
    """The script, the ads and the reader's report read the story's, section's and tags' ids
    from the page: a thousands separator (a locale's, or USE_THOUSAND_SEPARATOR) would make
    12,345 of 12345."""
    settings.USE_THOUSAND_SEPARATOR = True
    tag = Tag.objects.create(pk=23456, name="Budget")
    article = make_article("Parliament approves the budget", id=12345, tags=[tag])
    page = lxml.html.fromstring(client.get(article.get_absolute_url()).content)
    story = page.xpath('//article[@class="story"]')[0]
    assert story.get("data-article") == "12345"
    assert story.get("data-ad-tags") == "23456"
    assert story.get("data-ad-section") == str(article.section_id)
    report = page.xpath('//a[contains(@href, "from=")]')[0].get("href")
    assert report.endswith("from=12345")

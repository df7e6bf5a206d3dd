"""News in Brief: the day's stories in a few lines, by section, linked from the home page,
cached and renewed like the other listings, valid HTML, axe and CSP clean in Chromium."""

import shutil
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from dateline.intelligence.models import Brief

from ..pagecache.test_pagecache import Reader
from ..syndication.test_sitemaps import fetch, locations
from .test_browser import AXE, axe_violations, record_csp_violations
from .test_html_validity import VNU, vnu_errors

pytestmark = pytest.mark.django_db


def at(day_offset: int, hour: int) -> datetime:
    """A moment on a day relative to today, in the site's zone, never in the future."""
    day = timezone.localdate() + timedelta(days=day_offset)
    moment = datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())
    return min(moment, timezone.now() - timedelta(minutes=1))


@pytest.fixture
def day_of_news(make_section, make_article):
    world = make_section("World", position=1)
    russia = make_section("Russia", parent=world)
    business = make_section("Business", position=2)
    talks = make_article(
        "Kremlin agrees to talks", section=russia, published_at=at(0, 0),
        body="<p>MOSCOW, Nov 28 - The Kremlin agreed to talks on Friday, a spokesman said. "
             "A date is to be set. Diplomats welcomed the move. A fourth sentence.</p>")
    shares = make_article("Shares rise", section=business, published_at=at(0, 0),
                          body="<p>Shares rose in early trade. Banks led the gains.</p>")
    old = make_article("Storm hits coast", section=world, published_at=at(-3, 12),
                       body="<p>A storm hit the coast. Roads were closed.</p>")
    return {"world": world, "russia": russia, "business": business, "talks": talks,
            "shares": shares, "old": old}


def test_today_s_page_groups_briefs_by_section(client, day_of_news):
    page = client.get("/news-in-brief/").content.decode()
    talks = day_of_news["talks"]
    # The machine's brief, computed on the spot: the wire's dateline left out, three sentences.
    assert ("The Kremlin agreed to talks on Friday, a spokesman said. A date is to be set. "
            "Diplomats welcomed the move.</p>") in page
    assert f'<a href="{talks.get_absolute_url()}">Kremlin agrees to talks</a>' in page
    assert page.index('id="briefs-world"') < page.index("Kremlin agrees") \
        < page.index('id="briefs-business"') < page.index("Shares rise")
    assert "Storm hits coast" not in page
    day = timezone.localdate()
    assert f'<link rel="canonical" href="http://testserver/news-in-brief/{day}/">' in page
    # Shared, it is the same page: og:url named /news-in-brief/, splitting its shares.
    assert f'<meta property="og:url" content="http://testserver/news-in-brief/{day}/">' in page
    earlier = (day - timedelta(days=3)).isoformat()
    assert f'<a rel="prev" href="/news-in-brief/{earlier}/">' in page
    assert 'rel="next"' not in page


@pytest.mark.cache
@pytest.mark.django_db(transaction=True)
def test_the_page_is_cached_and_an_edited_brief_renews_it(day_of_news):
    reader, talks = Reader(), day_of_news["talks"]
    status, headers, _ = reader.get("/news-in-brief/")
    assert (status, headers["X-Cache"]) == (200, "MISS")
    assert f"a{talks.pk}" in headers["Surrogate-Key"].split()
    assert reader.get("/news-in-brief/")[1]["X-Cache"] == "HIT"
    Brief.objects.create(article=talks, text="Talks are on, the Kremlin says.",
                         machine_text="The Kremlin agreed to talks.", edited_at=timezone.now())
    _, headers, page = reader.get("/news-in-brief/")
    assert headers["X-Cache"] == "MISS"
    assert "Talks are on, the Kremlin says." in page and "a spokesman said" not in page


def test_a_past_day_and_a_section(client, day_of_news):
    earlier = (timezone.localdate() - timedelta(days=3)).isoformat()
    page = client.get(f"/news-in-brief/{earlier}/").content.decode()
    assert "A storm hit the coast. Roads were closed." in page
    assert f'<a rel="next" href="/news-in-brief/{timezone.localdate()}/">' in page
    section = client.get("/news-in-brief/world/").content.decode()
    assert "Kremlin agrees to talks" in section and "Shares rise" not in section
    assert (f'<link rel="canonical" href="http://testserver/news-in-brief/'
            f'{timezone.localdate()}/world/">') in section
    assert client.get(f"/news-in-brief/{earlier}/business/").status_code == 404


def test_a_section_with_nothing_yet_today_says_so(client, day_of_news, make_section):
    """Its page was a bare heading over an empty list."""
    make_section("Japan", parent=day_of_news["world"])
    page = client.get(f"/news-in-brief/{timezone.localdate()}/world/japan/").content.decode()
    assert "No stories in Japan yet today." in page
    assert '<ol class="brief-list">' not in page


def test_a_day_without_stories_says_so_and_links_the_nearest_days_that_have_some(
        client, day_of_news):
    """It was the generic "We could not find that page … the address may be mistyped"."""
    empty = (timezone.localdate() - timedelta(days=2)).isoformat()
    answer = client.get(f"/news-in-brief/{empty}/")
    page = answer.content.decode()
    assert answer.status_code == 404  # no endless empty pages for crawlers
    assert "No News in Brief on" in page and "mistyped" not in page
    earlier = (timezone.localdate() - timedelta(days=3)).isoformat()
    assert f'href="/news-in-brief/{earlier}/"' in page
    assert f'href="/news-in-brief/{timezone.localdate()}/"' in page


@pytest.mark.parametrize("path", ["/news-in-brief/2025-02-30/", "/news-in-brief/2999-01-01/",
                                  "/news-in-brief/2001-01-01/", "/news-in-brief/no-such/",
                                  # Its day's start in UTC is before year 1 (it was a 500).
                                  "/news-in-brief/0001-01-01/",
                                  "/news-in-brief/0001-01-01/world/"])
def test_impossible_future_empty_days_and_unknown_sections_are_not_found(
        client, day_of_news, path):
    assert client.get(path).status_code == 404


def test_today_without_stories_yet_says_so_and_links_the_last_day(client, make_section,
                                                                   make_article):
    earlier = timezone.localdate() - timedelta(days=2)
    make_article("Yesterday's news", section=make_section("World"), published_at=at(-2, 9))
    for path in ("/news-in-brief/", f"/news-in-brief/{timezone.localdate()}/"):
        response = client.get(path)
        assert response.status_code == 200
        page = response.content.decode()
        assert "No stories yet today." in page
        assert f'<a rel="prev" href="/news-in-brief/{earlier}/">' in page


def test_a_withdrawn_story_leaves_the_page(client, day_of_news):
    shares = day_of_news["shares"]
    assert "Shares rise" in client.get("/news-in-brief/").content.decode()
    shares.status = shares.Status.DRAFT
    shares.save()
    assert "Shares rise" not in client.get("/news-in-brief/").content.decode()


def test_the_home_page_links_to_it(client, day_of_news):
    assert '<a href="/news-in-brief/">News in Brief</a>' in client.get("/").content.decode()


@pytest.mark.one_engine  # the Nu checker reads markup, alike from either engine
def test_the_pages_are_valid_html(client, tmp_path, day_of_news):
    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.fail("the Nu HTML Checker needs Java and `npm ci` (make test runs both)")
    files = []
    for n, path in enumerate(["/news-in-brief/", "/news-in-brief/world/russia/"]):
        files.append(tmp_path / f"brief-{n}.html")
        files[-1].write_bytes(client.get(path).content)
    errors = vnu_errors(java, files)
    assert errors == [], "\n".join(errors)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_axe_and_csp_clean_in_chromium(browser, live_server, day_of_news):
    if not AXE.exists():
        pytest.fail("axe-core is required: run `npm ci` (make test does)")
    checked = browser.new_page(viewport={"width": 1280, "height": 900})
    record_csp_violations(checked)
    checked.goto(live_server.url + "/")
    checked.get_by_role("link", name="News in Brief").click()
    checked.wait_for_url(f"{live_server.url}/news-in-brief/")
    assert checked.evaluate("window.cspViolations") == []
    # The site's CSP rightly refuses injected scripts; the auditor is let in on purpose.
    audited = browser.new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    for path in ["/news-in-brief/", "/news-in-brief/world/"]:
        audited.goto(live_server.url + path)
        violations = axe_violations(audited, ["wcag2a", "wcag2aa", "best-practice"])
        problems = [f"{v['id']}: {v['help']}" for v in violations]
        assert problems == [], f"{path}: {problems}"


def test_the_sitemap_names_each_day(client, day_of_news):
    index = client.get("/sitemap.xml").content.decode()
    assert "/sitemaps/briefs.xml</loc>" in index
    listed = locations(fetch(client, "/sitemaps/briefs.xml"))  # valid against the schema
    today = timezone.localdate()
    assert listed == [f"http://testserver/news-in-brief/{day}/"
                      for day in (today - timedelta(days=3), today)]


def test_a_busy_section_does_not_push_the_others_off_the_day(client, day_of_news,
                                                              make_article):
    from dateline.site.news_in_brief import PER_SECTION

    # More business stories that day than the page takes from one section, all newer than
    # the World story: World still has its place, and Business links to the rest.
    for n in range(PER_SECTION + 3):
        make_article(f"Market note {n}", section=day_of_news["business"],
                     published_at=at(0, 0) + timedelta(seconds=n + 1))
    page = client.get("/news-in-brief/").content.decode()
    assert "Kremlin agrees to talks" in page
    assert page.count("Market note ") == PER_SECTION and "Shares rise" not in page
    day = timezone.localdate().isoformat()
    assert (f'<a href="/news-in-brief/{day}/business/">More Business in brief that day</a>'
            in page)
    assert "More World" not in page
    section_page = client.get(f"/news-in-brief/{day}/business/").content.decode()
    assert section_page.count("Market note ") == PER_SECTION + 3 and "Shares rise" in section_page


def test_a_section_s_busy_day_pages_on_to_its_earliest_stories(client, day_of_news,
                                                                make_article, monkeypatch):
    """A section's day page stopped at its 200 newest, with no word and no way on: a busy
    wire day's earliest stories were in no News in Brief page at all."""
    monkeypatch.setattr("dateline.site.news_in_brief.MOST_ON_A_DAY", 3)
    for n in range(4):  # with "Shares rise", five stories: three on the first page
        make_article(f"Market note {n}", section=day_of_news["business"],
                     published_at=at(0, 0) + timedelta(seconds=n + 1))
    day = timezone.localdate().isoformat()
    first = client.get(f"/news-in-brief/{day}/business/").content.decode()
    assert [n for n in range(4) if f"Market note {n}<" in first] == [1, 2, 3]
    assert '<a rel="next" href="?page=2">Earlier that day</a>' in first
    second = client.get(f"/news-in-brief/{day}/business/?page=2").content.decode()
    assert "Market note 0<" in second and "Shares rise" in second
    assert "Market note 1<" not in second and 'rel="next" href="?page=3"' not in second
    # The first page is the address alone (`?page=1` is sent there: pagecache.queries).
    assert f'<a rel="prev" href="/news-in-brief/{day}/business/">Later that day</a>' in second
    assert f'href="http://testserver/news-in-brief/{day}/business/?page=2"' in second
    past = client.get(f"/news-in-brief/{day}/business/?page=3")
    assert past.status_code == 404 and "This list has no page 3" in past.content.decode()
    # The all-sections page is one page: another number is no page (nor a cache entry).
    assert client.get(f"/news-in-brief/{day}/?page=2").status_code == 404


def test_a_day_link_into_another_year_names_the_year(client, make_section, make_article):
    """An archive's day, 1987, linked to today's with no year: "Next day: Monday, November 30"."""
    world = make_section("World")
    make_article("Archive story", section=world,
                 published_at=timezone.make_aware(datetime(1987, 4, 7, 12)))
    make_article("Today's story", section=world, published_at=at(0, 0))
    page = client.get("/news-in-brief/1987-04-07/").content.decode()
    today = timezone.localdate()
    assert f"Next day: {today:%A, %B} {today.day}, {today.year}</a>" in page
    back = client.get(f"/news-in-brief/{today}/").content.decode()
    assert "Previous day: Tuesday, April 7, 1987</a>" in back

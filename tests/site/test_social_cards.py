"""Open Graph and Twitter cards on every public page type, read back by extruct and lxml."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from lxml import html as lxml_html

from dateline.edition.assembly import build_edition
from dateline.newsroom.models import Tag
from tests.site.test_structured_data import extract

pytestmark = pytest.mark.django_db

EDITION_DAY = date(2024, 12, 11)


@pytest.fixture
def site(make_section, make_article, make_tag, make_author):
    """Stories in a section, a tag, an author's name and the day's edition."""
    world = make_section("World", description='News from "around" the world & <beyond>.')
    moscow = make_tag("Moscow", Tag.Kind.PLACE)
    author = make_author("Ivan Petrov")
    start = timezone.make_aware(datetime(2024, 12, 11, 8, 0))
    for n in range(3):
        make_article(f"Russia story {n}", section=world, tags=[moscow], authors=[author],
                     published_at=start + timedelta(minutes=10 * n))
    build_edition(EDITION_DAY)
    return make_article('Kremlin agrees to "new" talks & a <summit>', section=world,
                        tags=[moscow], authors=[author], is_top_story=True,
                        standfirst="Officials confirmed the meeting on Wednesday.")


def read_card(client, path: str) -> tuple[dict[str, list[str]], dict[str, list[str]], dict]:
    """The page's Open Graph (by extruct), its Twitter card tags and its own head."""
    _, og = extract(client, path)
    head = lxml_html.fromstring(client.get(path).content).head
    twitter: dict[str, list[str]] = {}
    for meta in head.iterfind("meta[@name]"):
        if meta.get("name").startswith("twitter:"):
            twitter.setdefault(meta.get("name"), []).append(meta.get("content"))
    canonical = head.find("link[@rel='canonical']")
    own = {"title": head.findtext("title"),
           "description": head.find("meta[@name='description']").get("content"),
           "canonical": None if canonical is None else canonical.get("href")}
    return og, twitter, own


@pytest.mark.parametrize(("path", "url"), [
    ("/", "/"),
    ("/section/world/", "/section/world/"),
    ("/section/world/?page=2", "/section/world/?page=2"),
    ("/places/moscow/", "/places/moscow/"),
    ("/authors/ivan-petrov/", "/authors/ivan-petrov/"),
    ("/search/?q=russia", "/search/?q=russia"),
    ("/edition/2024/12/11/", "/edition/2024/12/11/"),
    ("/edition/", "/edition/2024/12/11/"),  # the latest edition's card names its own day
    ("/edition/subscribe/", "/edition/subscribe/"),
    ("/report/", "/report/"),
    ("/report/terms/", "/report/terms/"),
])
def test_every_public_page_type_has_a_card_with_its_title_and_description(
    client, settings, site, path, url
):
    settings.DATELINE_PAGE_SIZE = 2  # so that the section has a second page
    og, twitter, own = read_card(client, path)
    assert og["og:site_name"] == ["Dateline"]
    assert og["og:type"] == ["website"]
    assert own["title"] and og["og:title"] == [own["title"]]
    assert own["description"] and og["og:description"] == [own["description"]]
    assert og["og:url"] == [f"http://testserver{url}"]
    if own["canonical"] is not None:
        assert og["og:url"] == [own["canonical"]]
    assert twitter == {"twitter:card": ["summary"], "twitter:title": og["og:title"],
                       "twitter:description": og["og:description"]}


def test_a_search_card_names_the_search_as_kept_not_whatever_was_asked(client, site):
    """It repeated the whole address: 5,000 letters of q, unknown parameters and all."""
    og, _, _ = read_card(client, "/search/?q=" + "russia " * 800 + "&utm_x=1&section=abc")
    # the words cut to the 300 letters a search reads
    assert og["og:url"] == ["http://testserver/search/?q=" + "russia+" * 42 + "russia"]


def test_the_cards_carry_the_text_exactly_as_written(client, site):
    og, twitter, _ = read_card(client, "/section/world/")
    expected = 'News from "around" the world & <beyond>.: the latest news from Dateline.'
    assert og["og:description"] == twitter["twitter:description"] == [expected]


def test_a_story_has_one_article_card_with_its_headline_and_teaser(client, site):
    og, twitter, own = read_card(client, site.get_absolute_url())
    assert og["og:type"] == ["article"]
    assert og["og:title"] == ['Kremlin agrees to "new" talks & a <summit>']
    assert og["og:description"] == ["Officials confirmed the meeting on Wednesday."]
    assert og["og:url"] == [own["canonical"]]
    assert og["og:site_name"] == ["Dateline"]
    assert twitter == {"twitter:card": ["summary"], "twitter:title": og["og:title"],
                       "twitter:description": og["og:description"]}


def test_a_path_starting_with_two_slashes_is_no_other_site_s_address(client, site):
    """build_absolute_uri took "//evil.example/feeds/rss/" for a host: the not-found page,
    and the search's card, named http://evil.example/… as their own address."""
    # As sent on the wire (the test client would read "//evil.example" as a host itself).
    page = client.get("/", PATH_INFO="//evil.example/feeds/rss/")
    assert page.status_code == 404
    assert 'content="http://evil.example' not in page.text
    assert '<meta property="og:url" content="http://testserver//evil.example/feeds/rss/">' \
        in page.text
    search = client.get("/", {"q": "x"}, PATH_INFO="//evil.example/search/")
    assert "http://evil.example" not in search.text

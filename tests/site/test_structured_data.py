"""JSON-LD and Open Graph, read back by extruct and checked against schema.org's vocabulary."""

import json
import re
from datetime import UTC, datetime
from functools import cache

import extruct
import pytest
from django.contrib.staticfiles import finders

from dateline.newsroom.models import ArticleNote, Source, Tag
from tests.conftest import require_shared

OFFSET_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$")

pytestmark = pytest.mark.django_db


def ids(value) -> set[str]:
    """Local names from a vocabulary reference or a list of them: {"@id": "schema:Thing"}."""
    items = value if isinstance(value, list) else [value] if value else []
    return {item["@id"].removeprefix("schema:") for item in items}


@cache
def vocabulary() -> tuple[dict[str, set[str]], dict[str, tuple[set[str], set[str]]]]:
    """Types with their direct supertypes; properties with their domains and ranges."""
    vocabulary = require_shared("schemas/schemaorg/schemaorg-current-https.jsonld")
    graph = json.loads(vocabulary.read_text())["@graph"]
    types, properties = {}, {}
    for node in graph:
        kinds = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
        name = node["@id"].removeprefix("schema:")
        if "rdfs:Class" in kinds:
            types[name] = ids(node.get("rdfs:subClassOf"))
        if "rdf:Property" in kinds:
            properties[name] = (ids(node.get("schema:domainIncludes")),
                                ids(node.get("schema:rangeIncludes")))
    return types, properties


def lineage(name: str) -> set[str]:
    """The type and every type above it."""
    types, _ = vocabulary()
    found, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo.extend(types.get(current, ()))
    return found


def schema_problems(node: dict, where: str = "") -> list[str]:
    """Unknown types and properties, properties off their domain, nodes outside their range."""
    types, properties = vocabulary()
    problems = []
    node_types = node["@type"] if isinstance(node["@type"], list) else [node["@type"]]
    ancestry = set()
    for name in node_types:
        if name not in types:
            problems.append(f"{where}@type {name} is not a schema.org type")
        ancestry |= lineage(name)
    for key, value in node.items():
        if key.startswith("@"):
            continue
        if key not in properties:
            problems.append(f"{where}{key} is not a schema.org property")
            continue
        domains, ranges = properties[key]
        if not domains & ancestry:
            problems.append(f"{where}{key} does not apply to {'/'.join(node_types)}")
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                item_types = item["@type"] if isinstance(item["@type"], list) else [item["@type"]]
                if not any(lineage(t) & ranges for t in item_types):
                    problems.append(f"{where}{key}: {item_types} is none of {sorted(ranges)}")
                problems += schema_problems(item, f"{where}{key}.")
    return problems


def extract(client, url: str) -> tuple[list[dict], dict[str, list[str]]]:
    """The page's JSON-LD items and Open Graph properties (name -> values), read by extruct."""
    response = client.get(url)
    assert response.status_code == 200
    data = extruct.extract(response.content.decode(), base_url=f"http://testserver{url}",
                           syntaxes=["json-ld", "opengraph"])
    og: dict[str, list[str]] = {}
    for block in data["opengraph"]:
        for name, value in block["properties"]:
            og.setdefault(name, []).append(value)
    return data["json-ld"], og


def by_type(items: list[dict], name: str) -> dict:
    found = [item for item in items if item.get("@type") == name]
    assert len(found) == 1, f"expected one {name} in {items}"
    assert found[0]["@context"] == "https://schema.org"
    return found[0]


@pytest.fixture
def story(make_section, make_article, make_tag, make_source, make_author):
    world = make_section("World")
    russia = make_section("Russia", parent=world)
    article = make_article(
        "Kremlin announces talks",
        section=russia,
        published_at=datetime(2024, 12, 11, 7, 15, tzinfo=UTC),  # 09:15 in Sofia
        updated_at=datetime(2024, 12, 11, 12, 0, tzinfo=UTC),
        tags=[make_tag("Vladimir Putin", Tag.Kind.PERSON), make_tag("Moscow", Tag.Kind.PLACE)],
        sources=[make_source("NBC News", "https://www.nbcnews.com/"), make_source("Le Monde")],
        authors=[make_author("Ivan Petrov"), make_author("Ana Lee")],
        body="<p>The Kremlin said on Wednesday it would talk. Details followed.</p>",
    )
    ArticleNote.objects.create(article=article, kind=ArticleNote.Kind.CORRECTION,
                               text="An earlier version misspelt a minister's name.")
    return article


def test_article_page_describes_the_story_as_a_news_article(client, story):
    url = story.get_absolute_url()
    items, og = extract(client, url)
    news = by_type(items, "NewsArticle")
    crumbs = by_type(items, "BreadcrumbList")
    assert schema_problems(news) == []
    assert schema_problems(crumbs) == []

    page = f"http://testserver{url}"
    assert news["headline"] == "Kremlin announces talks"
    assert news["mainEntityOfPage"] == {"@type": "WebPage", "@id": page}
    assert news["datePublished"] == "2024-12-11T09:15:00+02:00"
    assert news["dateModified"] == "2024-12-11T14:00:00+02:00"
    assert OFFSET_TIME.match(news["datePublished"]) and OFFSET_TIME.match(news["dateModified"])
    assert news["articleSection"] == "World » Russia"
    assert sorted(news["keywords"]) == ["Moscow", "Vladimir Putin"]
    assert sorted((a["@type"], a["name"], a["url"]) for a in news["author"]) == [
        ("Person", "Ana Lee", "http://testserver/authors/ana-lee/"),
        ("Person", "Ivan Petrov", "http://testserver/authors/ivan-petrov/"),
    ]
    assert news["isBasedOn"] == [
        {"@type": "CreativeWork", "name": "Le Monde"},
        {"@type": "CreativeWork", "name": "NBC News", "url": "https://www.nbcnews.com/"},
    ]
    publisher = news["publisher"]
    assert publisher["name"] == "Dateline"
    logo = publisher["logo"]["url"]
    assert logo.startswith("http://testserver/static/") and logo.endswith(".png")
    assert finders.find("site/logo.png"), "the publisher's logo is a real static file"
    assert "image" not in news  # the site has no story images yet, and invents none
    # Its sources only informed it: the rights are the house's.
    assert news["copyrightHolder"] == {"@type": "Organization", "name": "Dateline"}
    assert (news["copyrightYear"], news["isAccessibleForFree"]) == (2024, True)

    assert [(c["position"], c["name"], c["item"]) for c in crumbs["itemListElement"]] == [
        (1, "World", "http://testserver/section/world/"),
        (2, "Russia", "http://testserver/section/world/russia/"),
    ]

    assert og["og:type"] == ["article"]
    assert og["og:title"] == ["Kremlin announces talks"]
    assert og["og:url"] == [page]
    assert og["og:site_name"] == ["Dateline"]
    assert og["og:description"] == [story.teaser]
    assert og["article:published_time"] == ["2024-12-11T09:15:00+02:00"]
    assert og["article:section"] == ["World » Russia"]
    assert sorted(og["article:tag"]) == ["Moscow", "Vladimir Putin"]
    html = client.get(url).content.decode()
    assert '<meta name="twitter:card" content="summary">' in html
    assert '<meta name="twitter:title" content="Kremlin announces talks">' in html


def test_agency_copy_is_authored_and_owned_by_the_agency(client, make_article):
    reuters = Source.objects.create(name="Reuters", url="https://www.reuters.com/",
                                    rights_holder="Reuters")
    article = make_article("Bahia cocoa review", sources=[reuters],
                           published_at=datetime(1987, 2, 26, 13, 1, tzinfo=UTC))
    items, _ = extract(client, article.get_absolute_url())
    news = by_type(items, "NewsArticle")
    assert schema_problems(news) == []
    assert news["author"] == [
        {"@type": "Organization", "name": "Reuters", "url": "https://www.reuters.com/"}]
    assert news["copyrightHolder"] == {"@type": "Organization", "name": "Reuters"}
    assert news["copyrightNotice"] == "Copyright Reuters. All rights reserved."
    assert news["copyrightYear"] == 1987
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<span class="byline-agency" dir="auto">Reuters</span>' in html
    assert 'rel="author"' not in html


def test_the_copyright_year_is_the_notice_s_and_none_is_made_up_from_an_import(
    client, make_article
):
    """An archive story imported today said "copyrightYear": 2026 beside "Copyright 1987
    Reuters": the year came from its import time, which stands in for the date its source
    never gave."""
    reuters = Source.objects.create(name="Reuters", rights_holder="Reuters",
                                    copyright_notice="Copyright 1987 Reuters.")
    dated = make_article("Cocoa review", sources=[reuters], published_at_is_import_time=True)
    news = by_type(extract(client, dated.get_absolute_url())[0], "NewsArticle")
    assert (news["copyrightYear"], news["copyrightNotice"]) == (1987, "Copyright 1987 Reuters.")

    undated = make_article("Budget talks", published_at_is_import_time=True)
    news = by_type(extract(client, undated.get_absolute_url())[0], "NewsArticle")
    assert "copyrightYear" not in news and schema_problems(news) == []


def test_a_story_whose_source_gave_no_date_claims_none(client, make_article):
    """An undated archive story said "datePublished" (and og's published_time) of its
    import: search engines took 2004's stories for today's news, where the page and the
    feeds said the source gave no date."""
    from django.utils import timezone

    undated = make_article("Budget talks", published_at_is_import_time=True)
    items, og = extract(client, undated.get_absolute_url())
    news = by_type(items, "NewsArticle")
    assert "datePublished" not in news and "dateModified" not in news
    assert "article:published_time" not in og and "article:modified_time" not in og
    assert schema_problems(news) == []
    # Updated by the desk since: that time is its own, and said.
    updated = make_article("Budget agreed", published_at_is_import_time=True,
                           updated_at=timezone.now())
    items, og = extract(client, updated.get_absolute_url())
    news = by_type(items, "NewsArticle")
    assert "dateModified" in news and "datePublished" not in news
    assert og["article:modified_time"]


def test_a_story_crediting_no_one_is_authored_by_the_house(client, make_article):
    """Google's Article guidelines want an author; the house's own copy names the house."""
    article = make_article("Parliament sits late")
    items, _ = extract(client, article.get_absolute_url())
    news = by_type(items, "NewsArticle")
    assert schema_problems(news) == []
    assert news["author"] == [
        {"@type": "Organization", "name": "Dateline", "url": "http://testserver/"}]


def test_section_and_home_pages_carry_breadcrumbs_and_the_publisher(client, story):
    items, _ = extract(client, "/section/world/russia/")
    crumbs = by_type(items, "BreadcrumbList")
    assert schema_problems(crumbs) == []
    assert [c["name"] for c in crumbs["itemListElement"]] == ["World", "Russia"]

    items, _ = extract(client, "/")
    organisation = by_type(items, "NewsMediaOrganization")
    assert schema_problems(organisation) == []
    assert organisation["url"] == "http://testserver/"


def test_the_checker_itself_catches_wrong_markup():
    """Without this, a vocabulary that loaded nothing would let every page pass."""
    wrong = {"@type": "NewsArticle", "headline": "x", "price": 3, "colour": "red",
             "author": {"@type": "Place", "name": "Sofia"}}
    assert schema_problems(wrong) == [
        "price does not apply to NewsArticle",
        "colour is not a schema.org property",
        "author: ['Place'] is none of ['Organization', 'Person']",
    ]
    assert schema_problems({"@type": "NewsArticel"}) == [
        "@type NewsArticel is not a schema.org type"
    ]


def test_a_headline_cannot_break_out_of_the_json_ld(client, make_article):
    headline = 'Talks end </script><script>alert("x")</script> & <!-- more'
    article = make_article(headline)
    html = client.get(article.get_absolute_url()).content.decode()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 2
    assert all("<" not in b and ">" not in b and "&" not in b for b in blocks)
    assert json.loads(blocks[0])["headline"] == headline
    assert "<script>alert" not in html


def test_main_pages_name_their_canonical_url_and_describe_themselves(
    client, settings, story, make_article
):
    settings.DATELINE_PAGE_SIZE = 1
    make_article("Another Russia story", section=story.section)
    for path, canonical in [
        ("/", "/"),
        ("/section/world/", "/section/world/"),
        ("/section/world/?page=2", "/section/world/?page=2"),
        ("/places/moscow/", "/places/moscow/"),
        ("/authors/ivan-petrov/", "/authors/ivan-petrov/"),
        (story.get_absolute_url(), story.get_absolute_url()),
    ]:
        html = client.get(path).content.decode()
        assert html.count('rel="canonical"') == 1, path
        assert f'<link rel="canonical" href="http://testserver{canonical}">' in html, path
        description = re.search(r'<meta name="description" content="([^"]*)">', html)
        assert description and description.group(1).strip(), path


@pytest.mark.parametrize("path", ["story", "/section/world/", "/places/moscow/", "/"])
def test_pages_name_the_sites_own_address_whatever_host_they_were_asked_on(client, story,
                                                                          path):
    """Every name the site answers to declared itself canonical (rel=canonical, og:url, the
    JSON-LD's url), splitting one page into as many for search engines and social networks."""
    path = story.get_absolute_url() if path == "story" else path
    client.get(path)  # the parts stored, as the first host's reader left them
    html = client.get(path, HTTP_HOST="localhost").content.decode()
    assert f'<link rel="canonical" href="http://testserver{path}">' in html
    assert f'<meta property="og:url" content="http://testserver{path}">' in html
    assert "http://localhost/articles/" not in html and "http://localhost/section/" not in html
    for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
        assert "http://localhost/" not in block


@pytest.mark.django_db(transaction=True)
def test_the_cached_head_follows_edits_to_the_story_and_its_tags(client, story):
    url = story.get_absolute_url()
    client.get(url)  # stores the page and its parts
    story.headline = "Kremlin confirms talks"
    story.save()
    items, og = extract(client, url)
    assert by_type(items, "NewsArticle")["headline"] == "Kremlin confirms talks"
    assert og["og:title"] == ["Kremlin confirms talks"]
    # A renamed tag invalidates only its own key, which the head must name.
    tag = story.tags.get(name="Moscow")
    tag.name = "Moskva"
    tag.save()
    items, og = extract(client, url)
    assert sorted(by_type(items, "NewsArticle")["keywords"]) == ["Moskva", "Vladimir Putin"]
    assert sorted(og["article:tag"]) == ["Moskva", "Vladimir Putin"]

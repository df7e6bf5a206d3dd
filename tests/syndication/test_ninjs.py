"""The ninjs 3.1 formatter: every item it makes validates against IPTC's own schema."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import override_settings

from dateline.base.plugins import Registry
from dateline.newsroom import medtop
from dateline.newsroom.models import Section, Tag
from dateline.syndication.formatters import (
    AlreadyRegistered,
    Formatter,
    Ninjs31Formatter,
    registry,
)

from .ninjs_schema import FIXTURES, errors, load

SUITE = FIXTURES / "test_suite_3.1"


@pytest.mark.parametrize("sample", sorted((SUITE / "should_pass").glob("*.json")),
                         ids=lambda p: p.name)
def test_iptc_samples_that_should_pass_do(sample):
    assert errors(load(sample.relative_to(FIXTURES))) == []


@pytest.mark.parametrize("sample", sorted((SUITE / "should_fail").glob("*.json")),
                         ids=lambda p: p.name)
def test_iptc_samples_that_should_fail_do(sample):
    assert errors(load(sample.relative_to(FIXTURES))) != []


def test_the_geojson_reference_resolves_offline_and_is_checked():
    place = {"name": "Sofia", "geoJSON": {"type": "Point", "coordinates": [23.32, 42.69]}}
    assert errors({"uri": "urn:x:1", "places": [place]}) == []
    place["geoJSON"] = {"type": "Point", "coordinates": "nowhere"}
    assert errors({"uri": "urn:x:1", "places": [place]}) != []


def test_the_validator_checks_formats_and_unknown_properties():
    assert errors({"uri": "urn:x:1", "firstCreated": "yesterday"}) != []
    assert errors({"uri": "not a uri"}) != []
    assert errors({"uri": "urn:x:1", "links": []}) != []


@pytest.fixture
def story(make_article, make_section, make_tag, make_author, make_source):
    business = make_section("Business")
    Section.objects.filter(pk=business.pk).update(medtop="04000000")
    markets = make_section("Markets", parent=make_section("Economy", parent=business))
    return make_article(
        "Lev holds & markets rally", section=markets, dateline="SOFIA, May 3",
        body='<p onclick="x()">First sentence here. <script>alert(1)</script>Second.</p>',
        tags=[make_tag("Rumen Radev", Tag.Kind.PERSON), make_tag("Sofia", Tag.Kind.PLACE),
              make_tag("Bulgarian National Bank", Tag.Kind.ORGANISATION),
              make_tag("Currencies")],
        authors=[make_author("Ana Ivanova"), make_author("Ivan Petrov"),
                 make_author("Maria Popova")],
        sources=[make_source("Reuters", "https://www.reuters.com/"), make_source("BTA")],
    )


def format_one(article) -> dict:
    return Ninjs31Formatter(base_url="https://news.example/").format_all([article])[0]


def test_a_realistic_story_validates_and_says_everything(story, settings):
    settings.DATELINE_SITE_URL = "https://news.example"
    item = format_one(story)
    assert errors(item) == []
    assert item["uri"] == f"https://news.example/articles/{story.pk}/"
    assert item["type"] == "text" and item["pubStatus"] == "usable" and item["language"] == "en"
    assert item["headlines"] == [{"role": "main", "value": "Lev holds & markets rally"}]
    assert item["descriptions"][0]["value"] == "First sentence here."
    assert item["bodies"][0]["contentType"] == "text/html"
    body = item["bodies"][0]["value"]
    assert "script" not in body and "onclick" not in body
    assert item["by"] == "Ana Ivanova, Ivan Petrov and Maria Popova"
    assert item["located"] == "SOFIA, May 3"
    assert [p["name"] for p in item["people"]] == ["Rumen Radev"]
    assert [p["name"] for p in item["places"]] == ["Sofia"]
    assert item["places"][0]["uri"] == "https://news.example/places/sofia/"
    assert [o["name"] for o in item["organisations"]] == ["Bulgarian National Bank"]
    assert item["subjects"][0] == {
        "name": "economy, business and finance", "rel": "about",
        "uri": "http://cv.iptc.org/newscodes/mediatopic/04000000",
        "literal": "medtop:04000000", "creator": "editor",
    }
    assert [s["name"] for s in item["subjects"][1:]] == ["Currencies"]
    assert item["infoSources"] == [
        {"name": "BTA", "role": "source"},
        {"name": "Reuters", "role": "source", "uri": "https://www.reuters.com/"},
    ]
    assert item["renditions"] == [{
        "name": "canonical", "contentType": "text/html", "title": story.headline,
        "href": f"https://news.example{story.get_absolute_url()}",
    }]
    assert item["firstCreated"].endswith("Z") and item["version"] == "1"


def test_a_bare_story_leaves_empty_properties_out_and_still_validates(make_article):
    item = format_one(make_article("Plain", body="<p></p>"))
    assert errors(item) == []
    assert item["by"] == "Dateline"  # the house's own copy
    for absent in ("people", "places", "organisations", "subjects", "infoSources",
                   "located", "descriptions"):
        assert absent not in item


def test_a_subsection_takes_its_nearest_ancestors_code_in_one_query(
        make_section, django_assert_num_queries):
    science = make_section("Science")
    Section.objects.filter(pk=science.pk).update(medtop="13000000")
    space = make_section("Space", parent=science)
    Section.objects.filter(pk=space.pk).update(medtop="13010000")
    mars = make_section("Mars", parent=space)
    moons = make_section("Moons", parent=science)
    world = make_section("World")
    sport = make_section("Sport")  # no code of its own: the default for its slug
    football = make_section("Football", parent=sport)
    with django_assert_num_queries(1):
        codes = medtop.codes_for([science, space, mars, moons, world, football])
    assert codes == {science.pk: "13000000", space.pk: "13010000", mars.pk: "13010000",
                     moons.pk: "13000000", football.pk: "15000000"}


def test_the_data_migration_codes_the_demo_root_sections(make_section):
    roots = {slug: make_section(slug.title()) for slug in ("business", "technology", "world")}
    make_section("Business", parent=roots["world"])
    migration = importlib.import_module("dateline.newsroom.migrations.0007_section_medtop")
    migration.set_demo_medtops(django_apps, connection.schema_editor())
    assert dict(Section.objects.values_list("path", "medtop")) == {
        "business": "04000000", "technology": "13000000", "world": "", "world/business": "",
    }


def test_the_registry_refuses_a_second_formatter_of_the_same_name():
    assert registry.get("ninjs31") is Ninjs31Formatter
    fresh = Registry("formatter", Formatter)
    fresh.register(Ninjs31Formatter)

    class Impostor(Formatter):
        name = "ninjs31"

    with pytest.raises(AlreadyRegistered, match="already registered"):
        fresh.register(Impostor)


class Plain(Formatter):
    """A formatter that a deployment adds by its dotted path."""

    name = "plain"

    def format(self, article):
        return {"headline": article.headline}


def test_settings_add_a_formatter_by_path_and_cannot_take_a_built_in_name():
    path = f"{__name__}.Plain"
    with override_settings(DATELINE_SYNDICATION_FORMATTERS={"plain": path}):
        assert registry.get("plain") is Plain
        assert registry.names() == ["ninjs15", "ninjs16", "ninjs21", "ninjs31", "plain"]
    with override_settings(DATELINE_SYNDICATION_FORMATTERS={"ninjs31": path}), pytest.raises(
        AlreadyRegistered, match=r"ninjs31.*Ninjs31Formatter.*Plain"
    ):
        registry.get("ninjs31")
    assert registry.names() == ["ninjs15", "ninjs16", "ninjs21", "ninjs31"]


def test_a_newer_ninjs_version_is_a_subclass(story):
    class Shouting(Ninjs31Formatter):
        name = "shouting"

        def _format_headlines(self, article):
            return [{"value": article.headline.upper()}]

    item = Shouting().format_all([story])[0]
    assert item["headlines"] == [{"value": "LEV HOLDS & MARKETS RALLY"}]


def test_an_imported_story_is_created_no_later_than_it_was_published(make_article):
    story = make_article("Old wire", age=timedelta(days=400))
    item = format_one(story)
    assert item["contentCreated"] == item["firstCreated"]

"""Every ninjs generation the wire offers (1.5, 1.6, 2.1, 3.1) validates against IPTC's own
schema for it and carries the same story: headline, body, credit, dates, entities, rights."""

import pytest
from django.test import override_settings

from dateline.newsroom.models import Section, Source, Tag
from dateline.syndication.formatters import registry

from .ninjs_schema import errors, load, suite

VERSIONS = ["1.5", "1.6", "2.1", "3.1"]


def formatter(version: str):
    return registry.get("ninjs" + version.replace(".", ""))(base_url="https://news.example/")


@pytest.mark.parametrize("version", ["1.5", "1.6", "2.1"])
def test_iptc_samples_of_each_version_pass_and_fail_as_iptc_says(version):
    folder = suite(version)
    passing = sorted((folder / "should_pass").glob("*.json"))
    failing = sorted((folder / "should_fail").glob("*.json"))
    assert passing and failing
    for sample in passing:
        assert errors(load(sample), version) == [], sample.name
    for sample in failing:
        assert errors(load(sample), version) != [], sample.name


@pytest.fixture
def story(make_article, make_section, make_tag, make_author, make_source):
    business = make_section("Business")
    Section.objects.filter(pk=business.pk).update(medtop="04000000")
    return make_article(
        "Lev holds & markets rally", section=make_section("Markets", parent=business),
        dateline="SOFIA, May 3", is_breaking=True,
        body="<p>First sentence here. Second.</p>",
        tags=[make_tag("Rumen Radev", Tag.Kind.PERSON), make_tag("Sofia", Tag.Kind.PLACE),
              make_tag("Bulgarian National Bank", Tag.Kind.ORGANISATION),
              make_tag("Currencies")],
        authors=[make_author("Ana Ivanova")],
        sources=[make_source("Reuters", "https://www.reuters.com/")],
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_a_realistic_story_validates_in_every_version(story, version, settings):
    settings.DATELINE_SITE_URL = "https://news.example"
    item = formatter(version).format_all([story])[0]
    assert errors(item, version) == []
    assert item["uri"] == f"https://news.example/articles/{story.pk}/"
    standard = item.get("standard") or item["$standard"]
    assert standard == {"name": "ninjs", "version": version,
                        "schema": f"http://www.iptc.org/std/ninjs/ninjs-schema_{version}.json"}


@pytest.mark.parametrize("version", VERSIONS)
def test_a_bare_story_validates_in_every_version(make_article, version):
    item = formatter(version).format_all([make_article("Plain", body="<p></p>")])[0]
    assert errors(item, version) == []


def test_each_generation_names_the_same_facts_its_own_way(story):
    one, two, three = (formatter(v).format_all([story])[0] for v in ("1.6", "2.1", "3.1"))
    assert one["headline"] == "Lev holds & markets rally"
    assert two["headlines"] == three["headlines"] == [
        {"role": "main", "value": "Lev holds & markets rally"}]
    assert one["body_html"] == two["bodies"][0]["value"] == three["bodies"][0]["value"]
    assert two["bodies"][0]["contenttype"] == three["bodies"][0]["contentType"] == "text/html"
    assert one["description_text"] == two["descriptions"][0]["value"] == "First sentence here."
    assert one["byline"] == two["by"] == three["by"] == "Ana Ivanova"
    assert one["firstcreated"] == two["firstcreated"] == three["firstCreated"]
    assert one["versioncreated"] == two["versioncreated"] == three["versionCreated"]
    assert one["urgency"] == two["urgency"] == three["urgency"] == 1  # breaking
    assert one["representationtype"] == "complete"
    assert two["representationtype"] == three["representationType"] == "full"
    assert one["place"] == [{"name": "Sofia", "rel": "about", "code": "sofia",
                             "scheme": "https://news.example/places/"}]
    assert [p["name"] for p in two["places"]] == [p["name"] for p in three["places"]]
    assert one["subject"][0] == {
        "name": "economy, business and finance", "rel": "about", "code": "medtop:04000000",
        "scheme": "http://cv.iptc.org/newscodes/mediatopic/", "creator": "editor"}
    assert [s["name"] for s in one["subject"]] == [s["name"] for s in three["subjects"]]
    assert [p["name"] for p in one["person"]] == ["Rumen Radev"]
    assert [o["name"] for o in one["organisation"]] == ["Bulgarian National Bank"]
    assert one["infosource"] == [{"name": "Reuters", "rel": "source",
                                  "code": "https://www.reuters.com/"}]
    assert two["infosources"] == three["infoSources"]
    page = f"https://news.example{story.get_absolute_url()}"
    assert one["renditions"] == {"canonical": {"href": page, "mimetype": "text/html"}}
    assert two["renditions"] == [{"name": "canonical", "href": page,
                                  "contenttype": "text/html"}]
    assert three["renditions"][0]["href"] == page


RIGHTS_NAMES = {"1.6": ("copyrightholder", "copyrightnotice", "usageterms"),
                "2.1": ("copyrightholder", "copyrightnotice", "usageterms"),
                "3.1": ("copyrightHolder", "copyrightNotice", "usageTerms")}


@override_settings(DATELINE_RIGHTS_HOLDER="Dateline Ltd",
                   DATELINE_COPYRIGHT_NOTICE="(c) 2026 Dateline Ltd",
                   DATELINE_USAGE_TERMS="Partners only.")
@pytest.mark.parametrize("version", RIGHTS_NAMES)
def test_every_generation_carries_the_houses_rights_or_the_sources(make_article, version):
    names = RIGHTS_NAMES[version]
    house = formatter(version).format_all([make_article("Staff story")])[0]
    assert [house[n] for n in names] == ["Dateline Ltd", "(c) 2026 Dateline Ltd",
                                        "Partners only."]
    agency = Source.objects.create(name="Reuters", rights_holder="Reuters",
                                   usage_terms="Reuters subscribers only.")
    wire = formatter(version).format_all([make_article("Wire story", sources=[agency])])[0]
    assert [wire[n] for n in names] == ["Reuters", "Copyright Reuters. All rights reserved.",
                                       "Reuters subscribers only."]
    assert errors(wire, version) == []


@override_settings(DATELINE_SITE_NAME="Balkan Wire")
@pytest.mark.parametrize("version", VERSIONS)
def test_a_story_crediting_no_one_carries_the_house_as_its_byline(make_article, version):
    """No author, no byline written out, no source: the agency's own copy, "By Balkan Wire"
    on a partner's screen (Superdesk reads `byline`), never an empty credit."""
    item = formatter(version).format_all([make_article("Staff story")])[0]
    assert item["byline" if version.startswith("1") else "by"] == "Balkan Wire"
    assert errors(item, version) == []

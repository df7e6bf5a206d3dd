"""A Superdesk partner configured for ninjs ingests the wire (?version=1, or its default).

Superdesk's NINJSFeedParser (superdesk-core, superdesk/io/feed_parsers/ninjs.py) reads one
ninjs 1.x object per document. `superdesk_reads` below takes from an item exactly what that
parser takes, the same way (renditions with .items(), dates with its three strptime forms,
subjects and places as code/name/scheme), so a field it would miss or crash on fails here.
"""

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import pytest
from django.conf import settings

from dateline.newsroom.models import Section, Source, Tag

from .ninjs_schema import errors
from .test_api import make_key  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

# The values the parser copies as they are.
DIRECT = ("usageterms", "language", "headline", "copyrightnotice", "urgency", "pubstatus",
          "mimetype", "copyrightholder", "ednote", "body_text", "body_html", "slugline",
          "keywords", "extra", "byline", "description_text", "profile")
DATE_FORMATS = ("%Y-%m-%dT%H:%M:%S+0000", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S+00:00")


def superdesk_date(value: str) -> datetime:
    for form in DATE_FORMATS:
        try:
            return datetime.strptime(value, form).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise AssertionError(f"Superdesk cannot read the date {value!r}")


def qcodes(entries: list[dict]) -> list[dict]:
    return [{"name": e.get("name"), "qcode": e.get("code"), "scheme": e.get("scheme")}
            for e in entries]


def superdesk_reads(ninjs: dict) -> dict:
    """The story Superdesk's parser builds from one ninjs 1.x document."""
    assert ninjs.get("uri") or ninjs.get("guid")  # its can_parse()
    guid = ninjs.get("guid")
    if not guid:  # generate_tag_from_url(uri, "urn")
        url = urlparse(ninjs["uri"])
        guid = f"urn:{url.netloc}:{url.path.lstrip('/').replace('/', ':')}"
    story = {"guid": guid, "type": ninjs.get("type"), "uri": ninjs.get("uri")}
    story.update({name: ninjs[name] for name in DIRECT if ninjs.get(name) is not None})
    for name in ("subject", "place", "genre"):
        if ninjs.get(name):
            story[name] = qcodes(ninjs[name])
    for name in ("versioncreated", "firstcreated", "embargoed"):
        if ninjs.get(name):
            story[name] = superdesk_date(ninjs[name])
    for key, associated in ninjs.get("associations", {}).items():  # an object, or it crashes
        superdesk_reads(associated)
        held = dict(associated)
        if associated.get("type") == "picture" and associated.get("body_text"):
            held["alt_text"] = associated["body_text"]  # its convention for a picture's alt
        story.setdefault("associations", {})[key] = held
    if ninjs.get("renditions"):
        story["renditions"] = {
            name: {k: v for k, v in data.items() if k in ("href", "mimetype")}
            for name, data in ninjs["renditions"].items()  # an object, or it crashes
        }
    if ninjs.get("located"):
        story["dateline"] = {"located": {"city": ninjs["located"]}}
    if ninjs.get("type") == "text" and ninjs.get("description_text"):
        story["abstract"] = ninjs["description_text"]
    return story


def superdesk_takes_again(item: dict, held: dict) -> bool:
    """superdesk-core's update_ingest.is_new_version on what its parser makes of the two
    items: a stored item is replaced and routed to the desks again only when this is true.
    The parser keeps no `version`, so the later `versioncreated` decides (to the second)."""
    new, old = superdesk_reads(item), superdesk_reads(held)
    for field in ("version", "versioncreated"):
        if new.get(field) and old.get(field):
            try:
                return int(new[field], 10) > int(old[field], 10)
            except (ValueError, TypeError):
                return new[field] > old[field]
    return any(value is not None and old.get(name) != value for name, value in new.items())


def went_out_earlier(story, seconds: int = 60) -> None:
    """As if the story had come out, and last changed, `seconds` ago: a partner's copy is
    older than what the test does next, as it is outside a test (times go to the second)."""
    from django.utils import timezone

    then = timezone.now() - timedelta(seconds=seconds)
    rows = type(story).objects.filter(pk=story.pk)
    rows.update(wire_changed_at=then, modified_at=then)
    rows.filter(published_at__gt=then).update(published_at=then)
    story.refresh_from_db()


@pytest.fixture
def superdesk(client, make_key, tmp_path):  # noqa: F811
    """GET as a Superdesk ingest would: the document saved, then read back as JSON."""
    _, token = make_key()

    def fetch(url: str) -> dict:
        response = client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.content
        document = tmp_path / "item.json"
        document.write_bytes(response.content)
        return json.loads(document.read_text())

    return fetch


@pytest.fixture
def story(make_article, make_section, make_tag, make_author, make_source):
    business = make_section("Business")
    Section.objects.filter(pk=business.pk).update(medtop="04000000")
    return make_article(
        "Lev holds & markets rally", section=business, dateline="SOFIA",
        body="<p>First sentence here. Second.</p>", age=timedelta(hours=2),
        tags=[make_tag("Sofia", Tag.Kind.PLACE), make_tag("Currencies")],
        authors=[make_author("Ana Ivanova"), make_author("Ivan Petrov")],
    )


def test_superdesk_turns_a_wire_item_into_a_whole_story(superdesk, story, settings):
    settings.DATELINE_SITE_URL = "https://news.example"  # the item's identity, on any host
    ninjs = superdesk(f"/api/ninjs/{story.pk}?version=1")
    assert errors(ninjs, "1.6") == []
    got = superdesk_reads(ninjs)
    assert got["guid"] == f"urn:news.example:articles:{story.pk}:"
    assert got["uri"] == f"https://news.example/articles/{story.pk}/"
    assert got["type"] == "text"
    assert got["headline"] == "Lev holds & markets rally"
    assert got["body_html"] == "<p>First sentence here. Second.</p>"
    assert got["abstract"] == got["description_text"] == "First sentence here."
    assert got["byline"] == "Ana Ivanova and Ivan Petrov"
    assert got["firstcreated"] == story.published_at.replace(microsecond=0)
    # The time this version reached partners: its last save, here after its publication.
    assert got["versioncreated"] == story.wire_changed_at.replace(microsecond=0)
    assert got["pubstatus"] == "usable" and got["language"] == "en"
    assert got["urgency"] == 5 and got["slugline"] == story.slug
    assert got["subject"] == [
        {"name": "economy, business and finance", "qcode": "medtop:04000000",
         "scheme": "http://cv.iptc.org/newscodes/mediatopic/"},
        {"name": "Currencies", "qcode": "currencies", "scheme": "http://testserver/topics/"},
    ]
    assert got["place"] == [
        {"name": "Sofia", "qcode": "sofia", "scheme": "http://testserver/places/"}]
    assert got["dateline"] == {"located": {"city": "SOFIA"}}
    assert got["renditions"] == {"canonical": {
        "href": f"http://testserver{story.get_absolute_url()}", "mimetype": "text/html"}}
    assert got["copyrightholder"] and got["copyrightnotice"] and got["usageterms"]


def test_each_item_of_a_page_is_a_document_superdesk_reads(superdesk, story, make_article):
    wire = make_article("Oil prices climb", sources=[Source.objects.create(
        name="Reuters", rights_holder="Reuters")])
    page = superdesk("/api/ninjs/?version=1")["items"]
    stories = {item["uri"]: superdesk_reads(item) for item in page}
    assert len(stories) == 2
    copy = stories[f"{settings.DATELINE_SITE_URL}/articles/{wire.pk}/"]
    assert copy["byline"] == "Reuters" and copy["copyrightholder"] == "Reuters"
    assert copy["headline"] == "Oil prices climb" and copy["body_html"]


def test_a_partner_whose_default_is_1x_needs_no_parameter(superdesk, story):
    from dateline.syndication.models import Partner

    Partner.objects.update(ninjs_version="1.6")
    assert superdesk_reads(superdesk(f"/api/ninjs/{story.pk}"))["headline"] == story.headline


@pytest.mark.parametrize("how", ["withdrawn", "deleted"])
def test_a_story_taken_down_reaches_superdesk_as_the_same_item_canceled(
        superdesk, story, make_user, monkeypatch, how):
    """The changes feed in 1.x: Superdesk finds the item it ingested by its guid, now
    pubstatus canceled (its ingest then kills its copy), whether the story was withdrawn
    (Unpublish) or deleted outright."""
    from django.utils import timezone

    from dateline.newsroom.actions import TRANSITIONS
    from dateline.syndication.api import params

    monkeypatch.setattr(params, "CHANGES_SETTLE_SECONDS", 0)
    went_out_earlier(story)
    held = superdesk(f"/api/ninjs/{story.pk}?version=1")
    taken = superdesk_reads(held)
    since = timezone.now()
    if how == "withdrawn":
        TRANSITIONS["unpublish"].execute(make_user("Chief editor", "chief"), story)
    else:
        story.delete()
    page = superdesk(f"/api/ninjs/changes?version=1&since={since:%Y-%m-%dT%H:%M:%S.%fZ}")
    (item,) = page["items"]
    assert errors(item, "1.6") == []
    withdrawn = superdesk_reads(item)
    assert withdrawn["guid"] == taken["guid"] and withdrawn["pubstatus"] == "canceled"
    assert withdrawn["headline"] == taken["headline"] and "body_html" not in withdrawn
    assert withdrawn["versioncreated"] > taken["versioncreated"]
    assert superdesk_takes_again(item, held)

"""A story's lead photo in the feeds: Media RSS and an enclosure in RSS and Atom, `image` in JSON
Feed, read back by feedparser, with the real JPEG rendition's URL, size and bytes; a story
without a photo, or whose photo has no renditions yet, is written as before."""

import html
import json
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.core.files.storage import storages

from dateline.pictures.library import add_photo
from dateline.pictures.models import Rendition, StoryPhoto
from dateline.pictures.tasks import make_renditions
from tests.conftest import require_shared

from .test_api import make_key  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

IPTC_SAMPLE = "corpus/photos/IPTC-PhotometadataRef-Std2017.1.jpg"
MEDIA = "{http://search.yahoo.com/mrss/}"


@pytest.fixture
def library_photo():
    """IPTC's reference photo, added as the desk adds it, with the worker's renditions."""
    path = require_shared(IPTC_SAMPLE)
    with path.open("rb") as file:
        photo, created = add_photo(file, name=path.name)
    assert created
    assert make_renditions.call(photo.pk)["made"] > 0
    photo.alt_text = "The IPTC reference photo"
    photo.save(update_fields=["alt_text"])
    return photo


@pytest.fixture
def pictured(make_article, library_photo):
    """A story with the photo as its lead, under its own caption, and one without a photo."""
    plain = make_article("Budget passes without a picture")
    story = make_article("Harbour reopens after the storm")
    StoryPhoto.objects.create(article=story, photo=library_photo, caption="The harbour at dawn.")
    return story, plain, library_photo


def jpeg_16x9(photo, width: int | None = None) -> Rendition:
    """The 16:9 JPEG a feed should carry: the smallest 1200 px wide, else the widest."""
    made = list(photo.renditions.filter(shape="16x9", format="jpeg").order_by("width"))
    assert made
    return next((r for r in made if r.width >= 1200), made[-1])


def parsed_entries(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return {entry.title: entry for entry in feed.entries}


@pytest.mark.parametrize("url", ["/feeds/rss/", "/feeds/atom/"])
def test_rss_and_atom_carry_the_lead_photo_as_media_content_and_an_enclosure(client, pictured,
                                                                            url):
    story, plain, photo = pictured
    rendition = jpeg_16x9(photo)
    entries = parsed_entries(client, url)
    entry = entries[story.headline]
    expected = f"http://testserver{rendition.file.url}"
    assert entry.media_content == [{
        "url": expected, "medium": "image", "type": "image/jpeg",
        "width": str(rendition.width), "height": str(rendition.height),
        "filesize": str(rendition.size)}]
    assert entry.media_credit[0]["content"] == photo.credit  # read from the file's IPTC
    assert photo.credit
    enclosures = [link for link in entry.links if link.rel == "enclosure"]
    assert [(e.href, e.type, e.length) for e in enclosures] == [
        (expected, "image/jpeg", str(rendition.size))]
    # The length is the file's own: what a reader downloads is what the feed said.
    with storages["default"].open(rendition.file.name, "rb") as handle:
        assert len(handle.read()) == rendition.size
    # The teaser stays the entry's summary, the photo's words do not replace it.
    assert entry.summary == story.teaser
    plain_entry = entries[plain.headline]
    assert "media_content" not in plain_entry and "media_thumbnail" not in plain_entry
    assert not [link for link in plain_entry.links if link.rel == "enclosure"]


def test_rss_writes_the_caption_credit_and_thumbnail_inside_media_content(client, pictured):
    story, _, photo = pictured
    document = ET.fromstring(client.get("/feeds/rss/").content)
    items = {item.findtext("title"): item for item in document.iter("item")}
    media = items[story.headline].findall(f"{MEDIA}content")
    assert len(media) == 1
    assert media[0].findtext(f"{MEDIA}description") == "The harbour at dawn."
    assert media[0].find(f"{MEDIA}description").get("type") == "plain"
    assert media[0].findtext(f"{MEDIA}credit") == photo.credit
    assert media[0].findtext(f"{MEDIA}copyright") == photo.copyright_notice
    thumbnail = media[0].find(f"{MEDIA}thumbnail")
    small = photo.renditions.get(shape="4x3", format="jpeg", width=320)
    assert thumbnail.attrib == {"url": f"http://testserver{small.file.url}",
                                "width": "320", "height": str(small.height)}
    # One enclosure (RSS allows no more), the same file as media:content.
    enclosure = items[story.headline].findall("enclosure")
    assert len(enclosure) == 1 and enclosure[0].get("url") == media[0].get("url")


def test_a_caption_a_reader_would_take_for_html_is_sent_as_html_of_its_text(client, pictured):
    """Declared "plain", a caption with a closing tag was still read as HTML by feedparser."""
    story, _, _ = pictured
    StoryPhoto.objects.filter(article=story).update(caption="Seen <i>at</i> dawn &amp; dusk")
    entry = feedparser.parse(client.get("/feeds/rss/").content).entries[0]
    description = ET.fromstring(client.get("/feeds/rss/").content).find(
        f".//{MEDIA}description")
    assert description.get("type") == "html"
    assert html.unescape(description.text) == "Seen <i>at</i> dawn &amp; dusk"
    assert entry.title == story.headline


def test_full_content_keeps_the_body_as_the_content_beside_the_photo(client, settings, pictured):
    settings.DATELINE_FEED_FULL_CONTENT = True
    story, _, _ = pictured
    entry = parsed_entries(client, "/feeds/rss/")[story.headline]
    assert entry.content[0].value == story.body
    assert entry.summary == story.teaser and entry.media_content


def test_json_feed_items_have_the_photo_as_image_and_banner_image(client, pictured):
    story, plain, photo = pictured
    items = {item["title"]: item for item in json.loads(client.get("/feeds/json/").content)[
        "items"]}
    expected = f"http://testserver{jpeg_16x9(photo).file.url}"
    assert items[story.headline]["image"] == expected
    assert items[story.headline]["banner_image"] == expected
    assert "image" not in items[plain.headline] and "banner_image" not in items[plain.headline]


def test_section_and_tag_feeds_carry_the_photo_too(client, pictured, make_tag):
    story, _, photo = pictured
    tag = make_tag("Harbours")
    story.tags.add(tag)
    expected = f"http://testserver{jpeg_16x9(photo).file.url}"
    for prefix in (story.section.get_absolute_url(), tag.get_absolute_url()):
        entry = parsed_entries(client, f"{prefix}feed/rss/")[story.headline]
        assert entry.media_content[0]["url"] == expected


def test_before_the_worker_made_renditions_the_story_has_no_photo_element(client, make_article):
    path = require_shared(IPTC_SAMPLE)
    with path.open("rb") as file:
        photo, _ = add_photo(file, name=path.name)
    story = make_article("Photo still being processed")
    StoryPhoto.objects.create(article=story, photo=photo)
    response = client.get("/feeds/rss/")
    assert b"mrss" not in response.content and b"<enclosure" not in response.content
    assert photo.original.name not in response.content.decode()
    item = json.loads(client.get("/feeds/json/").content)["items"][0]
    assert item["title"] == story.headline and "image" not in item


def test_a_feed_of_many_pictured_stories_reads_their_photos_in_a_fixed_number_of_queries(
        client, make_article, library_photo, django_assert_max_num_queries):
    for n in range(3):
        StoryPhoto.objects.create(article=make_article(f"Pictured {n}"), photo=library_photo)
    client.get("/feeds/rss/")  # warm the site and its caches
    with django_assert_max_num_queries(12) as few:
        client.get("/feeds/atom/")
    for n in range(3, 10):
        StoryPhoto.objects.create(article=make_article(f"Pictured {n}"), photo=library_photo)
    with django_assert_max_num_queries(len(few.captured_queries)):
        entries = parsed_entries(client, "/feeds/atom/")
    assert len(entries) == 10 and all(entry.media_content for entry in entries.values())


def test_a_cached_feed_and_wire_item_take_the_photo_once_its_renditions_are_made(
        client, make_article, make_key, django_capture_on_commit_callbacks):  # noqa: F811
    path = require_shared(IPTC_SAMPLE)
    with path.open("rb") as file:
        photo, _ = add_photo(file, name=path.name)
    story = make_article("Photo still being processed")
    StoryPhoto.objects.create(article=story, photo=photo)
    _, token = make_key()
    wire = {"Authorization": f"Bearer {token}"}
    assert "media_content" not in parsed_entries(client, "/feeds/rss/")[story.headline]
    assert "associations" not in client.get(f"/api/ninjs/{story.pk}", headers=wire).json()
    # The worker's renditions renew what names the story (the page cache's article key).
    with django_capture_on_commit_callbacks(execute=True):
        make_renditions.call(photo.pk)
    entry = parsed_entries(client, "/feeds/rss/")[story.headline]
    assert entry.media_content[0]["url"] == f"http://testserver{jpeg_16x9(photo).file.url}"
    item = client.get(f"/api/ninjs/{story.pk}", headers=wire).json()
    assert item["associations"][0]["type"] == "picture"

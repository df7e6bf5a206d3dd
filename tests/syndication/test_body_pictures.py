"""Photos placed in a story's body reach partners: in the wire's body, where the story's page
shows them, and as "picture-N" associations valid against IPTC's schema of every version; in
full-content feeds' text, read by feedparser. Partners lost every one of them before."""

import feedparser
import pytest

from dateline.pictures.models import StoryPhoto

from .ninjs_schema import errors
from .test_feed_pictures import jpeg_16x9, library_photo  # noqa: F401  (the fixture)
from .test_ninjs_pictures import BASE, VERSIONS, formatter

pytestmark = pytest.mark.django_db

BODY = ("<p>The storm closed the harbour on Monday.</p>"
        "<p>Boats returned on Wednesday morning.</p>")


@pytest.fixture
def in_body(make_article, library_photo):  # noqa: F811
    story = make_article("Harbour reopens after the storm", body=BODY)
    StoryPhoto.objects.create(article=story, photo=library_photo, role=StoryPhoto.Role.BODY,
                              after_paragraph=1, caption="Boats back in the harbour.",
                              credit="Dateline/Ann Lee")
    return story, library_photo


def figure_after_first_paragraph(body: str, src: str, alt: str) -> bool:
    """The photo's <figure> between the two paragraphs (its <img>'s attributes in any order:
    feedparser writes them sorted)."""
    rest = body.split("</p>", 1)[1]
    image = rest[:rest.index(">", len("<figure>")) + 1]
    return (rest.startswith("<figure><img ") and f'src="{src}"' in image
            and f'alt="{alt}"' in image and "Boats returned" in rest.split("</figure>", 1)[1])


@pytest.mark.parametrize("version", VERSIONS)
def test_a_body_photo_is_in_the_wire_s_body_and_associated(in_body, version):
    story, photo = in_body
    item = formatter(version).format_all([story])[0]
    assert errors(item, version) == []
    src = BASE + jpeg_16x9(photo).file.url
    if version.startswith("1."):
        body, picture = item["body_html"], item["associations"]["picture-1"]
        assert picture["description_text"] == "Boats back in the harbour."
    else:
        body = item["bodies"][0]["value"]
        picture = next(a for a in item["associations"] if a["name"] == "picture-1")
        assert picture["by"] == "Dateline/Ann Lee"
    assert picture["type"] == "picture"
    assert figure_after_first_paragraph(body, src, photo.alt_text)
    assert "<figcaption>Boats back in the harbour. Photo: Dateline/Ann Lee</figcaption>" in body


def test_full_content_feeds_carry_the_body_photo_in_place(client, in_body, settings):
    settings.DATELINE_FEED_FULL_CONTENT = True
    story, photo = in_body
    for url in ("/feeds/rss/", "/feeds/atom/"):
        feed = feedparser.parse(client.get(url).content)
        assert not feed.bozo
        entry = next(e for e in feed.entries if e.title == story.headline)
        text = entry.content[0].value
        src = f"http://testserver{jpeg_16x9(photo).file.url}"
        assert figure_after_first_paragraph(text, src, photo.alt_text), url

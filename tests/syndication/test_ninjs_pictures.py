"""A story's lead photo on the wire: a ninjs "picture" association with its JPEG renditions,
caption, credit and rights, valid against IPTC's schema of every version (1.5, 1.6, 2.1, 3.1);
a story without a photo has no association at all."""

import pytest

from dateline.pictures.models import StoryPhoto
from dateline.syndication.formatters import registry

from .ninjs_schema import errors
from .test_api import make_key  # noqa: F401  (the fixture)
from .test_feed_pictures import library_photo  # noqa: F401  (the fixture)
from .test_superdesk import superdesk, superdesk_reads  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

VERSIONS = ["1.5", "1.6", "2.1", "3.1"]
BASE = "https://news.example"


def formatter(version: str):
    return registry.get("ninjs" + version.replace(".", ""))(base_url=BASE + "/")


@pytest.fixture
def pictured(make_article, library_photo):  # noqa: F811
    story = make_article("Harbour reopens after the storm")
    StoryPhoto.objects.create(article=story, photo=library_photo, caption="The harbour at dawn.",
                              credit="Dateline/Ann Lee")
    return story, library_photo


def jpeg(photo, shape: str, width: int):
    """The JPEG rendition the wire should name: the smallest at least `width`, else the widest."""
    made = list(photo.renditions.filter(shape=shape, format="jpeg").order_by("width"))
    return next((r for r in made if r.width >= width), made[-1])


@pytest.mark.parametrize("version", VERSIONS)
def test_the_lead_photo_is_a_picture_association_valid_in_every_version(pictured, version):
    story, photo = pictured
    item = formatter(version).format_all([story])[0]
    assert errors(item, version) == []
    if version.startswith("1."):
        assert list(item["associations"]) == ["featuremedia"]
        picture = item["associations"]["featuremedia"]
    else:
        assert [a["name"] for a in item["associations"]] == ["featuremedia"]
        picture = item["associations"][0]
    assert picture["type"] == "picture"
    view = jpeg(photo, "16x9", 1200)
    thumbnail = jpeg(photo, "4x3", 320)
    expected = {"viewImage": view, "thumbnail": thumbnail}
    if version.startswith("1."):
        renditions = picture["renditions"]
        assert picture["description_text"] == "The harbour at dawn."
        assert picture["body_text"] == photo.alt_text
        assert picture["byline"] == "Dateline/Ann Lee"
        assert picture["copyrightnotice"] == photo.copyright_notice
        assert picture["usageterms"] == photo.usage_terms
        for name, rendition in expected.items():
            assert renditions[name] == {
                "href": BASE + rendition.file.url, "mimetype": "image/jpeg",
                "width": rendition.width, "height": rendition.height,
                "sizeinbytes": rendition.size}
    else:
        lower = version == "2.1"
        content_type = "contenttype" if lower else "contentType"
        renditions = {r["name"]: r for r in picture["renditions"]}
        assert {"role": "caption", content_type: "text/plain",
                "value": "The harbour at dawn."} in picture["descriptions"]
        assert {"role": "alt", content_type: "text/plain",
                "value": photo.alt_text} in picture["descriptions"]
        assert picture["by"] == "Dateline/Ann Lee"
        assert picture["copyrightnotice" if lower else "copyrightNotice"] == (
            photo.copyright_notice)
        assert picture["usageterms" if lower else "usageTerms"] == photo.usage_terms
        for name, rendition in expected.items():
            got = renditions[name]
            assert got["href"] == BASE + rendition.file.url
            assert got[content_type] == "image/jpeg"
            assert (got["width"], got["height"]) == (rendition.width, rendition.height)
            assert got["sizeinbytes" if lower else "sizeInBytes"] == rendition.size
        if not lower:
            assert renditions["viewImage"]["aspectRatio"] == "16:9"
            assert renditions["thumbnail"]["aspectRatio"] == "4:3"
    # The IPTC reference photo's own metadata filled the library's fields.
    assert photo.copyright_notice and photo.usage_terms
    # The picture names the widest file as taken, never the private original.
    widest = jpeg(photo, "free", 100_000)
    assert picture["uri"] == BASE + widest.file.url
    assert photo.original.name not in str(item)


@pytest.mark.parametrize("version", VERSIONS)
def test_a_story_without_a_photo_has_no_association(make_article, version):
    item = formatter(version).format_all([make_article("Budget passes")])[0]
    assert "associations" not in item
    assert errors(item, version) == []


@pytest.mark.parametrize("version", VERSIONS)
def test_a_photo_without_renditions_yet_gives_no_association(make_article, version):
    from dateline.pictures.library import add_photo
    from tests.conftest import require_shared

    path = require_shared("corpus/photos/rocket.jpg")
    with path.open("rb") as file:
        photo, _ = add_photo(file, name=path.name)
    story = make_article("Launch delayed")
    StoryPhoto.objects.create(article=story, photo=photo)
    item = formatter(version).format_all([story])[0]
    assert "associations" not in item


def test_the_library_caption_and_credit_stand_when_the_story_has_none(make_article,
                                                                       library_photo):  # noqa: F811
    story = make_article("Harbour reopens")
    StoryPhoto.objects.create(article=story, photo=library_photo)
    picture = formatter("3.1").format_all([story])[0]["associations"][0]
    caption = next(d["value"] for d in picture["descriptions"] if d["role"] == "caption")
    assert caption == library_photo.caption and caption
    # ninjs's `by` states the photographer: the library's creator, then its credit line
    # (the credit line alone went out as the photographer).
    assert library_photo.creator and library_photo.credit
    assert picture["by"] == f"{library_photo.creator} / {library_photo.credit}"


def test_the_api_serves_the_picture_and_superdesk_reads_it(superdesk, pictured):  # noqa: F811
    story, photo = pictured
    ninjs = superdesk(f"/api/ninjs/{story.pk}?version=1")
    assert errors(ninjs, "1.6") == []
    read = superdesk_reads(ninjs)  # the association is read like a story, and does not crash it
    # Superdesk takes a 1.x picture's body_text for its alt text: 1.x has no field of its own.
    assert read["associations"]["featuremedia"]["alt_text"] == photo.alt_text
    picture = ninjs["associations"]["featuremedia"]
    view = jpeg(photo, "16x9", 1200)
    assert picture["renditions"]["viewImage"]["href"] == f"http://testserver{view.file.url}"
    latest = superdesk("/api/ninjs/?version=3.1")["items"]
    assert errors(latest[0], "3.1") == []
    assert latest[0]["associations"][0]["renditions"][0]["href"] == (
        f"http://testserver{view.file.url}")


def test_a_page_of_pictured_stories_costs_the_same_queries_however_many(
        client, make_article, make_key, library_photo,  # noqa: F811
        django_assert_max_num_queries):
    _, token = make_key()
    wire = {"Authorization": f"Bearer {token}"}

    def file(n: int) -> None:
        for i in range(n):
            StoryPhoto.objects.create(article=make_article(f"Pictured {n}-{i}"),
                                      photo=library_photo)

    file(2)
    client.get("/api/ninjs/", headers=wire)  # the key's last use is stamped once a minute
    file(2)
    with django_assert_max_num_queries(14) as few:  # 13 before the body photos
        client.get("/api/ninjs/", headers=wire)
    file(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        items = client.get("/api/ninjs/", headers=wire).json()["items"]
    assert len(items) == 19 and all(item["associations"] for item in items)

"""How pages show a photo: <picture> markup, the nearest renditions before all exist, absolute
URLs for feeds, and the development view serving renditions with year-long caching."""

import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.template import Context, Template
from django.test import RequestFactory, override_settings

from dateline.pictures import renditions
from dateline.pictures.display import image_url, picture, renditions_of
from dateline.pictures.models import Rendition

from .renditions_helpers import jpeg, real_photo, store

pytestmark = pytest.mark.django_db


@pytest.fixture
def rendered():
    """A 1400 x 900 photo with every rendition the worker makes."""
    photo = store(jpeg(real_photo(1400, 900)))
    renditions.make_renditions(photo)
    return photo


def srcset_widths(srcset: str) -> list[int]:
    return [int(part.rsplit(" ", 1)[1].rstrip("w")) for part in srcset.split(", ")]


def test_picture_offers_avif_and_webp_sources_and_a_jpeg_img(rendered):
    html = str(picture(rendered, "4x3", "(min-width: 60em) 30em, 100vw", css_class="lead"))

    assert html.startswith("<picture>") and html.endswith("</picture>")
    sources = re.findall(r'<source type="([^"]+)" srcset="([^"]+)" sizes="([^"]+)">', html)
    assert [mime for mime, _, _ in sources] == ["image/avif", "image/webp"]
    for _, srcset, sizes in sources:
        assert srcset_widths(srcset) == [320, 640, 960, 1200]
        assert sizes == "(min-width: 60em) 30em, 100vw"
    img = re.search(r"<img ([^>]+)>", html)[1]
    assert srcset_widths(re.search(r'srcset="([^"]+)"', img)[1]) == [320, 640, 960, 1200]
    assert re.search(r'src="/media/pictures/[0-9a-f]{2}/[0-9a-f]{64}-960x720\.jpg"', img)
    assert 'width="960" height="720"' in img
    assert 'alt="A rocket on its pad"' in img
    assert 'loading="lazy"' in img and 'decoding="async"' in img and 'class="lead"' in img
    assert rendered.original.name not in html  # never the original


def test_picture_escapes_alt_text_and_takes_eager_loading(rendered):
    html = str(picture(rendered, alt='"Quoted" <b>', loading="eager"))
    assert 'alt="&quot;Quoted&quot; &lt;b&gt;"' in html and 'loading="eager"' in html


def test_before_the_worker_ran_there_is_no_image_and_then_the_nearest_one():
    photo = store(jpeg(real_photo(1400, 900)))
    assert str(picture(photo)) == ""
    assert image_url(photo, "16x9") is None

    storage = storages["default"]
    name = storage.save("pictures/ab/ab" + "0" * 62 + "-640x411.jpg", ContentFile(b"x"))
    Rendition.objects.create(photo=photo, shape="free", format="jpeg", width=640, height=411,
                             file=name, size=1, focal_x=0.5, focal_y=0.5)
    html = str(picture(photo, "16x9"))
    assert f'src="/media/{name}"' in html and 'width="640" height="411"' in html
    assert "<source" not in html  # no AVIF or WebP yet: the JPEG alone


def test_image_url_is_absolute_and_the_smallest_wide_enough(rendered, settings):
    settings.DATELINE_SITE_URL = "https://news.example.org"
    settings.ALLOWED_HOSTS = ["desk.example.org"]
    url, width, height = image_url(rendered, "16x9", min_width=1200)
    assert (width, height) == (1280, 720)
    assert re.fullmatch(r"https://news\.example\.org/media/pictures/.+-1280x720\.jpg", url)
    # Nothing that wide: the widest there is.
    assert image_url(rendered, "16x9", min_width=5000)[1] == 1400
    assert image_url(rendered, "1x1", min_width=100, format="webp")[0].endswith(".webp")
    request = RequestFactory().get("/", HTTP_HOST="desk.example.org")
    assert image_url(rendered, request=request)[0].startswith("http://desk.example.org/media/")


@override_settings(MEDIA_URL="https://cdn.example.net/media/")
def test_a_cdn_url_is_used_as_it_is(rendered):
    assert image_url(rendered)[0].startswith("https://cdn.example.net/media/pictures/")
    assert 'src="https://cdn.example.net/media/pictures/' in str(picture(rendered))


def test_renditions_of_lists_every_rendition_in_order(rendered):
    listed = renditions_of(rendered)
    assert len(listed) == rendered.renditions.count()
    assert listed == sorted(listed, key=lambda r: (r.shape, r.format, r.width))


def test_the_template_tag(rendered):
    html = Template('{% load pictures %}{% picture photo "1x1" sizes="20em" loading="eager" %}'
                    ).render(Context({"photo": rendered}))
    assert "<picture>" in html and 'sizes="20em"' in html and 'loading="eager"' in html
    assert "-640x640.jpg" in html
    assert Template("{% load pictures %}{% picture photo %}").render(
        Context({"photo": None})) == ""


def test_the_serving_view_sends_a_year_of_immutable_caching(rendered, client):
    rendition = rendered.renditions.get(shape="16x9", format="avif", width=640)
    response = client.get(f"/media/{rendition.file.name}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["Content-Type"] == "image/avif"
    assert b"".join(response.streaming_content) == storages["default"].open(
        rendition.file.name).read()


@pytest.mark.parametrize("path", [
    "../../settings.py",
    "ab/..%2f..%2fsecret.jpg",
    "%2e%2e/%2e%2e/etc/passwd",
    "/etc/passwd",
    "ab/" + "0" * 64 + "-640x360.jpg",  # the folder must be the hash's first two characters
    "00/" + "0" * 64 + "-640x360.jpg.py",
    "00/" + "0" * 64 + "-640x360.jpg",  # well formed, but no such file
])
def test_the_serving_view_refuses_anything_but_a_rendition_name(client, path):
    assert client.get(f"/media/pictures/{path}").status_code == 404


def test_the_originals_are_never_served(rendered, client):
    assert client.get(f"/media/{rendered.original.name}").status_code == 404
    assert client.get(f"/media/pictures/{rendered.original.name}").status_code == 404

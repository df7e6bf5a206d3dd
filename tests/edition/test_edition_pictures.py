"""The edition's photos: the lead story's photo and the section stories' thumbnails on the web
page, the lead photo printed in the PDF (read from the storage, never over HTTP) with its
caption and credit, and in the newsletter mail as an <img> with an absolute URL; an edition
whose stories have no photo is unchanged."""

import re
import shutil
import subprocess
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from dateline.edition.assembly import build_edition
from dateline.edition.models import Subscriber
from dateline.edition.newsletter import EditionMail
from dateline.pictures.library import add_photo
from dateline.pictures.models import StoryPhoto
from dateline.pictures.tasks import make_renditions
from tests.conftest import require_shared

pytestmark = pytest.mark.django_db
DAY = date(2024, 12, 11)
PAGE = "/edition/2024/12/11/"
# Nothing answers here: a PDF that fetched its photo over HTTP would have none.
SITE = "http://edition-photos.invalid"


def at(hour: int) -> datetime:
    """A time inside the edition's 24 hours (from 07:00 the day before)."""
    return timezone.make_aware(datetime(2024, 12, 10, 7, 0) + timedelta(hours=hour))


@pytest.fixture(autouse=True)
def _places(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.DATELINE_SITE_URL = SITE


def library_photo(name: str, alt: str):
    """A real photo added as the desk adds it, with the worker's renditions."""
    path = require_shared(f"corpus/photos/{name}")
    with path.open("rb") as file:
        photo, _ = add_photo(file, name=path.name)
    assert make_renditions.call(photo.pk)["made"] > 0
    photo.alt_text = alt
    photo.save(update_fields=["alt_text"])
    return photo


@pytest.fixture
def pictured(make_article, make_section):
    world, science = make_section("World", position=1), make_section("Science", position=2)
    lead = make_article("Harbour reopens after the storm", section=world, is_top_story=True,
                        published_at=at(1), body="<p>Ships sailed again at dawn.</p>" * 20)
    harbour = library_photo("IPTC-PhotometadataRef-Std2017.1.jpg", "A quay at first light")
    StoryPhoto.objects.create(article=lead, photo=harbour, caption="The harbour at dawn.",
                              credit="Dateline/Ann Lee")
    launch = make_article("Probe launched to the outer planets", section=science,
                          published_at=at(2))
    rocket = library_photo("rocket.jpg", "A rocket lifting off")
    StoryPhoto.objects.create(article=launch, photo=rocket)
    make_article("Council meets", section=science, published_at=at(3))
    build_edition(DAY)
    return lead, harbour, launch, rocket


def jpeg(photo, shape: str, width: int):
    made = list(photo.renditions.filter(shape=shape, format="jpeg").order_by("width"))
    return next((r for r in made if r.width >= width), made[-1])


def poppler(tool: str, pdf: bytes, tmp_path, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is required: scripts/system-deps installs poppler-utils")
    path = tmp_path / "edition.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, *args, str(path), "-"] if tool == "pdftotext" else
                          [tool, *args, str(path)],
                          capture_output=True, text=True, check=True, timeout=60).stdout


def images_in(pdf: bytes, tmp_path) -> list[tuple[int, int, str]]:
    """(width, height, encoding) of every image the PDF holds, as pdfimages lists them."""
    rows = poppler("pdfimages", pdf, tmp_path, "-list").splitlines()[2:]
    return [(int(cols[3]), int(cols[4]), cols[8]) for cols in (row.split() for row in rows)]


def test_the_web_page_shows_the_lead_photo_with_its_words_and_thumbnails(client, pictured):
    lead, harbour, launch, rocket = pictured
    html = client.get(PAGE).content.decode()
    lead_part = html[html.index('class="edition-lead"'):html.index('class="edition-columns"')]
    assert lead.headline in lead_part
    assert "<picture>" in lead_part and 'loading="eager"' in lead_part
    src = re.search(r'<img src="([^"]+)"', lead_part)[1]
    assert src in {r.file.url for r in harbour.renditions.filter(shape="16x9", format="jpeg")}
    assert 'alt="A quay at first light"' in lead_part
    assert re.search(r"<figcaption>The harbour at dawn\. <span class=\"edition-credit\">"
                     r"Photo: Dateline/Ann Lee</span></figcaption>", lead_part)
    story = re.search(r'<article class="edition-story edition-story-pictured">(.*?)</article>',
                      html, re.S)[1]
    assert launch.headline in story
    thumb = re.search(r"<img [^>]*>", story)[0]
    assert 'class="edition-thumb"' in thumb and 'alt="A rocket lifting off"' in thumb
    assert 'sizes="7rem"' in thumb
    assert re.search(r'src="([^"]+)"', thumb)[1] in {
        r.file.url for r in rocket.renditions.filter(shape="4x3", format="jpeg")}
    assert re.search(r'width="\d+" height="\d+"', thumb)
    plain = re.search(r'<article class="edition-story">(.*?)</article>', html, re.S)[1]
    assert "Council meets" in plain and "<img" not in plain


def test_the_pdf_prints_the_lead_photo_from_storage_with_caption_and_credit(client, pictured,
                                                                           tmp_path):
    _, harbour, _, _ = pictured
    response = client.get(PAGE + "pdf/")
    assert response.status_code == 200
    pdf = response.content
    printed = jpeg(harbour, "16x9", 1200)
    # The rendition itself, JPEG as it was made (WeasyPrint embeds it as DCT), and only it.
    assert images_in(pdf, tmp_path) == [(printed.width, printed.height, "jpeg")]
    text = " ".join(poppler("pdftotext", pdf, tmp_path, "-enc", "UTF-8").split())
    # The caption under the photo, then the credit (set in capitals by pdf.css).
    assert "Harbour reopens after the storm" in text
    assert "The harbour at dawn. PHOTO: DATELINE/ANN LEE Ships sailed again" in text
    # A newspaper PDF with its photo stays small: the photo is a ~100 kB rendition.
    assert len(pdf) < 1_000_000


def test_an_edition_without_photos_prints_no_image(client, make_article, tmp_path):
    make_article("Harbour reopens after the storm", is_top_story=True, published_at=at(1))
    build_edition(DAY)
    pdf = client.get(PAGE + "pdf/").content
    assert images_in(pdf, tmp_path) == []
    assert "<picture>" not in client.get(PAGE).content.decode()


def test_the_newsletter_shows_the_lead_photo_as_an_absolute_img(pictured):
    _, harbour, _, _ = pictured
    from dateline.edition.models import Edition

    mail = EditionMail(Edition.objects.get(date=DAY))
    message = mail.to(Subscriber.objects.create(email="reader@example.org"))
    html = message.alternatives[0].content
    img = re.search(r"<img [^>]*>", html)[0]
    shown = jpeg(harbour, "16x9", 1200)
    assert f'src="{SITE}{shown.file.url}"' in img
    height = round(shown.height * min(shown.width, 600) / shown.width)
    assert f'width="{min(shown.width, 600)}" height="{height}"' in img
    assert 'alt="A quay at first light"' in img
    assert "The harbour at dawn. Photo: Dateline/Ann Lee" in html  # not "dawn. Dateline"
    assert len(re.findall(r"<img ", html)) == 1  # the lead only: a mail stays light
    # The plain-text part has no image, and reads as before.
    assert "/media/pictures/" not in message.body and "Harbour reopens" in message.body


def test_a_newsletter_without_a_lead_photo_has_no_img(make_article):
    from dateline.edition.models import Edition

    make_article("Harbour reopens after the storm", is_top_story=True, published_at=at(1))
    build_edition(DAY)
    mail = EditionMail(Edition.objects.get(date=DAY))
    html = mail.to(Subscriber.objects.create(email="reader@example.org")).alternatives[0].content
    assert "<img" not in html


@pytest.mark.one_engine  # the Nu checker reads markup, alike from either engine
def test_the_web_page_with_photos_is_valid_html(client, pictured, tmp_path):
    from ..site.test_html_validity import VNU, vnu_errors

    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.fail("the Nu HTML Checker needs Java and `npm ci` (make test runs both)")
    page = tmp_path / "edition.html"
    page.write_bytes(client.get(PAGE).content)
    assert vnu_errors(java, [page]) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_chromium_the_photos_load_and_the_page_passes_axe(browser, live_server,
                                                              pictured):
    from ..site.test_browser import axe_violations

    page = browser.new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page.goto(live_server.url + PAGE)
    for selector in (".edition-lead-photo img", "img.edition-thumb"):
        image = page.locator(selector)
        image.scroll_into_view_if_needed()
        page.wait_for_function("e => e.complete && e.naturalWidth > 0", arg=image.element_handle())
    thumb = page.eval_on_selector("img.edition-thumb", "e => getComputedStyle(e).float")
    assert thumb == "right"
    violations = axe_violations(page, ["wcag2a", "wcag2aa", "best-practice"])
    assert [v["id"] for v in violations] == []

"""The "Be a reporter" form: what it stores, what it says, and that a reader's words survive."""

import json
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import lxml.html
import pytest
import time_machine
from django.test import Client

from dateline.submissions.models import Submission
from tests.pagecache.test_pagecache import Reader

from .images import GPS_IFD, encoded, noise, phone_jpeg, png_16bit, read_back, upload

pytestmark = pytest.mark.django_db

FORM = "/report/"
ROOT = Path(__file__).resolve().parents[2]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def parsed(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content.decode())


def shown(doc, field_id: str) -> str:
    """The value a reader sees in a field (a textarea's text, an input's value)."""
    element = doc.get_element_by_id(field_id)
    if element.tag == "textarea":
        # Browsers drop the line break that opens a textarea (Django writes one); lxml keeps it.
        return element.text_content().removeprefix("\n")
    return element.get("value", "")


def errors_of(doc, field_id: str) -> list[str]:
    found = doc.xpath(f'//*[@id="{field_id}_error"]/li')
    return [li.text_content() for li in found]


def test_the_form_labels_every_field_and_hides_the_honeypot_from_people(client):
    response = client.get(FORM)
    assert response.status_code == 200
    doc = parsed(response)
    for field in ("name", "email", "headline", "text", "photos", "consent", "website"):
        assert doc.xpath(f'//label[@for="id_{field}"]'), field
    form = doc.xpath("//form[@class='report-form']")[0]
    assert form.get("enctype") == "multipart/form-data" and form.get("method") == "post"
    assert doc.xpath("//input[@name='csrfmiddlewaretoken']")
    photos = doc.get_element_by_id("id_photos")
    assert photos.get("multiple") is not None
    assert photos.get("accept") == "image/jpeg,image/png,image/webp"
    trap = doc.get_element_by_id("id_website")
    assert (trap.get("tabindex"), trap.get("autocomplete")) == ("-1", "off")
    assert trap.getparent().get("class") == "report-trap"
    assert "leave this empty" in doc.xpath('//label[@for="id_website"]')[0].text_content()
    assert doc.xpath("//a[@href='/report/terms/']")
    assert doc.get_element_by_id("id_name").get("maxlength") == "200"
    # A form carries a CSRF token: no shared cache may keep it.
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]
    assert "Surrogate-Key" not in response


# Transactional: the WSGI application closes the database connection after each request.
@pytest.mark.django_db(transaction=True)
def test_the_page_cache_never_answers_the_form_but_does_the_terms():
    reader = Reader()
    for _ in range(2):
        status, headers, body = reader.get(FORM)
        assert status == 200 and headers.get("X-Cache") != "HIT"
        assert "csrfmiddlewaretoken" in body
    reader.get("/report/terms/")
    status, headers, body = reader.get("/report/terms/")
    assert (status, headers.get("X-Cache")) == (200, "HIT")
    assert "Terms for readers' reports" in body


def test_story_and_section_pages_link_to_the_form(client, make_section, make_article):
    story = make_article("Floods close the ring road", section=make_section("World"))
    article_page = client.get(story.get_absolute_url()).content.decode()
    assert f'href="/report/?from={story.pk}"' in article_page
    section_page = client.get("/section/world/").content.decode()
    assert 'href="/report/">Be a reporter' in section_page


def test_the_story_a_reader_came_from_is_shown_and_sent_along(client, make_article):
    story = make_article("Floods close the ring road")
    doc = parsed(client.get(FORM, {"from": story.pk}))
    assert shown(doc, "id_story") == str(story.pk)
    assert doc.xpath(f"//p[@class='report-story']/a[@href='{story.get_absolute_url()}']")
    for nonsense in ("abc", "99999999999999999999", "-1", str(story.pk + 1000)):
        response = client.get(FORM, {"from": nonsense})
        assert response.status_code == 200
        assert not parsed(response).xpath("//p[@class='report-story']")


def test_a_report_is_stored_as_written_with_clean_photos_and_a_log(
    client, report_fields, make_article, decoding
):
    story = make_article("Floods close the ring road")
    text = "Water at *knee* height.\r\n\r\n<script>alert('x')</script> & more"
    response = client.post(FORM, {
        **report_fields, "text": text, "story": str(story.pk),
        "photos": [upload("IMG_0001.jpg", phone_jpeg()),
                   upload("screen.jpg", encoded(noise(), "PNG"))],
    }, REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="Phone\x07Browser/1.0")
    assert response.status_code == 302
    assert response["Location"].startswith("/report/thanks/")
    assert decoding.children == 2  # each photo decoded once, away from the web worker

    report = Submission.objects.get()
    assert (report.name, report.email, report.headline) == (
        "Maria Ivanova", "maria@example.org", "Tram derails on Vitosha Boulevard"
    )
    assert report.text == text  # as given; only text.render_report makes HTML of it
    assert report.status == Submission.Status.NEW and report.consented_at is not None
    assert re.fullmatch(r"[0-9a-f]{64}", report.sender_hash)
    assert report.user_agent == "PhoneBrowser/1.0"
    first = report.log.first()
    assert first.action == "received"
    assert story.headline in first.note and story.get_absolute_url() in first.note

    photos = list(report.photos.order_by("pk"))
    assert [(p.format, p.original_name) for p in photos] == [
        ("jpeg", "IMG_0001.jpg"), ("png", "screen.jpg")
    ]
    assert (photos[0].width, photos[0].height) == (20, 40)
    for photo in photos:
        assert photo.image.name.startswith(f"submissions/{report.reference}/")
        assert photo.image.name.endswith(f".{photo.format}")
        with photo.image.storage.open(photo.image.name) as stored:
            data = stored.read()
        assert photo.size == len(data)
        assert not read_back(data).getexif().get_ifd(GPS_IFD)


def test_the_confirmation_page_is_reached_only_through_its_signed_link(client, report_fields):
    link = client.post(FORM, report_fields)["Location"]
    report = Submission.objects.get()
    page = client.get(link)
    assert page.status_code == 200
    assert report.reference in page.content.decode()
    assert "noindex" in page.content.decode()
    assert client.get(f"/report/thanks/{report.reference}/").status_code == 404
    assert client.get(link.replace(":", "x", 1)).status_code == 404
    with time_machine.travel(timedelta(hours=25)):
        expired = client.get(link)
    assert expired.status_code == 410
    assert report.reference not in expired.content.decode()
    assert "in the e-mail we sent you" in expired.content.decode()


def test_an_invalid_report_comes_back_with_everything_the_reader_wrote(client, report_fields):
    fields = {**report_fields, "email": "maria at example", "text": "Line one.\n\n  Line two.  "}
    del fields["consent"]
    response = client.post(FORM, {
        **fields,
        "photos": [upload("good.jpg", phone_jpeg()),
                   upload("party.jpg", encoded(noise(mode="P"), "GIF"))],
    })
    assert response.status_code == 400
    assert not Submission.objects.exists()
    doc = parsed(response)
    assert doc.xpath("//title")[0].text_content().startswith("Not sent yet")
    for field in ("name", "email", "headline", "text"):
        assert shown(doc, f"id_{field}") == fields[field], field
    assert doc.get_element_by_id("id_consent").get("checked") is None
    assert errors_of(doc, "id_email") == ["Enter an e-mail address like name@example.org."]
    assert errors_of(doc, "id_consent")[0].startswith("Tick the box to accept the terms")
    assert errors_of(doc, "id_photos") == [
        "“party.jpg” is not a JPEG, PNG or WebP photo (we look at what the file holds, not at "
        "its name), so it was not kept."
    ]
    again = doc.xpath("//p[@class='report-again']")[0].text_content()
    assert "cannot send a photo a second time" in again
    assert "good.jpg" in again and "party.jpg" not in again
    assert doc.get_element_by_id("id_email").get("aria-invalid") == "true"
    assert "id_email_error" in doc.get_element_by_id("id_email").get("aria-describedby")
    summary = [a.get("href") for a in doc.xpath("//div[@class='report-problem']//a")]
    assert summary == ["#id_email", "#id_photos", "#id_consent"]


def test_a_report_sent_again_without_its_photo_asks_for_it_rather_than_lose_it(
        client, report_fields):
    """Sent again after a mistyped address, the report went through with no photo: the
    browser had dropped it, and only a line below the field said so."""
    fields = {**report_fields, "email": "ana@"}
    first = parsed(client.post(FORM, {**fields, "photos": [upload("flood.jpg", phone_jpeg())]}))
    summary = first.xpath("//div[@class='report-problem']//a")
    assert [a.get("href") for a in summary] == ["#id_email", "#id_photos"]
    assert "choose your photo again" in summary[1].text_content()
    # Two lines, so "these": the heading counted the form's errors alone ("check this").
    heading = first.xpath("//div[@class='report-problem']/h2")[0].text_content()
    assert heading.endswith("please check these")
    before = [i.get("value") for i in first.xpath("//input[@name='photos_before']")]
    assert before == ["flood.jpg"]
    fixed = {**report_fields, "photos_before": before}
    asked = client.post(FORM, fixed)
    assert asked.status_code == 400 and not Submission.objects.exists()
    assert "You chose flood.jpg before" in errors_of(parsed(asked), "id_photos")[0]
    sent = client.post(FORM, {**fixed, "photos": [upload("flood.jpg", phone_jpeg())]},
                       follow=True)
    assert Submission.objects.get().photos.count() == 1
    assert ", with 1 photo," in sent.content.decode()
    without = client.post(FORM, {**fixed, "without_photos": "on", "headline": "Second"},
                          follow=True)
    assert Submission.objects.get(headline="Second").photos.count() == 0
    assert ", with no photo," in without.content.decode()


def test_a_report_with_a_mistake_decodes_none_of_its_photos(client, report_fields, decoding):
    # Five 16-bit PNGs just under the pixel limit: 290 KB each to send, 200 MB each decoded.
    heavy = png_16bit(7000, 7000)
    fields = {**report_fields}
    del fields["consent"]
    response = client.post(FORM, {
        **fields, "photos": [upload(f"scan{i}.png", heavy, "image/png") for i in range(5)],
    })
    assert response.status_code == 400
    doc = parsed(response)
    assert errors_of(doc, "id_consent")[0].startswith("Tick the box to accept the terms")
    assert errors_of(doc, "id_photos") == []
    # Only their headers were read: no decoder started, no pixel decoded in this process.
    assert (decoding.children, decoding.loads) == (0, 0)
    assert "scan4.png" in doc.xpath("//p[@class='report-again']")[0].text_content()


def test_a_ticked_box_stays_ticked_when_another_field_is_wrong(client, report_fields):
    doc = parsed(client.post(FORM, {**report_fields, "headline": ""}))
    assert doc.get_element_by_id("id_consent").get("checked") is not None
    assert errors_of(doc, "id_headline") == ["Give your report a headline."]
    assert shown(doc, "id_text") == report_fields["text"]


@pytest.mark.parametrize("field, value, message", [
    ("text", "Before\x00after", "Remove the invisible control characters (U+0000)"),
    ("text", "Bell\x07 and escape\x1b[31m", "(U+0007, U+001B)"),
    ("name", "Maria\x08", "(U+0008)"),
    ("headline", "Flood on Main Street \u202egnp.exe", "(U+202E)"),
    ("text", "Seen at \u2067\u05e8\u05d7\u05d5\u05d1\u2069 corner", "(U+2067, U+2069)"),
    ("headline", "Two\nlines", "Write this on one line."),
    ("text", "Caf\ufffd", "Some characters could not be read"),
    ("text", "   \n\t ", "Write your report."),
])
def test_what_cannot_be_stored_is_refused_with_a_message(
    client, report_fields, field, value, message
):
    response = client.post(FORM, {**report_fields, field: value})
    assert response.status_code == 400
    assert message in " ".join(errors_of(parsed(response), f"id_{field}"))
    assert not Submission.objects.exists()


def test_marks_and_joiners_that_scripts_need_are_kept(client, report_fields):
    text = ("Persian: \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645; "
            "family: \U0001f468\u200d\U0001f469; \u200fRTL mark.")
    assert client.post(FORM, {**report_fields, "text": text}).status_code == 302
    assert Submission.objects.get().text == text


def test_tabs_and_line_breaks_are_welcome_in_the_text(client, report_fields):
    text = "Times:\n\t08:10 derailed\r\n\t08:40 cleared"
    assert client.post(FORM, {**report_fields, "text": text}).status_code == 302
    assert Submission.objects.get().text == text


def test_a_text_over_the_limit_is_refused_whole_and_kept_whole(client, report_fields):
    long = "word " * 10_000 + "end"
    response = client.post(FORM, {**report_fields, "text": long,
                                  "headline": "h" * 301})
    doc = parsed(response)
    assert errors_of(doc, "id_text") == [
        "Shorten this to at most 50000 characters (it has 50003)."
    ]
    assert errors_of(doc, "id_headline") == [
        "Shorten this to at most 300 characters (it has 301)."
    ]
    assert shown(doc, "id_text") == long
    # The browser must not cut a pasted text silently: the server says what is too long.
    assert doc.get_element_by_id("id_text").get("maxlength") is None


def test_a_robot_that_fills_the_honeypot_is_thanked_and_filed_as_spam(
    client, report_fields, mailoutbox, decoding
):
    response = client.post(FORM, {**report_fields, "website": "http://cheap.example",
                                  "photos": [upload("a.jpg", phone_jpeg())]})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    report = Submission.objects.get()
    assert report.status == Submission.Status.SPAM
    assert [e.action for e in report.log.all()] == ["spam"]
    assert not report.photos.exists()
    assert decoding.children == 0  # never kept, so never decoded
    assert mailoutbox == []


def test_without_a_csrf_token_the_report_is_refused_and_kept(report_fields):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(FORM, report_fields)
    assert response.status_code == 403
    doc = parsed(response)
    assert "security check did not pass" in doc.text_content()
    for field in ("name", "email", "headline", "text"):
        assert shown(doc, f"id_{field}") == report_fields[field]
    assert doc.get_element_by_id("id_consent").get("checked") is not None
    assert not Submission.objects.exists()
    # The page that refused it carries a fresh token: sending it again works.
    token = doc.xpath("//input[@name='csrfmiddlewaretoken']")[0].get("value")
    again = browser.post(FORM, {**report_fields, "csrfmiddlewaretoken": token})
    assert again.status_code == 302
    assert Submission.objects.count() == 1


MALFORMED = {
    "garbled multipart": ("multipart/form-data; boundary=xyz", b"--xyz\r\nnonsense\r\n\r\n"),
    "multipart without boundary": ("multipart/form-data", b"name=Maria"),
    "multipart, bad boundary": ("multipart/form-data; boundary=\x00\x01", b"--\x00\x01\r\n"),
    "json": ("application/json", b'{"name": "Maria"}'),
    "plain text": ("text/plain", b"Hello newsroom"),
    "unknown charset": ("application/x-www-form-urlencoded; charset=klingon", b"name=Maria"),
    "cut-off multipart file": (
        "multipart/form-data; boundary=xyz",
        b'--xyz\r\nContent-Disposition: form-data; name="photos"; filename="a.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n\xff\xd8\xff",
    ),
}


@pytest.mark.parametrize("content_type, body", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_requests_get_a_clear_answer_never_an_error(client, content_type, body):
    response = client.generic("POST", FORM, body, content_type=content_type)
    assert response.status_code == 400
    assert ("could not read" in response.content.decode()
            or "has not been sent yet" in response.content.decode())
    assert not Submission.objects.exists()


def test_bytes_that_are_not_utf8_are_named_not_an_error(client, report_fields):
    body = (b"name=Mar%FFia&email=maria%40example.org&headline=Tram&text=Caf%E9+au+lait"
            b"&consent=on")
    response = client.generic("POST", FORM, body,
                              content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    doc = parsed(response)
    assert "could not be read" in errors_of(doc, "id_name")[0]
    assert shown(doc, "id_text") == "Caf\ufffd au lait"  # kept, to be fixed by the reader


def test_too_many_fields_and_too_much_text_are_refused_clearly(client, settings):
    many = "&".join(f"f{i}=x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = client.generic("POST", FORM, many,
                              content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "could not read" in response.content.decode()
    huge = "text=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.generic("POST", FORM, huge,
                              content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "too large to send" in response.content.decode()


def test_other_methods_are_not_allowed(client):
    assert client.put(FORM).status_code == 405
    assert client.post("/report/terms/").status_code == 405


@pytest.mark.one_engine  # the Nu checker reads markup, alike from either engine
def test_the_report_pages_are_valid_html(client, report_fields, tmp_path):
    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.fail("the Nu HTML Checker needs Java and `npm ci` (make test runs both)")
    invalid = {**report_fields, "email": "nope"}
    del invalid["consent"]
    pages = {
        "form": client.get(FORM),
        "form-with-errors": client.post(FORM, {
            **invalid, "photos": [upload("a.jpg", phone_jpeg()), upload("b.jpg", b"GIF89a")],
        }),
        "terms": client.get("/report/terms/"),
        "thanks": client.get(client.post(FORM, report_fields)["Location"]),
        "too-large": client.generic("POST", FORM, b"x", content_type="text/plain",
                                    CONTENT_LENGTH=str(10**10)),
    }
    files = []
    for name, response in pages.items():
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(response.content)
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )
    report = json.loads(result.stderr)
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
              for m in report["messages"]]
    assert errors == [], "\n".join(errors)


def test_a_report_whose_photo_cannot_be_stored_is_kept_on_the_page_not_lost(
    client, report_fields, tmp_path, monkeypatch, smtp_inbox
):
    """A storage that refuses the photo (here a real folder that cannot be made: the same
    OSError as a full disk) stores nothing and mails no one: the reader gets the page back
    with the report as written, and a 503, not a 500."""
    from django.core.files.storage import FileSystemStorage

    from dateline.submissions.models import SubmissionPhoto

    (tmp_path / "not-a-folder").write_text("a file where the folder should be")
    broken = FileSystemStorage(location=tmp_path / "not-a-folder" / "reports")
    monkeypatch.setattr(SubmissionPhoto._meta.get_field("image"), "storage", broken)
    response = client.post(FORM, {**report_fields,
                                  "photos": [upload("IMG_0001.jpg", phone_jpeg())]})
    assert response.status_code == 503
    page = parsed(response)
    assert page.xpath('//div[@class="report-problem"]/h2')[0].text_content() == (
        "Your report could not be stored: please send it again in a few minutes")
    assert page.xpath('//textarea[@name="text"]')[0].text_content().strip() == (
        report_fields["text"].strip())
    assert page.xpath('//input[@name="headline"]')[0].get("value") == report_fields["headline"]
    assert not Submission.objects.exists()
    assert smtp_inbox.messages == []

"""A reader in real headless Chromium: from a story to the form, a mistake, a photo, a reference."""

import re

import pytest

from dateline.submissions.models import Submission

from ..site.test_browser import AXE, axe_violations, record_csp_violations
from .images import phone_jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "A tram left the rails at 8:10.\n\nNobody was hurt; the line is closed until noon."


def fill_report(page) -> None:
    page.get_by_label("Your name").fill("Maria Ivanova")
    page.get_by_label("Your e-mail address").fill("maria@example.org")
    page.get_by_label("Headline").fill("Tram derails on Vitosha Boulevard")
    page.get_by_label("Your report").fill(TEXT)


def axe_problems(page) -> list[str]:
    violations = axe_violations(page, ["wcag2a", "wcag2aa", "best-practice"])
    return [f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
            for v in violations]


def test_a_reader_goes_from_a_story_to_a_reference(browser, live_server, make_article):
    story = make_article("Floods close the ring road")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    record_csp_violations(page)
    page.goto(live_server.url + story.get_absolute_url())
    page.get_by_role("link", name="Be a reporter: write and send your article").click()
    page.wait_for_url(f"{live_server.url}/report/?from={story.pk}")
    assert page.locator(".report-story").inner_text().startswith(
        f"You came from the story {story.headline}"
    )
    # The honeypot is out of sight; a person never fills it in.
    trap = page.locator("#id_website").bounding_box()
    assert trap["x"] + trap["width"] <= 0

    fill_report(page)
    page.get_by_role("button", name="Send my report").click()  # the terms not accepted
    page.wait_for_load_state()
    assert page.locator(".report-problem h2").inner_text().startswith(
        "Your report has not been sent yet"
    )
    # Focus starts on the summary (it stayed at the top of the page, above the masthead).
    page.wait_for_function("document.activeElement.classList.contains('report-problem')")
    assert page.get_by_label("Your name").input_value() == "Maria Ivanova"
    assert page.get_by_label("Your e-mail address").input_value() == "maria@example.org"
    assert page.get_by_label("Headline").input_value() == "Tram derails on Vitosha Boulevard"
    assert page.get_by_label("Your report").input_value() == TEXT
    assert page.locator("#id_consent_error").inner_text().startswith("Tick the box")
    assert not Submission.objects.exists()

    page.locator(".report-problem a").first.click()  # the summary leads to the field
    assert page.evaluate("document.activeElement.id") == "id_consent"
    page.get_by_label("I accept the terms for readers' reports").check()
    page.get_by_label("Photos (optional)").set_input_files(files=[
        {"name": "tram.jpg", "mimeType": "image/jpeg", "buffer": phone_jpeg()},
    ])
    page.get_by_role("button", name="Send my report").click()
    page.wait_for_url(re.compile(r".*/report/thanks/[^/]+/$"))

    report = Submission.objects.get()
    assert page.locator(".report-reference").inner_text() == (
        f"Your reference: {report.reference}"
    )
    assert report.text == TEXT.replace("\n", "\r\n")  # as the browser sent it
    assert [p.original_name for p in report.photos.all()] == ["tram.jpg"]
    assert story.headline in report.log.first().note
    assert page.evaluate("window.cspViolations") == []
    # Chromium logs the form with mistakes, which is answered 400 on purpose; nothing else.
    assert errors == ["Failed to load resource: the server responded with a status of 400 "
                      "(Bad Request)"]


def test_the_report_pages_pass_axe_and_fit_a_phone(browser, live_server, make_article):
    if not AXE.exists():
        pytest.fail("axe-core is required: run `npm ci` (make test does)")
    # The site's CSP rightly refuses injected scripts; the auditor is let in on purpose.
    page = browser.new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page.goto(f"{live_server.url}/report/")
    assert axe_problems(page) == [], "empty form"

    fill_report(page)
    page.get_by_label("Your e-mail address").fill("not an address")
    page.get_by_label("Photos (optional)").set_input_files(files=[
        {"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"GIF89a not really"},
    ])
    page.get_by_role("button", name="Send my report").click()
    page.wait_for_load_state()
    assert page.locator("#id_photos_error").inner_text().startswith("“notes.jpg” is not")
    assert axe_problems(page) == [], "form with errors"

    page.goto(f"{live_server.url}/report/terms/")
    assert axe_problems(page) == [], "terms"

    page.goto(f"{live_server.url}/report/")
    fill_report(page)
    page.get_by_label("I accept the terms for readers' reports").check()
    page.get_by_role("button", name="Send my report").click()
    page.wait_for_url(re.compile(r".*/report/thanks/[^/]+/$"))
    assert axe_problems(page) == [], "confirmation"

    phone = browser.new_page(viewport={"width": 360, "height": 740})
    phone.goto(f"{live_server.url}/report/")
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the form scrolls sideways by {overflow}px on a phone"

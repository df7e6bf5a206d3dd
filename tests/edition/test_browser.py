"""The edition pages pass the W3C Nu HTML Checker and axe in real Chromium, and fit a phone."""

import shutil
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from dateline.edition.assembly import build_edition

from ..site.test_browser import AXE, axe_violations
from ..site.test_html_validity import VNU, vnu_errors

DAY = date(2024, 12, 11)
PATHS = {"edition": "/edition/2024/12/11/", "latest": "/edition/",
         "no-edition": "/edition/2024/12/01/"}


@pytest.fixture
def editions(make_section, make_article):
    """Two days of editions, each with a lead, two sections and briefs."""
    world = make_section("World", position=1)
    sections = [world, make_section("Russia", parent=world),
                make_section("Business", position=2)]
    for day in (DAY - timedelta(days=1), DAY):
        start = timezone.make_aware(datetime(day.year, day.month, day.day, 0, 0))
        for n in range(12):
            make_article(f"Story {n} of {day:%B %-d} & “more”", section=sections[n % 3],
                         published_at=start + timedelta(minutes=10 * n),
                         standfirst="A standfirst for the story." if n % 2 else "",
                         is_top_story=n == 0)
        build_edition(day)


@pytest.mark.one_engine  # the Nu checker reads markup, alike from either engine
@pytest.mark.django_db
def test_edition_pages_are_valid_html(client, settings, tmp_path, editions):
    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.fail("the Nu HTML Checker needs Java and `npm ci` (make test runs both)")
    settings.DATELINE_EDITION_BRIEFS = 4
    files = []
    for name, path in PATHS.items():
        response = client.get(path)
        assert response.status_code == (404 if name == "no-edition" else 200), path
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(response.content)
    errors = vnu_errors(java, files)
    assert errors == [], "\n".join(errors)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_edition_pages_pass_axe_and_fit_a_phone(browser, live_server, editions):
    if not AXE.exists():
        pytest.fail("axe-core is required: run `npm ci` (make test does)")
    # The site's CSP rightly refuses injected scripts; the auditor is let in on purpose.
    page = browser.new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    for path in PATHS.values():
        page.goto(live_server.url + path)
        violations = axe_violations(page, ["wcag2a", "wcag2aa", "best-practice"])
        problems = [
            f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
            for v in violations
        ]
        assert problems == [], f"{path}: {problems}"
    # The edition's own stylesheet loaded: sections sit side by side on a wide screen.
    page.goto(live_server.url + PATHS["edition"])
    columns = page.eval_on_selector(
        ".edition-columns", "e => getComputedStyle(e).gridTemplateColumns.split(' ').length")
    assert columns > 1
    page.click("a[rel=prev]")
    page.wait_for_url(live_server.url + "/edition/2024/12/10/")
    story = page.get_by_role("link", name="Story 4 of December 10 & “more”", exact=True)
    story.click()
    page.wait_for_url(f"{live_server.url}/articles/**")
    assert page.locator("h1").inner_text() == "Story 4 of December 10 & “more”"
    phone = browser.new_page(viewport={"width": 360, "height": 740})
    for path in PATHS.values():
        phone.goto(live_server.url + path)
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"

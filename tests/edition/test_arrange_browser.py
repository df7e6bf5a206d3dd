"""Arranging an edition in real headless Chromium: drag and drop, and the keyboard alone.

Each test checks the stored order and that what readers get (the edition page and its PDF)
follows it; axe-core checks the arranging screen.
"""

import subprocess
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.utils import timezone

from dateline.edition.assembly import build_edition, goes_out_at
from dateline.edition.models import EditionItem

from ..site.test_browser import AXE, axe_violations, record_csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def newsroom(make_user, make_section, make_article, settings, tmp_path):
    """Yesterday's edition, out on the site but not sent: a lead, World, Business."""
    settings.VAR_DIR = tmp_path / "var"  # where the PDF is kept
    world, business = make_section("World", position=1), make_section("Business", position=2)
    day = timezone.localdate() - timedelta(days=1)
    due = goes_out_at(day)
    make_article("Summit opens in Geneva", section=world, is_top_story=True,
                 published_at=due - timedelta(hours=9))
    for n, headline in enumerate(["Floods in Valencia", "Talks stall in Vienna",
                                  "Ferry strike ends"]):
        make_article(headline, section=world, published_at=due - timedelta(hours=8 - n))
    make_article("Markets close higher", section=business, published_at=due - timedelta(hours=4))
    edition = build_edition(day)
    editor = make_user("Editor", "ed")
    return {"edition": edition, "editor": editor, "world": world, "business": business}


def desk_page(browser, live_server, user, bypass_csp=False):
    """A page whose browser carries a desk session for `user` (no login form, no lock-out)."""
    client = Client()
    client.force_login(user)
    connections.close_all()
    context = browser.new_context(viewport={"width": 1280, "height": 1000},
                                  bypass_csp=bypass_csp)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    record_csp_violations(page)
    return page, client, problems


def stored(edition, column, section=None) -> list[str]:
    items = EditionItem.objects.filter(edition=edition, column=column, left_out=False)
    if section is not None:
        items = items.filter(section=section)
    return [i.article.headline for i in items.select_related("article").order_by("position")]


def wait_saved(page, count: int) -> None:
    page.wait_for_selector(f"#edition-board[data-saved='{count}']", state="attached")


def reader_order(client, edition, tmp_path) -> tuple[str, str]:
    """The edition page's HTML and its PDF's text, as readers get them."""
    html = client.get(edition.get_absolute_url()).text
    pdf = client.get(f"/desk/edition/edition/{edition.pk}/pdf/").content
    path = tmp_path / "edition.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True, timeout=60).stdout
    return html, " ".join(text.split())


def moved(headline: str, place: int, slot: str) -> str:
    """What the board announces after a move (typographic quotes, as the desk writes)."""
    return f"Moved \u2018{headline}\u2019 to position {place} in {slot}."


def in_order(text: str, *parts: str) -> bool:
    places = [text.find(part) for part in parts]
    return -1 not in places and places == sorted(places)


def test_an_editor_drags_a_story_into_news_in_brief_and_within_a_section(
    browser, live_server, newsroom, tmp_path
):
    edition, world = newsroom["edition"], newsroom["world"]
    page, client, problems = desk_page(browser, live_server, newsroom["editor"])
    page.goto(f"{live_server.url}/desk/edition/edition/{edition.pk}/change/")
    board = page.locator("#edition-board")
    assert board.is_visible()
    card = board.locator(".edition-card", has_text="Talks stall in Vienna")
    card.drag_to(board.locator(".edition-slot-brief .edition-cards"))
    wait_saved(page, 1)
    assert page.inner_text("#edition-board-status") == \
        moved("Talks stall in Vienna", 1, "News in Brief")
    # Within World: drop "Floods in Valencia" on the top half of the first card.
    first = board.locator(".edition-slot-section .edition-card").first
    assert first.inner_text().startswith("Ferry strike ends")
    board.locator(".edition-card", has_text="Floods in Valencia").drag_to(
        first, target_position={"x": 20, "y": 3})
    wait_saved(page, 2)
    assert stored(edition, "brief") == ["Talks stall in Vienna"]
    assert stored(edition, "section", world) == ["Floods in Valencia", "Ferry strike ends"]
    assert problems == [] and page.evaluate("window.cspViolations") == []

    html, pdf = reader_order(client, edition, tmp_path)
    assert in_order(html, "Floods in Valencia", "Ferry strike ends", "News in Brief",
                    "Talks stall in Vienna")
    assert in_order(pdf, "Floods in Valencia", "Ferry strike ends", "Talks stall in Vienna")

    # Another editor saves meanwhile: this page's next move is refused, said, and reloaded.
    EditionItem.objects.filter(edition=edition, article__headline="Ferry strike ends").update(
        pinned=True)
    connections.close_all()
    board.locator(".edition-card", has_text="Markets close higher").drag_to(
        board.locator(".edition-slot-brief .edition-cards"))
    page.wait_for_selector(".messagelist .error")
    assert "Someone else changed this edition's order" in page.inner_text(".messagelist")
    assert stored(edition, "brief") == ["Talks stall in Vienna"]
    assert "Markets close higher" in page.locator(
        ".edition-slot-section", has_text="Business").inner_text()


def test_an_editor_arranges_with_the_keyboard_only(
    browser, live_server, newsroom, tmp_path
):
    edition, world = newsroom["edition"], newsroom["world"]
    page, client, problems = desk_page(browser, live_server, newsroom["editor"])
    page.goto(f"{live_server.url}/desk/edition/edition/{edition.pk}/change/")
    status = page.locator("#edition-board-status")
    # Stands for tabbing to the card: every step after this is a key press.
    page.focus(".edition-card[data-headline='Floods in Valencia']")
    page.keyboard.press("Alt+ArrowUp")
    wait_saved(page, 1)
    assert status.inner_text() == moved("Floods in Valencia", 2, "World")
    assert page.evaluate("document.activeElement.dataset.headline") == "Floods in Valencia"
    page.keyboard.press("Tab")  # Move up
    page.keyboard.press("Enter")
    wait_saved(page, 2)
    assert status.inner_text() == moved("Floods in Valencia", 1, "World")
    assert stored(edition, "section", world) == ["Floods in Valencia", "Ferry strike ends",
                                                 "Talks stall in Vienna"]
    # "Move to…" on the next card: open it, tab to "News in Brief", press Enter.
    page.focus(".edition-card[data-headline='Ferry strike ends']")
    for _ in range(3):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "News in Brief":
            break
    page.keyboard.press("Enter")
    wait_saved(page, 3)
    assert status.inner_text() == moved("Ferry strike ends", 1, "News in Brief")
    assert stored(edition, "brief") == ["Ferry strike ends"]
    # The lead slot takes one story: the keyboard is told so, and nothing is saved.
    page.focus(".edition-card[data-headline='Talks stall in Vienna']")
    for _ in range(2):
        page.keyboard.press("Alt+ArrowLeft")
    assert "The edition has one lead story" in status.inner_text()
    # The table form, saved after the moves, keeps them (the script gave it the new places),
    # and a place typed in the table over a moved row is this editor's own, not a colleague's
    # change to refuse (the script gave the rows what they now hold as seen, too).
    page.locator("tr", has_text="Floods in Valencia").locator(
        "input[name$='-position']").fill("99")
    page.focus("input[name=_continue]")
    page.keyboard.press("Enter")
    page.wait_for_selector(".messagelist .success")
    assert stored(edition, "section", world) == ["Talks stall in Vienna", "Floods in Valencia"]
    assert stored(edition, "brief") == ["Ferry strike ends"]
    assert problems == [] and page.evaluate("window.cspViolations") == []

    html, pdf = reader_order(client, edition, tmp_path)
    assert in_order(html, "Talks stall in Vienna", "Floods in Valencia", "News in Brief",
                    "Ferry strike ends")
    assert in_order(pdf, "Talks stall in Vienna", "Floods in Valencia", "Ferry strike ends")


def test_the_arranging_screen_passes_axe(browser, live_server, newsroom):
    if not AXE.exists():
        pytest.fail("axe-core is required: run `npm ci` (make test does)")
    edition = newsroom["edition"]
    # The desk's CSP rightly refuses injected scripts; the auditor is let in on purpose.
    page, _, _ = desk_page(browser, live_server, newsroom["editor"], bypass_csp=True)
    page.goto(f"{live_server.url}/desk/edition/edition/{edition.pk}/change/")
    page.locator("#edition-board").wait_for()
    page.locator(".edition-move-to summary").first.click()  # the open menu is checked too
    violations = axe_violations(page, ["wcag2a", "wcag2aa"])
    problems = [f"{v['id']}: {v['help']} ({'; '.join(n['target'][0] for n in v['nodes'][:4])})"
                for v in violations]
    assert problems == []

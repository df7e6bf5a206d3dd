"""The desk in real headless Chromium: the rich-text editor on a very long story; two-factor."""

import base64

import pytest
from django.db import connections
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dateline.newsroom.models import Article

from ..site.test_browser import record_csp_violations
from .test_desk_door import next_code

# One editor at a time: nothing here contends for a row, so not marked desk (its contended
# saves run on PostgreSQL's suite); this runs with the other Chromium tests on SQLite's.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEN_THOUSAND_WORDS = "".join(
    f"<p>Paragraph {i}: " + " ".join(["newsroom"] * 99) + ".</p>" for i in range(100)
)


def test_editor_edits_a_ten_thousand_word_story_in_rich_text(
    browser, live_server, make_user, make_article
):
    editor = make_user("Editor", "editor")
    editor.set_password("pw-for-tests")
    editor.save()
    article = make_article("A very long story", body=TEN_THOUSAND_WORDS)
    connections.close_all()

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{live_server.url}/desk/login/?next=/desk/newsroom/article/{article.pk}/change/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-for-tests")
    page.click("input[type=submit]")
    editor_area = page.locator(".ProseMirror[contenteditable=true]")
    editor_area.wait_for(timeout=15000)
    assert editor_area.locator("> p").count() == 100
    # Put the cursor at the very end of the long story and type, as a reporter would.
    editor_area.locator("> p", has_text="Paragraph 99:").click()
    page.keyboard.press("End")
    page.keyboard.type(" Final words typed in the browser.")
    page.keyboard.press("Control+b")
    page.keyboard.type(" Bold.")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success", timeout=15000)
    assert problems == [], "\n".join(problems)
    article.refresh_from_db()
    assert article.body.count("<p>Paragraph ") == 100
    assert "Final words typed in the browser." in article.body
    assert "<strong>Bold.</strong>" in article.body or "<strong> Bold.</strong>" in article.body
    assert article.version == 2
    assert Article.objects.get(pk=article.pk).revisions.count() == 1


def test_a_reporter_turns_on_two_factor_and_logs_in_with_a_code(
    browser, live_server, make_user
):
    make_user("Reporter", "rita")
    connections.close_all()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    record_csp_violations(page)

    def log_in(code: str = "") -> None:
        page.goto(f"{live_server.url}/desk/login/?next=/desk/")
        page.fill("#id_username", "rita")
        page.fill("#id_password", "pw-for-tests")
        page.fill("#id_otp_token", code)
        page.click("input[type=submit]")

    log_in()
    page.click("text=Two-factor")
    # Waited for: the click returns once the page is asked for, not once it is shown (a loaded
    # clean run read it before the page had come).
    page.locator(".two-factor-qr svg").wait_for(state="visible")
    # What a reader of the page types into an app: the key it shows.
    key = base64.b32decode(page.inner_text(".two-factor-secret").replace(" ", ""))
    page.fill("#id_code", f"{totp(key):06d}")
    page.click("input[type=submit]")
    page.wait_for_selector(".messagelist .success", timeout=15000)
    assert page.evaluate("window.cspViolations") == []
    page.click("#logout-form button")

    log_in()  # the password alone is no longer enough
    assert "enter your password again" in page.inner_text(".errornote")
    log_in(next_code(TOTPDevice.objects.get()))
    page.wait_for_selector("#site-name", timeout=15000)
    assert page.url.rstrip("/").endswith("/desk")
    assert page.locator("#user-tools").is_visible()


def test_the_story_list_and_editor_keep_to_the_screen(browser, live_server, make_user,
                                                      make_article):
    """A headline of one 300-letter word pushed the list's other columns off a 1400-pixel
    screen; on a phone the schedule and embargo boxes widened the page past 390 pixels."""
    editor = make_user("Editor", "editor")
    editor.set_password("pw-for-tests")
    editor.save()
    make_article("x" * 300)
    story = make_article("Flood warning")
    connections.close_all()
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/desk/login/?next=/desk/newsroom/article/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-for-tests")
    page.click("input[type=submit]")
    page.wait_for_selector("#result_list")
    widest = page.evaluate("""() => Math.max(...[...document.querySelectorAll(
        '#result_list .field-headline')].map(cell => cell.getBoundingClientRect().width))""")
    assert widest <= 32 * 16 + 1
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/desk/newsroom/article/{story.pk}/change/")
    page.wait_for_selector("#article_form")
    wider = page.evaluate("""() => [...document.querySelectorAll('.transition input')]
        .filter(box => box.getBoundingClientRect().right > innerWidth + 1)
        .map(box => box.name)""")
    assert wider == []
    # The editor's own draft of one unbroken 300-letter word, in "Your drafts" and in its own
    # page's breadcrumbs: the list was 1,921 px wide at 390, the story's page 2,037.
    long = make_article("y" * 300, status=Article.Status.DRAFT, published_at=None,
                        created_by=editor)
    past_edge = """sel => [...document.querySelectorAll(sel)]
        .filter(el => el.getBoundingClientRect().right > innerWidth + 1).length"""
    page.goto(f"{live_server.url}/desk/newsroom/article/")
    page.wait_for_selector(".budget-panel")
    assert page.evaluate(past_edge, ".budget-panel") == 0
    page.goto(f"{live_server.url}/desk/newsroom/article/{long.pk}/change/")
    page.wait_for_selector("#article_form")
    assert page.evaluate(past_edge, ".breadcrumbs") == 0

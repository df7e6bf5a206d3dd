"""Writing a story in real headless Chromium: headline count, the body editor, pick-or-create."""

import pytest
from django.db import connections

from dateline.newsroom.models import Article, Source, Tag

from ..site.test_browser import record_csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.desk, pytest.mark.django_db(transaction=True)]
SCREENSHOT = "/tmp/desk-writing-editor.png"


def open_new_article(browser, live_server, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    record_csp_violations(page)
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.goto(f"{live_server.url}/desk/login/?next=/desk/newsroom/article/add/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-for-tests")
    page.click("input[type=submit]")
    page.locator(".ProseMirror[contenteditable=true]").wait_for(timeout=15000)
    return page


def pick(page, field: str, typed: str, option: str) -> None:
    """Type into a select2 picker and press Enter once `option` is the highlighted result."""
    page.click(f".field-{field} .select2-selection")
    page.keyboard.type(typed)
    highlighted = page.locator(".select2-results__option--highlighted")
    highlighted.filter(has_text=option).wait_for(timeout=10000)
    page.keyboard.press("Enter")


def test_editor_writes_formats_tags_and_saves_a_story(
    browser, live_server, make_user, make_section, make_tag
):
    make_user("Editor", "editor")
    make_section("World")
    sofia = make_tag("Sofia", Tag.Kind.PLACE)
    connections.close_all()
    page = open_new_article(browser, live_server, 1280)

    headline = "Parliament passes the budget after a night of talks"
    page.click("#id_headline")
    page.keyboard.type(headline)
    assert page.inner_text(".headline-count") == f"{len(headline)} / 300"
    form_width = page.locator("#article_form").bounding_box()["width"]
    assert page.locator("#id_headline").bounding_box()["width"] >= 0.8 * form_width
    page.keyboard.type(" and a very long tail that no list of stories can show in full")
    assert "over 110" in page.inner_text(".headline-count.over-guide")

    body = page.locator(".ProseMirror[contenteditable=true]")
    body.click()
    page.keyboard.type("The budget passed at dawn.")
    page.keyboard.press("Enter")
    # A heading and a bulleted list from the toolbar...
    page.click(".prose-menubar__selected")
    options = page.locator(".prose-menubar__option")
    assert options.evaluate_all("os => os.map(o => o.dataset.name)") == [
        "heading2", "heading3", "heading4", "paragraph",
    ]
    page.click(".prose-menubar__option[data-name=heading2]")
    page.keyboard.type("What changes")
    page.keyboard.press("Enter")
    page.click(".prose-menubar button[data-name=bulletList]")
    page.keyboard.type("Pensions rise")
    page.keyboard.press("Enter")
    page.keyboard.type("Fuel duty falls")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # an empty item ends the list
    # ... and from the keyboard.
    page.keyboard.press("Control+Alt+3")
    page.keyboard.type("Who voted")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+Shift+7")
    page.keyboard.type("The government")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+Shift+8")
    page.keyboard.type("Bullet by shortcut")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+Shift+b")
    page.keyboard.press("Control+b")
    page.keyboard.type("Quoted")
    bullets = body.locator("ul > li").first.evaluate("li => getComputedStyle(li).listStyleType")
    numbers = body.locator("ol > li").first.evaluate("li => getComputedStyle(li).listStyleType")
    assert bullets not in ("none", "") and numbers not in ("none", "")
    page.locator(".prose-editor").screenshot(path=SCREENSHOT)
    # The block-type arrow is drawn, not a character the fonts lack.
    arrow = page.eval_on_selector(
        ".prose-menubar__selected", "b => getComputedStyle(b, '::after').content"
    )
    assert arrow == '""'

    pick(page, "section", "Wor", "World")
    pick(page, "tags", "Elections 2024", "Elections 2024 (new)")
    pick(page, "tags", "sofia", "Sofia (place)")  # an existing name comes first
    pick(page, "tags", "2024", "2024 (new)")
    pick(page, "sources", "Reuters", "Reuters (new)")
    page.fill("#id_byline_text", "Reader report by Ann Lee")
    assert page.locator(".field-tags .related-widget-wrapper-link").count() == 0
    page.screenshot(path="/tmp/desk-writing-form.png", full_page=True)
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success", timeout=15000)
    assert page.problems == [], "\n".join(page.problems)
    assert page.evaluate("window.cspViolations") == []

    article = Article.objects.get()
    assert article.section.name == "World"
    assert {t.name for t in article.tags.all()} == {"Elections 2024", "Sofia", "2024"}
    assert sofia in article.tags.all() and Tag.objects.filter(name__iexact="sofia").count() == 1
    assert Tag.objects.get(name="2024").kind == Tag.Kind.TOPIC
    assert [s.name for s in article.sources.all()] == ["Reuters"]
    assert Source.objects.count() == 1
    assert article.byline_text == "Reader report by Ann Lee"
    assert "<h2>What changes</h2>" in article.body and "<h3>Who voted</h3>" in article.body
    assert "<ul><li><p>Pensions rise</p></li>" in article.body
    assert "<ol><li><p>The government</p></li></ol>" in article.body
    assert "<ul><li><p>Bullet by shortcut</p></li></ul>" in article.body
    assert "<blockquote><p><strong>Quoted</strong></p></blockquote>" in article.body
    # The saved story opens again with its picks shown in the pickers.
    tags_shown = page.inner_text(".field-tags .select2-selection")
    assert "Elections 2024" in tags_shown and "Sofia (place)" in tags_shown


def test_on_a_phone_the_editor_fits_the_screen(browser, live_server, make_user):
    make_user("Editor", "editor")
    connections.close_all()
    page = open_new_article(browser, live_server, 390)
    page.screenshot(path="/tmp/desk-writing-phone.png", full_page=True)
    for selector in ["#id_headline", ".prose-editor", ".field-tags .select2-container"]:
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, selector
    assert page.problems == []


def test_the_body_toolbar_is_one_stop_of_the_tab_key(browser, live_server, make_user):
    """Tab from the standfirst went through every button of the body's toolbar, disabled ones
    too (17 presses) before it reached the body. The toolbar is one stop now; the arrow keys,
    Home and End move along it."""
    make_user("Editor", "editor")
    connections.close_all()
    page = open_new_article(browser, live_server, 1280)
    page.click("#id_standfirst")
    page.keyboard.press("Tab")
    toolbar = page.locator(".field-body [role=toolbar]")
    assert toolbar.get_attribute("aria-label") == "Body: formatting"
    first = page.evaluate("() => document.activeElement.dataset.name || "
                          "document.activeElement.title")
    assert page.evaluate("() => !!document.activeElement.closest('[role=toolbar]')")
    page.keyboard.press("ArrowRight")
    second = page.evaluate("() => document.activeElement.dataset.name")
    assert second and second != first
    assert page.evaluate("() => !document.activeElement.disabled")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('ProseMirror')")
    # Arrived, and seen to have: the editor's own stylesheet had taken the focus ring away.
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != (
        "none")
    page.keyboard.press("Shift+Tab")  # back to the button last used, not the first
    assert page.evaluate("() => document.activeElement.dataset.name") == second
    # End and Home stop at buttons that can act here: on an empty body, undo and redo are
    # greyed out (a class, not `disabled`), and say so to a screen reader.
    page.keyboard.press("End")
    assert page.evaluate("() => !document.activeElement.classList.contains('disabled')")
    redo = page.locator(".field-body .prose-menubar__button[title=redo]")
    assert "disabled" in redo.get_attribute("class")
    assert redo.get_attribute("aria-disabled") == "true"
    assert page.problems == []
    page.close()


def test_save_pressed_while_a_picker_is_open_saves(browser, live_server, make_user, make_section):
    """With a picker open (a name typed, nothing chosen), the first press of Save did nothing:
    closing the picker scrolled the page back to it, under the pointer."""
    make_user("Editor", "editor")
    make_section("World")
    connections.close_all()
    page = open_new_article(browser, live_server, 1280)
    page.fill("#id_headline", "Port strike ends")
    page.locator(".ProseMirror[contenteditable=true]").click()
    page.keyboard.type("Dockers went back to work.")
    page.click(".field-section .select2-selection")
    page.keyboard.type("World")
    page.locator(".select2-results__option--highlighted", has_text="World").wait_for()
    page.keyboard.press("Enter")
    page.click(".field-tags .select2-selection")
    page.keyboard.type("zzq")
    page.locator(".select2-container--open .select2-results__option").first.wait_for()
    page.click("input[name=_continue]")  # once
    page.wait_for_selector(".messagelist .success", timeout=15000)
    assert Article.objects.get().headline == "Port strike ends"
    assert page.problems == []
    page.close()


def test_a_save_sent_back_with_errors_takes_the_focus_to_them(browser, live_server,
                                                              make_user, make_article):
    """"Please correct the error below." came back with the focus at the page's top: a
    keyboard or screen-reader user pressing Save on a story heard nothing of what went
    wrong. (A new story's form gives the first field the focus itself.)"""
    make_user("Editor", "editor")
    story = make_article("Storm", standfirst="Winds rise.")
    connections.close_all()
    page = open_new_article(browser, live_server, 1280)
    page.goto(f"{live_server.url}/desk/newsroom/article/{story.pk}/change/")
    page.fill("#id_headline", "")
    page.fill("#id_standfirst", "Winds reach 120 km/h")
    page.click("input[name=_continue]")
    page.wait_for_selector(".errornote:focus", timeout=10000)
    assert "correct the error" in page.evaluate("document.activeElement.textContent")
    assert page.input_value("#id_standfirst") == "Winds reach 120 km/h"
    assert page.problems == []
    page.close()


def test_a_reporter_typing_a_new_tag_is_told_who_adds_it(browser, live_server, make_user,
                                                          make_tag):
    """A reporter may pick tags, not create them: select2 said only "No results found"."""
    make_user("Reporter", "editor")
    make_tag("Sofia", Tag.Kind.PLACE)
    connections.close_all()
    page = open_new_article(browser, live_server, 1280)
    page.click(".field-tags .select2-selection")
    page.keyboard.type("Plovdiv")
    message = page.locator(".select2-container--open .select2-results__message")
    message.wait_for(timeout=10000)
    assert message.inner_text() == "No tag of that name: an editor adds new tags."
    assert page.locator(".select2-results__option", has_text="(new)").count() == 0
    page.keyboard.press("Escape")
    page.click(".field-tags .select2-selection")
    page.keyboard.type("Sof")
    page.locator(".select2-results__option--highlighted", has_text="Sofia").wait_for()
    assert page.problems == []
    page.close()

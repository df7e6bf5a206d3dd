"""The desk in real headless Chromium: the rich-text editor on a very long story."""

import pytest
from django.db import connections

from dateline.newsroom.models import Article

from ..site.test_browser import browser  # noqa: F401 - the shared Chromium fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEN_THOUSAND_WORDS = "".join(
    f"<p>Paragraph {i}: " + " ".join(["newsroom"] * 99) + ".</p>" for i in range(100)
)


def test_editor_edits_a_ten_thousand_word_story_in_rich_text(
    browser, live_server, make_user, make_article  # noqa: F811
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

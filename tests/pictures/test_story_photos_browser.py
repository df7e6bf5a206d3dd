"""In real Chromium: an editor picks a lead photo by typing, is told to write its alt text,
writes it in the library, and publishes."""

import pytest
from django.db import connections

from dateline.newsroom.models import Article
from dateline.pictures.models import StoryPhoto

from ..newsroom.test_desk_axe import axe_violations
from ..newsroom.test_desk_editing_browser import editor_account, open_story
from .test_story_photos import library_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_picks_a_lead_photo_by_typing_writes_its_alt_text_and_publishes(
    browser, live_server, make_user, make_article
):
    editor_account(make_user, "ann", "Ann", "Lee")
    article = make_article("Storm reaches the coast", status=Article.Status.DRAFT,
                           published_at=None)
    photo = library_photo(title="Harbour wall at dawn")
    library_photo(title="Parliament in session")
    connections.close_all()

    page = open_story(browser.new_context(), live_server, "ann", article)
    page.click("text=Add another photo")
    row = page.locator(".story-photos .inline-related:not(.empty-form)").last
    # Its fields' help texts are its own: they named the template row's ("__prefix__").
    described = row.evaluate(
        "r => [...r.querySelectorAll('[aria-describedby]')].flatMap("
        "f => f.getAttribute('aria-describedby').split(' '))")
    assert described and not [name for name in described if "__prefix__" in name]
    assert all(page.locator(f"[id='{name}']").count() == 1 for name in described)
    # Two rows more, the first of them removed: the last is renumbered, its help text too.
    page.click("text=Add another photo")
    page.click("text=Add another photo")
    rows = page.locator(".story-photos .inline-related:not(.empty-form)")
    rows.nth(rows.count() - 2).locator(".inline-deletelink").click()
    for _ in range(20):  # pointed again just after Django renumbers the rows
        described = rows.last.evaluate(
            "r => [...r.querySelectorAll('[aria-describedby]')].flatMap("
            "f => f.getAttribute('aria-describedby').split(' '))")
        if all(page.locator(f"[id='{name}']").count() == 1 for name in described):
            break
        page.wait_for_timeout(50)
    assert described and all(page.locator(f"[id='{name}']").count() == 1 for name in described)
    page.locator(".story-photos .inline-related:not(.empty-form)").last.locator(
        ".inline-deletelink").click()
    row.locator(".select2-selection").click()
    page.keyboard.type("harbour")
    page.locator(".select2-results__option", has_text="Harbour wall at dawn").click()
    assert row.locator("select[name$=-role]").input_value() == "lead"

    # Publish saves the text and the photo first, then refuses: the photo has no alt text.
    page.click("button[name=_workflow][value=publish]")
    page.wait_for_selector(".messagelist .error")
    assert "The lead photo has no alt text" in page.inner_text(".messagelist")
    assert StoryPhoto.objects.get(article=article, role="lead").photo == photo
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT
    assert "No alt text yet" in page.inner_text(".story-photos")
    # The editor with a photo row, its picker and its upload: no WCAG A/AA violation (axe is
    # injected, so in a context of its own that lets it past the CSP).
    checked = open_story(browser.new_context(bypass_csp=True), live_server, "ann", article)
    checked.wait_for_selector(".story-photos .select2-container")
    assert axe_violations(checked) == []
    checked.context.close()

    page.goto(f"{live_server.url}/desk/pictures/photo/{photo.pk}/change/")
    page.fill("#id_alt_text", "Waves break over the harbour wall at Varna.")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    page.goto(f"{live_server.url}/desk/newsroom/article/{article.pk}/change/")
    assert "Alt text: Waves break over the harbour wall" in page.inner_text(".story-photos")
    page.click("button[name=_workflow][value=publish]")
    page.wait_for_selector(".messagelist .success")
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED
    assert page.errors == []
    assert page.evaluate("window.cspViolations") == []

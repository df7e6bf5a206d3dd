"""The live-coverage screen is part of the desk: its layout, navigation, form and entries."""

import re

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from dateline.live.models import LiveEntry

from ..site.test_browser import AXE, axe_violations

pytestmark = pytest.mark.django_db


def test_the_screen_has_the_desks_header_breadcrumbs_nav_and_styles(
    desk_client, make_user, make_article
):
    story = make_article("Election night", is_live_coverage=True)
    LiveEntry.objects.create(article=story, body="<p>Polls close.</p>")
    text = desk_client(make_user("Editor")).get(f"/desk/live/{story.pk}/coverage/").text
    assert '<header id="header">' in text and "Dateline desk" in text
    assert 'id="nav-sidebar"' in text  # the same app list as every other desk page
    crumbs = re.search(r'<ol class="breadcrumbs">(.*?)</ol>', text, re.S).group(1)
    assert '<a href="/desk/">Home</a>' in crumbs
    assert '<a href="/desk/newsroom/article/">Articles</a>' in crumbs
    assert f'<a href="/desk/newsroom/article/{story.pk}/change/">Election night</a>' in crumbs
    assert '<li aria-current="page">Live coverage</li>' in crumbs
    assert "/static/desk/desk.css" in text and "/static/live/desk.css" in text
    assert f'href="{story.get_absolute_url()}">View on site</a>' in text
    assert '<label for="id_body">New entry:</label>' in text
    assert 'aria-describedby="id_body_helptext"' in text
    assert "Polls close." in text and "Remove this entry" in text


def test_a_filed_entry_is_confirmed_in_the_desks_message_list(
    desk_client, make_user, make_article
):
    story = make_article("Storm, live")
    client = desk_client(make_user("Editor"))
    answer = client.post(f"/desk/live/{story.pk}/coverage/", {"body": "Winds reach 120 km/h."},
                         follow=True)
    assert answer.redirect_chain == [(f"/desk/live/{story.pk}/coverage/", 302)]
    assert re.search(r'<ul class="messagelist">\s*<li class="success">Entry filed.</li>',
                     answer.text)
    assert "<p>Winds reach 120 km/h.</p>" in answer.text


@pytest.mark.parametrize(("typed", "kept"), [
    # Plain paragraphs holding simple formatting, as the help says may be written: it showed
    # readers "<b>a new start</b>".
    ("The mayor rides the first tram.\n\nShe calls it <b>a new start</b> for the city.",
     "<p>The mayor rides the first tram.</p>\n<p>She calls it <b>a new start</b> for the "
     "city.</p>"),
    ('Results <a href="https://example.org/r">are here</a>.',
     '<p>Results <a href="https://example.org/r" rel="noopener noreferrer nofollow">are '
     'here</a>.</p>'),
    # Plain text that only looks like markup stays text.
    ("Turnout < 40% & falling; 3<4.", "<p>Turnout &lt; 40% &amp; falling; 3&lt;4.</p>"),
    ("Watch <script>alert(1)</script> <b>now</b>", "<p>Watch  <b>now</b></p>"),
    # An image of any address: no library photo, no words for those who cannot see it.
    ('<p>Crowds <img src="x" onerror="alert(1)"> gather <img src="https://example.org/a.jpg" '
     'alt="a">.</p>', "<p>Crowds  gather .</p>"),
])
def test_an_entry_typed_as_text_keeps_its_simple_formatting(desk_client, make_user,
                                                            make_article, typed, kept):
    story = make_article("Tram opens, live")
    desk_client(make_user("Editor")).post(f"/desk/live/{story.pk}/coverage/", {"body": typed})
    assert LiveEntry.objects.get(article=story).body == kept


def test_an_entry_sent_twice_from_one_page_is_filed_once(desk_client, make_user, make_article):
    client = desk_client(make_user("Editor"))
    story = make_article("Cup final, live")
    url = f"/desk/live/{story.pk}/coverage/"
    key = re.search(r'name="sending" value="([^"]+)"', client.get(url).text)[1]
    for _ in range(2):  # a double click: two identical entries before
        client.post(url, {"body": "GOAL!", "sending": key})
    assert LiveEntry.objects.filter(article=story).count() == 1
    # The same words from the next page are the next entry: goals come in pairs.
    key = re.search(r'name="sending" value="([^"]+)"', client.get(url).text)[1]
    client.post(url, {"body": "GOAL!", "sending": key})
    assert LiveEntry.objects.filter(article=story).count() == 2


def test_the_first_entry_sends_partners_nothing_new(desk_client, make_user, make_article):
    """Filing the first entry turned live coverage on and put the story on the wire's
    changes feed again, the same item at the same version (partners' item carries no live
    coverage)."""
    from dateline.newsroom.models import Article

    story = make_article("Storm, live")
    story.refresh_from_db()
    sent = (story.wire_changed_at, story.wire_version)
    desk_client(make_user("Editor")).post(f"/desk/live/{story.pk}/coverage/",
                                          {"body": "Winds reach 120 km/h."})
    story = Article.objects.get(pk=story.pk)
    assert story.is_live_coverage
    assert (story.wire_changed_at, story.wire_version) == sent


def test_a_reporter_sees_no_remove_buttons(desk_client, make_user, make_article):
    reporter = make_user("Reporter")
    story = make_article("Summit, live", created_by=reporter, is_live_coverage=True)
    LiveEntry.objects.create(article=story, body="<p>Leaders arrive.</p>")
    text = desk_client(reporter).get(f"/desk/live/{story.pk}/coverage/").text
    assert "Leaders arrive." in text and "Remove this entry" not in text


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_screen_passes_axe_and_works_from_the_keyboard(
    browser, live_server, make_user, make_article
):
    if not AXE.exists():
        pytest.fail("axe-core is required: run `npm ci` (make test does)")
    editor = make_user("Editor")
    story = make_article("Election night", is_live_coverage=True)
    LiveEntry.objects.create(article=story, body="<p>Polls close.</p>", author=editor)
    client = Client()
    client.force_login(editor)
    connections.close_all()
    # The desk's CSP rightly refuses injected scripts; the auditor is let in on purpose.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page = context.new_page()
    page.goto(f"{live_server.url}/desk/live/{story.pk}/coverage/")
    violations = axe_violations(page, ["wcag2a", "wcag2aa"])
    assert [f"{v['id']}: {v['help']}" for v in violations] == []
    # Keyboard only: focus the box by its label, type, and submit with Enter on the button.
    page.get_by_label("New entry").focus()
    page.keyboard.type("Turnout is 61 per cent.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.value") == "File entry"
    page.keyboard.press("Enter")
    page.wait_for_selector(".messagelist .success")
    assert "Turnout is 61 per cent." in page.locator(".live-entry").first.inner_text()
    assert LiveEntry.objects.filter(article=story, body__contains="Turnout is 61").exists()


def editors_page(browser, live_server, editor):
    """A browser context with the editor's desk session, and a page in it."""
    client = Client()
    client.force_login(editor)
    connections.close_all()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    return context, context.new_page()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_entry_the_desk_never_answered_is_back_in_its_form_after_going_back(
    browser, live_server, make_user, make_article
):
    """An entry filed while the database was locked was answered 503, and the entry was gone:
    going back showed an empty box, and the text typed during the news was lost."""
    editor = make_user("Editor")
    story = make_article("Election night", is_live_coverage=True)
    context, page = editors_page(browser, live_server, editor)
    coverage = f"{live_server.url}/desk/live/{story.pk}/coverage/"

    def locked(route):  # the desk's posts refused, as while the database is locked
        if route.request.method == "POST":
            route.fulfill(status=503, content_type="text/html",
                          body="<h1>Briefly unavailable</h1>")
        else:
            route.continue_()

    page.goto(coverage)
    page.route("**/desk/**", locked)
    page.get_by_label("New entry").fill("Turnout is 61 per cent.")
    page.click("text=File entry")
    page.wait_for_selector("text=Briefly unavailable")
    page.go_back()
    page.wait_for_selector(".unsent-note:focus")
    assert "may not have been saved" in page.inner_text(".unsent-note")
    assert page.get_by_label("New entry").input_value() == "Turnout is 61 per cent."
    page.unroute("**/desk/**")
    page.click("text=File entry")
    page.wait_for_selector(".messagelist .success")
    assert LiveEntry.objects.filter(article=story, body__contains="Turnout is 61").count() == 1
    page.reload()  # filed now: nothing is put back again
    page.wait_for_load_state("load")
    assert page.locator(".unsent-note").count() == 0
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_removing_an_entry_asks_first(browser, live_server, make_user, make_article):
    """"Remove this entry" took a published entry from every reader at one click, for good."""
    editor = make_user("Editor")
    story = make_article("Election night", is_live_coverage=True)
    entry = LiveEntry.objects.create(article=story, body="<p>Polls close.</p>", author=editor)
    context, page = editors_page(browser, live_server, editor)
    page.goto(f"{live_server.url}/desk/live/{story.pk}/coverage/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("text=Remove this entry")
    page.wait_for_timeout(500)
    assert LiveEntry.objects.filter(pk=entry.pk).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("text=Remove this entry")
    assert not LiveEntry.objects.filter(pk=entry.pk).exists()
    context.close()

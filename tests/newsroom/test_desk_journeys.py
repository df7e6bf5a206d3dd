"""An editor's working day as journeys in real Chromium, each counted in page loads and clicks.

Each journey asserts its outcome (in the database and on the reader's page) and holds its
counts to the budget that README.md's "Measured journeys" table quotes: a change to the desk
may lower them, never raise them. The figures are refreshed by `make journeys`.
"""

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.db import connections

from dateline.newsroom.models import Article
from dateline.submissions.models import Submission
from tests import prepared

from ..live.server import (
    DATELINE,
    PUBLISH,
    RunningSite,
    free_port_pair,
    site_environment,
    wait_for,
)
from .journeys import journey, journey_report, logged_in_page  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.desk]
ARTICLE = "/desk/newsroom/article/"
SERVED_SETTINGS = "tests.newsroom.served_settings"
ROOT = Path(__file__).resolve().parents[2]
SECOND = 2_000  # ms: what "within a second" is given in a wait, against a loaded machine


PAGES = {
    "/start": '<a href="/form">Next</a> <button type="button" onclick="this.textContent=1">'
              "Works in place</button>",
    "/form": '<form action="/done"><label>Query <input name="q"></label></form>',
    "/done": "<p>Done</p>",
}


def test_the_harness_counts_each_page_load_and_each_click(browser, journey):  # noqa: F811
    """What the budgets stand on: a loaded page, a followed link, a form sent with Enter."""
    page = browser.new_page()
    page.route("http://journey.test/**", lambda route: route.fulfill(
        content_type="text/html", body=PAGES[route.request.url.split("journey.test")[1]
                                             .split("?")[0]]))
    trip = journey("the harness itself", page)
    trip.goto("http://journey.test/start")
    trip.click("button")  # a click that loads nothing
    assert page.locator("button").inner_text() == "1"
    assert (trip.page_loads, trip.clicks) == (1, 1)
    trip.click("text=Next")
    page.fill("input[name=q]", "typing is not counted")
    trip.press_enter("input[name=q]")
    assert page.url == "http://journey.test/done?q=typing+is+not+counted"
    assert (trip.page_loads, trip.clicks) == (3, 3)


@pytest.mark.django_db(transaction=True)
def test_write_tag_source_and_publish_a_story(browser, live_server, journey,  # noqa: F811
                                              make_user, make_section, make_tag):
    make_section("World", position=1)
    make_tag("Transport")
    editor = make_user("Editor", "editor")
    connections.close_all()
    page = logged_in_page(browser, live_server.url, editor)
    trip = journey("write and publish a story", page)

    trip.goto(live_server.url + "/desk/")
    trip.click(f'#content-main a.addlink[href="{ARTICLE}add/"]')
    page.fill("#id_headline", "Tram line to the airport opens on Monday")
    trip.pick(page, "section", "Wor", "World")
    trip.click(".ProseMirror[contenteditable=true]")
    # The body's heading and list come from the keyboard: typing, not aiming.
    page.keyboard.type("The line runs every ten minutes from six in the morning.")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+Alt+2")
    page.keyboard.type("Where it stops")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+Shift+8")
    page.keyboard.type("Central Station")
    page.keyboard.press("Enter")
    page.keyboard.type("Airport, Terminal 2")
    trip.pick(page, "tags", "Airports", "Airports (new)")
    trip.pick(page, "tags", "transp", "Transport")
    trip.pick(page, "sources", "City transport office", "City transport office (new)")
    trip.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    # Publish saves the form first: one button, nothing typed is lost.
    trip.click("button.workflow-button[value=publish]")
    page.wait_for_selector(".messagelist .success")
    trip.click("text=View on site")

    story = Article.objects.get(headline="Tram line to the airport opens on Monday")
    assert story.status == Article.Status.PUBLISHED and story.published_at is not None
    assert "<h2>Where it stops</h2>" in story.body
    assert "<li><p>Airport, Terminal 2</p></li>" in story.body
    assert sorted(t.name for t in story.tags.all()) == ["Airports", "Transport"]
    assert [s.name for s in story.sources.all()] == ["City transport office"]
    assert page.url == live_server.url + story.get_absolute_url()
    assert page.locator("h1").inner_text() == story.headline
    shown = page.locator(".story-body")
    assert shown.locator("h2", has_text="Where it stops").count() == 1
    assert shown.locator("li", has_text="Central Station").count() == 1
    reader_page = page.locator("main").inner_text()
    for name in ("Airports", "Transport", "City transport office"):
        assert name in reader_page, name
    trip.within(page_loads=5, clicks=13)


@pytest.mark.django_db(transaction=True)
def test_accept_a_reader_report_and_publish_it(browser, live_server, journey,  # noqa: F811
                                               make_user, make_section, make_article):
    make_section("World", position=1)
    city = make_section("City", position=2)
    story = make_article("Floods close the ring road", section=city)
    editor = make_user("Editor", "editor")
    connections.close_all()

    # The reader's part, in their own browser: not the desk's to count.
    reader = browser.new_page(viewport={"width": 1280, "height": 900})
    reader.goto(f"{live_server.url}/report/?from={story.pk}")
    reader.get_by_label("Your name").fill("Maria Ivanova")
    reader.get_by_label("Your e-mail address").fill("maria@example.org")
    reader.get_by_label("Headline").fill("Tram derails on Vitosha Boulevard")
    reader.get_by_label("Your report").fill(
        "A tram left the rails at 8:10.\n\nNobody was hurt; the line is closed until noon.")
    reader.get_by_label("I accept the terms for readers' reports").check()
    reader.get_by_role("button", name="Send my report").click()
    reader.wait_for_url(re.compile(r".*/report/thanks/[^/]+/$"))
    report = Submission.objects.get()

    page = logged_in_page(browser, live_server.url, editor)
    trip = journey("accept a reader report", page)
    trip.goto(live_server.url + "/desk/")
    trip.click(page.locator("#content-main").get_by_role("link", name="Submissions",
                                                         exact=True))
    trip.click(page.get_by_role("link", name="Tram derails on Vitosha Boulevard").first)
    assert "A tram left the rails" in page.locator(".report-body").inner_text()
    trip.choose("#accept_section", "City")
    trip.click(page.get_by_role("button", name="Accept: make a draft"))
    page.wait_for_selector(".messagelist .success")
    assert page.locator("#id_byline_text").input_value() == "Reader report by Maria Ivanova"
    draft = Article.objects.get(headline="Tram derails on Vitosha Boulevard")
    assert draft.status == Article.Status.DRAFT and draft.section == city
    trip.click("button.workflow-button[value=publish]")
    page.wait_for_selector(".messagelist .success")
    trip.click("text=View on site")

    draft.refresh_from_db()
    report.refresh_from_db()
    assert report.status == Submission.Status.ACCEPTED
    assert draft.status == Article.Status.PUBLISHED
    assert draft.byline_text == "Reader report by Maria Ivanova"
    assert page.url == live_server.url + draft.get_absolute_url()
    assert page.locator("h1").inner_text() == "Tram derails on Vitosha Boulevard"
    assert "Reader report by Maria Ivanova" in page.locator("article").first.inner_text()
    assert "Nobody was hurt" in page.locator(".story-body").inner_text()
    trip.within(page_loads=6, clicks=6)


# Breaking news and live entries need the stream as readers meet it: a real `dateline serve`,
# started lean (no collectstatic, one web worker), with the desk's editor made as the story is.
@pytest.fixture(scope="module")
def site(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("site")
    env = {**site_environment(var_dir), "DJANGO_SETTINGS_MODULE": SERVED_SETTINGS}
    # The settings live in tests/: found from the checkout whatever folder pytest ran in.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    prepared.migrate(env)
    running = RunningSite(env, free_port_pair())
    running.processes.append(subprocess.Popen(
        [*DATELINE, "serve", "--host", "127.0.0.1", "--port", str(running.port), "--no-worker",
         "--workers", "1", "--threads", "2"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        wait_for(running.url + "/healthz")
        wait_for(running.live_url.replace("/events", "/healthz"))
        yield running
    finally:
        running.stop()


MAKE_EDITOR = """
from django.contrib.auth.models import Group, User
user = User.objects.create_user("night-editor", password="pw-for-journeys", is_staff=True)
user.groups.add(Group.objects.get(name="Editor"))
"""


@pytest.mark.broker
def test_breaking_news_and_live_entries_reach_an_open_reader_page(
    browser, site, journey  # noqa: F811
):
    [story] = site.django(MAKE_EDITOR + PUBLISH.format(
        headlines=["Earthquake shakes the capital"], breaking=False, pause=0))
    reader = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    reader.goto(site.url + story["url"])
    reader.wait_for_selector("html[data-live=open]", state="attached", timeout=10_000)
    assert reader.locator("#breaking-banner").is_hidden()
    assert reader.locator(".live-coverage").count() == 0

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{site.url}/desk/login/?next=/desk/")
    page.fill("#id_username", "night-editor")
    page.fill("#id_password", "pw-for-journeys")
    page.click("input[type=submit]")
    # The desk's own page loaded, not the login form's header (which has #site-name too): else
    # the journey below may count the login's redirect as one of its page loads.
    page.wait_for_url(f"{site.url}/desk/", wait_until="load")

    trip = journey("breaking news and two live entries", page)
    trip.goto(f"{site.url}{ARTICLE}{story['id']}/change/")
    trip.click("button[name=breaking][value=on]")
    reader.wait_for_selector("#breaking-banner >> text=Earthquake shakes the capital",
                             timeout=SECOND)
    trip.click("text=Start live coverage")
    for n, text in enumerate(["Buildings evacuated downtown.", "No injuries reported so far."]):
        page.fill("textarea[name=body]", text)
        trip.click(".live-entry-form [type=submit]")
        reader.wait_for_selector(f".live-entries >> text={text}", timeout=SECOND)
        assert page.locator(".live-entry", has_text=text).count() == 1, n
    newest_first = reader.locator(".live-entries > li").all_inner_texts()
    assert "No injuries" in newest_first[0] and "Buildings evacuated" in newest_first[1]

    state = site.django(
        "from dateline.newsroom.models import Article\n"
        f"a = Article.objects.get(pk={story['id']})\n"
        "result = [a.is_breaking, a.is_live_coverage, a.live_entries.count()]")
    assert state == [True, True, 2]
    trip.within(page_loads=5, clicks=4)

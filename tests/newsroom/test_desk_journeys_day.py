"""More of an editor's day as counted journeys: schedule and embargo to the second, two editors
in conflict, and the edition arranged and sent. Harness and budgets as in test_desk_journeys.py.
"""

import subprocess
from datetime import timedelta

import pytest
import time_machine
from django.db import connections
from django.utils import timezone

from dateline.edition.models import Edition, EditionItem
from dateline.newsroom.actions.save import record_revision
from dateline.newsroom.models import Article

from .journeys import journey, journey_report, logged_in_page  # noqa: F401 - fixtures
from .test_scheduling import run_worker

pytestmark = [pytest.mark.browser, pytest.mark.desk, pytest.mark.django_db(transaction=True)]
ARTICLE = "/desk/newsroom/article/"
LEAD = 120  # seconds from typing a time to its moment; the test then moves the clock past it


def site_time(moment) -> str:
    """What the editor types in a "to the second" box: the site's zone, no offset."""
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M:%S}"


def seen_by_reader(reader, live_server, article) -> bool:
    return reader.goto(live_server.url + article.get_absolute_url()).status == 200


def test_schedule_one_story_and_embargo_another_to_the_second(
    browser, live_server, journey, make_user, make_section, make_article  # noqa: F811
):
    world = make_section("World", position=1)
    budget = make_article("Budget vote at dawn", section=world, status=Article.Status.DRAFT,
                          published_at=None)
    results = make_article("Exam results", section=world, status=Article.Status.DRAFT,
                           published_at=None)
    editor = make_user("Editor", "editor")
    connections.close_all()
    reader = browser.new_page()  # the reader's own browser: not the desk's to count
    page = logged_in_page(browser, live_server.url, editor)
    trip = journey("schedule one story and embargo another", page)

    trip.goto(f"{live_server.url}{ARTICLE}{budget.pk}/change/")
    at = timezone.now().replace(microsecond=0) + timedelta(seconds=LEAD)
    page.fill("input[name=wf-schedule-at]", site_time(at))
    trip.click("button.workflow-button[value=schedule]")
    page.wait_for_selector(".messagelist .success")
    # The embargo: published now, held from every reader until its second.
    trip.goto(f"{live_server.url}{ARTICLE}{results.pk}/change/")
    until = timezone.now().replace(microsecond=0) + timedelta(seconds=LEAD)
    page.fill("input[name=wf-embargo-at]", site_time(until))
    trip.click("button.workflow-button[value=embargo]")
    page.wait_for_selector(".messagelist .success")
    trip.click("button.workflow-button[value=publish]")
    # This page already shows the embargo's message (which names Publish now too): wait for
    # the publish's own.
    page.wait_for_selector(".messagelist .success:has-text('then “Publish now”: done')")
    trip.click(page.locator(".breadcrumbs a").last)

    rows = {headline: page.locator("#result_list tr", has_text=headline).inner_text()
            for headline in ("Budget vote at dawn", "Exam results")}
    assert f"Scheduled for {timezone.localtime(at):%Y-%m-%d %H:%M:%S}" in \
        rows["Budget vote at dawn"]
    assert f"Embargoed until {timezone.localtime(until):%Y-%m-%d %H:%M:%S}" in \
        rows["Exam results"]
    budget.refresh_from_db()
    results.refresh_from_db()
    assert (budget.status, budget.scheduled_for) == (Article.Status.SCHEDULED, at)
    assert (results.status, results.embargo_until) == (Article.Status.PUBLISHED, until)
    assert not seen_by_reader(reader, live_server, budget)
    assert not seen_by_reader(reader, live_server, results)

    # Two minutes later, for the server and the worker alike (however slow the machine).
    with time_machine.travel(max(at, until) + timedelta(seconds=1), tick=True):
        run_worker()  # the scheduler's pass, as `dateline serve` runs it
        assert seen_by_reader(reader, live_server, budget)
        # Visibility never waits for a worker.
        assert seen_by_reader(reader, live_server, results)
    budget.refresh_from_db()
    assert (budget.status, budget.published_at) == (Article.Status.PUBLISHED, at)
    trip.within(page_loads=6, clicks=4)


def editor(make_user, username: str, first: str, last: str):
    user = make_user("Editor", username)
    user.first_name, user.last_name = first, last
    user.save()
    return user


def test_two_editors_in_conflict_merge_field_by_field(
    browser, live_server, journey, make_user, make_article  # noqa: F811
):
    ann, ben = editor(make_user, "ann", "Ann", "Lee"), editor(make_user, "ben", "Ben", "Ode")
    story = make_article("Flood warning", standfirst="Rivers rise.",
                         body="<p>Water is rising.</p>")
    record_revision(story, None)
    connections.close_all()
    url = f"{live_server.url}{ARTICLE}{story.pk}/change/"
    hers = logged_in_page(browser, live_server.url, ann)
    his = logged_in_page(browser, live_server.url, ben)
    trip = journey("two editors in conflict", hers)
    trip.watch(his)  # both editors' loads and clicks: the task is theirs together

    trip.goto(url)
    his.goto(url)
    assert "Ann Lee (editor) has had this story open since" in his.inner_text("#presence")

    hers.fill("#id_standfirst", "Rivers burst their banks.")
    hers.fill("#id_headline", "Flood warning for the south")
    trip.click(hers.locator("input[name=_continue]"))
    hers.wait_for_selector(".messagelist .success")
    # Her saved page lists him at once (no wait for a heartbeat).
    assert "Ben Ode (editor) has had this story open since" in hers.inner_text("#presence")
    his.fill("#id_headline", "Flood warning for the north")
    his.fill("#id_standfirst", "Rivers rise fast.")
    trip.click(his.locator("input[name=_continue]"))
    his.wait_for_selector("#conflict")
    # Both fields differ, each shown word by word with a choice of its own.
    assert his.locator("#conflict del", has_text="burst").count() == 1
    assert his.locator("#conflict del", has_text="south").count() == 1
    for name in ("conflict-standfirst", "conflict-headline"):
        assert his.locator(f"input[name={name}]").count() == 2, name
    # He takes her standfirst and keeps his headline.
    trip.click(his.locator("input[name=conflict-standfirst][value=theirs]"))
    trip.click(his.locator("input[name=conflict-headline][value=mine]"))
    assert his.input_value("#id_standfirst") == "Rivers burst their banks."
    assert his.input_value("#id_headline") == "Flood warning for the north"
    trip.click(his.locator("input[name=_continue]"))
    his.wait_for_selector(".messagelist .success")

    story.refresh_from_db()
    assert (story.headline, story.standfirst, story.version) == (
        "Flood warning for the north", "Rivers burst their banks.", 3)
    reader = browser.new_page()
    reader.goto(live_server.url + story.get_absolute_url())
    assert reader.locator("h1").inner_text() == "Flood warning for the north"
    assert "Rivers burst their banks." in reader.locator("main").inner_text()
    trip.within(page_loads=5, clicks=5)


def test_arrange_and_send_the_next_edition(
    browser, live_server, journey, make_user, make_section, make_article,  # noqa: F811
    mailoutbox, settings, tmp_path
):
    from dateline.edition.models import Subscriber

    settings.VAR_DIR = tmp_path / "var"  # where the PDF is kept
    world = make_section("World", position=1)
    make_section("Business", position=2)
    # Seconds old: inside the next edition's 24 hours whatever the time of day the test runs.
    make_article("Summit opens in Geneva", section=world, is_top_story=True,
                 age=timedelta(seconds=5))
    for n, headline in enumerate(["Floods in Valencia", "Talks stall in Vienna",
                                  "Ferry strike ends"]):
        make_article(headline, section=world, age=timedelta(seconds=4 - n))
    Subscriber.objects.create(email="reader@example.org", confirmed_at=timezone.now())
    chief = make_user("Editor", "chief")
    connections.close_all()
    page = logged_in_page(browser, live_server.url, chief)
    trip = journey("arrange and send the next edition", page)

    trip.goto(live_server.url + "/desk/edition/edition/")
    trip.click(page.get_by_role("button", name="Open the next edition"))
    board = page.locator("#edition-board")
    board.wait_for()
    assert board.locator(".edition-slot-section .edition-card").first.inner_text()\
        .startswith("Ferry strike ends")
    trip.drag(board.locator(".edition-card", has_text="Talks stall in Vienna"),
              board.locator(".edition-slot-brief .edition-cards"))
    page.wait_for_selector("#edition-board[data-saved='1']", state="attached")
    page.focus(".edition-card[data-headline='Floods in Valencia']")  # stands for tabbing there
    trip.press(page, "Alt+ArrowUp")
    page.wait_for_selector("#edition-board[data-saved='2']", state="attached")
    trip.click(page.get_by_role("link", name="Send now…"))
    trip.click(page.get_by_role("button", name="Send to 1 subscriber now"))
    page.wait_for_selector(".messagelist .success")
    run_worker()  # the background worker takes the send at once

    edition = Edition.objects.get()
    assert edition.status == Edition.Status.SENT
    placed = [(i.column, i.article.headline) for i in EditionItem.objects.filter(
        edition=edition, left_out=False).select_related("article").order_by("position")]
    assert [h for c, h in placed if c == "section"] == ["Floods in Valencia", "Ferry strike ends"]
    assert [h for c, h in placed if c == "brief"] == ["Talks stall in Vienna"]
    order = ("Summit opens in Geneva", "Floods in Valencia", "Ferry strike ends",
             "Talks stall in Vienna")
    assert [m.to for m in mailoutbox] == [["reader@example.org"]]
    assert in_order(mailoutbox[0].body, *order)
    pdf = tmp_path / "edition.pdf"
    pdf.write_bytes(page.request.get(f"{live_server.url}/desk/edition/edition/{edition.pk}/pdf/")
                    .body())
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True, timeout=60).stdout
    assert in_order(" ".join(text.split()), *order)
    reader = browser.new_page()
    reader.goto(live_server.url + edition.get_absolute_url())
    assert in_order(reader.locator("main").inner_text(), *order)
    # One load and one click more than before "Send now" asked first (to how many, with the
    # mail to look at): a send to every subscriber cannot be called back.
    trip.within(page_loads=4, clicks=5)


def in_order(text: str, *parts: str) -> bool:
    places = [text.find(part) for part in parts]
    return -1 not in places and places == sorted(places)

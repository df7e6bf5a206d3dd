"""The desk's story list is a newsroom budget: my drafts and what waits for me first, the
last changed on page 1, who is editing now, and a cost that does not grow with the page."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.actions.save import keep_refused
from dateline.newsroom.models import Article, Presence

LIST = "/desk/newsroom/article/"
Status = Article.Status


def panel(html: str, title: str) -> str:
    """The text of one budget panel ("Your drafts", "Waiting for you")."""
    found = re.search(
        rf'<section class="budget-panel"[^>]*>\s*<h2[^>]*>{title}</h2>(.*?)</section>', html, re.S)
    assert found, f"no panel {title!r} on the page"
    return found.group(1)


def main_list(html: str) -> str:
    return html[html.index('id="result_list"'):]


def draft(make_article, headline: str, user, **fields) -> Article:
    return make_article(headline, status=fields.pop("status", Status.DRAFT), published_at=None,
                        created_by=user, **fields)


def test_a_new_draft_is_on_page_one_above_older_published_stories(
        desk_client, make_user, make_article):
    editor = make_user("Editor")
    for i in range(60):  # more than one page of published stories
        make_article(f"Published story {i}", age=timedelta(days=i))
    draft(make_article, "Brand-new draft about the harbour", editor)
    html = desk_client(editor).get(LIST).content.decode()
    listed = main_list(html)
    assert "Brand-new draft about the harbour" in listed
    assert listed.index("Brand-new draft") < listed.index("Published story 59")
    assert "<title>Stories | Dateline desk</title>" in html and "<h1>Stories</h1>" in html


def test_an_editor_sees_their_drafts_and_every_story_in_review(
        desk_client, make_user, make_article):
    editor, colleague, reporter = make_user("Editor"), make_user("Editor"), make_user("Reporter")
    draft(make_article, "Editor's own draft", editor)
    draft(make_article, "Colleague's draft", colleague)
    draft(make_article, "Reporter's story in review", reporter, status=Status.REVIEW)
    make_article("Already published")
    html = desk_client(editor).get(LIST).content.decode()
    drafts, waiting = panel(html, "Your drafts"), panel(html, "Waiting for you")
    assert "Editor&#x27;s own draft" in drafts and "Colleague" not in drafts
    assert "Reporter&#x27;s story in review" in waiting
    assert "Already published" not in drafts + waiting
    assert f'href="{LIST}?status__exact=review"' in waiting


def test_a_reporter_waits_on_their_own_stories_in_review_and_those_sent_back(
        desk_client, make_user, make_article):
    reporter, other, editor = make_user("Reporter"), make_user("Reporter"), make_user("Editor")
    draft(make_article, "Fresh draft", reporter)
    draft(make_article, "Filed for review", reporter, status=Status.REVIEW)
    sent_back = draft(make_article, "Sent back to me", reporter)
    TRANSITIONS["submit"].execute(reporter, sent_back)
    TRANSITIONS["return"].execute(editor, sent_back)
    draft(make_article, "Someone else's in review", other, status=Status.REVIEW)
    html = desk_client(reporter).get(LIST).content.decode()
    drafts, waiting = panel(html, "Your drafts"), panel(html, "Waiting for you")
    assert "Fresh draft" in drafts and "Sent back to me" in drafts
    assert "Filed for review" in waiting and "Sent back to me" in waiting
    assert "Fresh draft" not in waiting and "Someone else" not in html  # reporters see their own


def test_panels_are_short_and_link_to_the_whole_list(desk_client, make_user, make_article):
    editor = make_user("Editor")
    for i in range(12):
        draft(make_article, f"Draft number {i:02d}", editor)
    drafts = panel(desk_client(editor).get(LIST).content.decode(), "Your drafts")
    assert drafts.count("<li>") == 10
    assert "Draft number 11" in drafts and "Draft number 00" not in drafts  # newest first
    assert f'href="{LIST}?status__exact=draft&amp;whose=mine"' in drafts


def test_the_budget_is_only_above_the_first_unfiltered_page(desk_client, make_user, make_article):
    client = desk_client(make_user("Editor"))
    make_article("Anything")
    assert "Your drafts" in client.get(LIST).content.decode()
    assert "Your drafts" not in client.get(LIST, {"status__exact": "draft"}).content.decode()
    assert "Your drafts" not in client.get(LIST, {"q": "anything"}).content.decode()


@pytest.mark.parametrize(("fields", "label"), [
    ({"status": Status.SCHEDULED, "published_at": None,
      "scheduled_for": datetime(2026, 12, 28, 7, 0, tzinfo=UTC)},
     "Scheduled for 2026-12-28 09:00:00 EET"),
    ({"embargo_until": datetime(2099, 5, 1, 9, 30, 15, tzinfo=UTC)},
     "Embargoed until 2099-05-01 12:30:15 EEST"),
    ({"status": Status.UNPUBLISHED}, "Killed"),
    ({"status": Status.DRAFT, "published_at": None,
      "embargo_until": datetime(2099, 5, 1, 9, 30, 15, tzinfo=UTC)},
     "Draft, embargoed until 2099-05-01 12:30:15 EEST"),
    ({"status": Status.SCHEDULED, "published_at": None,
      "scheduled_for": datetime(2099, 4, 30, 7, 0, tzinfo=UTC),
      "embargo_until": datetime(2099, 5, 1, 9, 30, 15, tzinfo=UTC)},
     "Scheduled for 2099-04-30 10:00:00 EEST, embargoed until 2099-05-01 12:30:15 EEST"),
    ({"status": Status.DRAFT, "published_at": None,
      "embargo_until": datetime(2020, 5, 1, 9, 30, 15, tzinfo=UTC)}, "Draft"),
    ({"status": Status.REVIEW, "published_at": None}, "In review"),
    ({}, "Published"),
])
def test_the_status_column_says_when_and_calls_a_taken_down_story_killed(
        desk_client, make_user, make_article, fields, label):
    make_article("The story", **fields)
    html = desk_client(make_user("Editor")).get(LIST, {"q": "The story"}).content.decode()
    assert f'<td class="field-status_label">{label}<input type="hidden"' in html


def test_editing_now_names_a_colleague_with_the_story_open_but_not_a_stale_one(
        desk_client, make_user, make_article):
    me, fresh, stale = make_user("Editor"), make_user("Editor"), make_user("Editor")
    fresh.first_name, fresh.last_name = "Ana", "Fresh"
    fresh.save()
    stale.first_name = "Old Tab"
    stale.save()
    story = make_article("Open story")
    now = timezone.now()
    for user, seen in ((me, now), (fresh, now - timedelta(seconds=5)),
                       (stale, now - timedelta(minutes=2))):
        Presence.objects.create(article=story, user=user, since=now - timedelta(minutes=5),
                                seen_at=seen)
    html = desk_client(me).get(LIST).content.decode()
    cell = re.search(r'<td class="field-editing_now">(.*?)</td>', html).group(1)
    assert cell == "Ana Fresh"  # not me, not the tab closed two minutes ago


def test_last_change_says_by_whom(desk_client, make_user, make_section):
    editor = make_user("Editor", username="maria")
    client = desk_client(editor)
    response = client.post(f"{LIST}add/", {
        "headline": "Written in the desk", "slug": "", "standfirst": "", "body": "<p>Text.</p>",
        "dateline": "", "section": make_section("Local").pk, "original_url": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    html = client.get(LIST).content.decode()
    cell = re.search(r'<td class="field-last_change">(.*?)</td>', html).group(1)
    assert cell.endswith(" by maria")
    # A colleague publishes it from the list (no revision); a save refused later (kept as a
    # refused revision, its text never applied) changes nothing.
    story = Article.objects.get(headline="Written in the desk")
    ben = make_user("Editor", username="ben")
    TRANSITIONS["publish"].execute(ben, story)
    keep_refused(story.pk, make_user("Reporter", username="rita"), story.version, "Mine", "",
                 "<p>Mine.</p>")
    html = client.get(LIST).content.decode()
    cell = re.search(r'<td class="field-last_change">(.*?)</td>', html).group(1)
    assert cell.endswith(" by ben")


def queries_for_list(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(LIST).status_code == 200
    return len(captured)


def test_the_list_costs_the_same_queries_for_5_stories_as_for_50(
        desk_client, make_user, make_article, make_section, make_author):
    editor = make_user("Editor")
    client = desk_client(editor)
    others = [make_user("Editor") for _ in range(3)]

    def add(count: int) -> None:
        for _ in range(count):
            story = make_article(section=make_section(f"Section {Article.objects.count()}"),
                                 authors=[make_author(f"Author {Article.objects.count()}")])
            for user in others:  # every row has people editing it
                Presence.objects.create(article=story, user=user, since=timezone.now(),
                                        seen_at=timezone.now())
            draft(make_article, "A draft", editor)

    add(5)
    few = queries_for_list(client)
    add(45)
    assert queries_for_list(client) == few


def test_the_section_filter_lists_a_busy_and_a_small_section_newest_first(
        desk_client, make_user, make_article, make_section):
    # A busy section is read along the last-changed index, a small one (under 2 % of the
    # stories) through the section index: both must list exactly their own stories.
    busy, small, other = make_section("Busy"), make_section("Small"), make_section("Other")
    for i in range(30):
        make_article(f"Busy story {i:02d}", section=busy)
        make_article(f"Other story {i:02d}", section=other)
    make_article("The only small story", section=small)
    client = desk_client(make_user("Editor"))
    listed = main_list(client.get(LIST, {"section__id__exact": busy.pk}).content.decode())
    assert len(set(re.findall(r"Busy story \d\d", listed))) == 30
    assert "Other story" not in listed
    assert listed.index("Busy story 29") < listed.index("Busy story 00")  # last changed first
    listed = main_list(client.get(LIST, {"section__id__exact": small.pk}).content.decode())
    assert "The only small story" in listed and "Busy story" not in listed


def test_the_status_filter_says_killed_and_offers_no_counts_over_the_archive(
        desk_client, make_user, make_article):
    make_article("Taken down", status=Status.UNPUBLISHED)
    client = desk_client(make_user("Editor"))
    html = client.get(LIST).content.decode()
    assert 'href="?status__exact=unpublished">Killed</a>' in html and "Show counts" not in html
    listed = main_list(client.get(LIST, {"status__exact": "unpublished"}).content.decode())
    assert "Taken down" in listed


def test_a_killed_story_is_killed_on_its_own_page_as_in_the_list(
        desk_client, make_user, make_article):
    """The list said "Killed" and the story's page "Unpublished": two words for one state."""
    story = make_article("Taken down", status=Status.UNPUBLISHED)
    html = desk_client(make_user("Editor")).get(f"{LIST}{story.pk}/change/").content.decode()
    assert re.search(r'Workflow: <span class="status status-unpublished">Killed</span>', html)
    assert "Unpublished" not in html


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plans")
def test_the_panels_find_what_waits_by_status_without_walking_the_archive(make_user,
                                                                          make_article):
    """With an archive's statistics (tests/query_plans.py) and nothing in review, "Waiting for
    you" walked the last-changed index through every story (489 ms at 100,000)."""
    from dateline.newsroom.desk.budget import panels
    from tests.query_plans import install_archive_statistics, plan_steps

    editor = make_user("Editor")
    for i in range(3):
        make_article(f"Published story {i}", age=timedelta(days=i))
    install_archive_statistics()
    with CaptureQueriesContext(connection) as queries:
        found = panels(editor)
    assert [p.title for p in found] == ["Your drafts", "Waiting for you"]
    walks = [step for step in plan_steps(queries.captured_queries)
             if step.startswith("SCAN newsroom_article")]
    assert walks == []

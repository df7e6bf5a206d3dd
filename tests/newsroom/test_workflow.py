"""Every transition for every role, and what each leaves in the audit log."""

import html
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from dateline.newsroom.actions import TRANSITIONS, ActionRefused
from dateline.newsroom.models import Article, AuditEntry
from dateline.newsroom.permissions import can_edit

pytestmark = pytest.mark.django_db

ROLES = ["Contributor", "Reporter", "Editor", "Chief editor"]
EDITORS = {"Editor", "Chief editor"}
S = Article.Status
# action -> statuses it starts from
SOURCES = {
    "submit": {S.DRAFT},
    "return": {S.REVIEW},
    "schedule": {S.DRAFT, S.REVIEW, S.SCHEDULED, S.UNPUBLISHED},
    "publish": {S.DRAFT, S.REVIEW, S.SCHEDULED, S.UNPUBLISHED},
    "unpublish": {S.PUBLISHED},
    "unschedule": {S.SCHEDULED},
    "embargo": set(S.values),
}
TARGET = {"submit": S.REVIEW, "return": S.DRAFT, "schedule": S.SCHEDULED,
          "publish": S.PUBLISHED, "unpublish": S.UNPUBLISHED,
          # published_at=None below: never out, so back to review
          "unschedule": S.REVIEW}


def allowed(role: str, action: str, own: bool) -> bool:
    if action == "submit":
        return role in EDITORS or own
    return role in EDITORS


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(SOURCES))
def test_every_transition_for_every_role(role, action, make_user, make_article):
    user = make_user(role)
    for status in S.values:
        for own in (True, False):
            article = make_article(status=status, created_by=user if own else None,
                                   published_at=None)
            params = {"at": timezone.now() + timedelta(hours=1)} if action in {
                "schedule", "embargo"} else {}
            expected = status in SOURCES[action] and allowed(role, action, own)
            before = Article.objects.values().get(pk=article.pk)
            if expected:
                done = TRANSITIONS[action].execute(user, article, note="why", **params)
                assert done.status == TARGET.get(action, status)
                entry = AuditEntry.objects.get(article=article)
                assert (entry.user, entry.action, entry.from_status, entry.to_status) == (
                    user, action, status, done.status)
                assert "why" in entry.note
            else:
                with pytest.raises((ActionRefused, PermissionDenied)):
                    TRANSITIONS[action].execute(user, article, **params)
                assert Article.objects.values().get(pk=article.pk) == before
                assert not AuditEntry.objects.filter(article=article).exists()


@pytest.mark.parametrize("role", ROLES)
def test_who_may_edit_what(role, make_user, make_article):
    user = make_user(role)
    for status in S.values:
        own = make_article(status=status, created_by=user)
        other = make_article(status=status)
        if role in EDITORS:
            assert can_edit(user, own) and can_edit(user, other)
            continue
        assert not can_edit(user, other)
        expected = status == S.DRAFT or (status == S.REVIEW and role == "Reporter")
        assert can_edit(user, own) is expected, (role, status)


def test_bylined_authors_own_their_articles(make_user, make_article, make_author):
    reporter = make_user("Reporter")
    author = make_author("Ivan Petrov")
    author.user = reporter
    author.save()
    article = make_article(status=S.REVIEW, authors=[author])
    assert can_edit(reporter, article)


def test_a_reporter_can_never_publish_by_any_path(desk_client, make_user, make_article):
    reporter = make_user("Reporter")
    client = desk_client(reporter)
    article = make_article(status=S.REVIEW, created_by=reporter, published_at=None)
    forged = client.post(f"/desk/newsroom/article/{article.pk}/workflow/publish/",
                         {"note": "", "seen_status": "review"})
    assert forged.status_code == 302
    bulk = client.post("/desk/newsroom/article/", {
        "action": "publish_selected", "_selected_action": [article.pk],
    })
    assert bulk.status_code in (200, 302)
    article.refresh_from_db()
    assert article.status == S.REVIEW
    assert not AuditEntry.objects.filter(action="publish").exists()


def test_workflow_views_need_a_csrf_token(make_user, make_article):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("Editor"))
    article = make_article(status=S.REVIEW, published_at=None)
    response = client.post(f"/desk/newsroom/article/{article.pk}/workflow/publish/")
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.status == S.REVIEW


def test_the_desk_offers_the_transitions_and_explains_refusals(desk_client, make_user,
                                                               make_article):
    client = desk_client(make_user("Editor"))
    article = make_article(status=S.REVIEW, published_at=None)
    page = client.get(f"/desk/newsroom/article/{article.pk}/change/").content.decode()
    for label in ("Return to reporter", "Schedule", "Publish now", "Embargo"):
        assert label in page
    assert "Unpublish (kill)" not in page
    url = f"/desk/newsroom/article/{article.pk}/workflow/"
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url + "schedule/", {"at": past, "seen_status": "review"},
                           follow=True)
    assert "is in the past; choose a later time" in response.content.decode()
    response = client.post(url + "unpublish/", {"seen_status": "review"}, follow=True)
    assert "is not possible for an article that is in review" in response.content.decode()
    assert client.post(url + "explode/", {}).status_code == 404
    response = client.post(url + "schedule/", {"at": "not a time", "seen_status": "review"},
                           follow=True)
    assert "Enter a valid date/time" in response.content.decode()
    article.refresh_from_db()
    assert article.status == S.REVIEW
    client.post(url + "return/", {"note": "Needs a second source", "seen_status": "review"})
    log = client.get(f"/desk/newsroom/article/{article.pk}/log/").content.decode()
    assert "Needs a second source" in log and "return" in log
    # The states as the desk says them, not their stored values ("review", "unpublished").
    assert "<td>In review</td><td>Draft</td>" in log


def test_a_lapsed_embargo_is_not_said_on_the_storys_page(desk_client, make_user, make_article):
    """After an embargo ended the story's page still said "embargoed until" a past time,
    while the list said Published and readers had the story."""
    past = make_article("Out now", embargo_until=timezone.now() - timedelta(minutes=5))
    held = make_article("Held", embargo_until=timezone.now() + timedelta(hours=1))
    client = desk_client(make_user("Editor"))
    assert "embargoed until" not in client.get(
        f"/desk/newsroom/article/{past.pk}/change/").content.decode()
    assert "embargoed until" in client.get(
        f"/desk/newsroom/article/{held.pk}/change/").content.decode()


def test_the_desk_refuses_edits_the_role_does_not_allow(desk_client, make_user, make_article):
    from .test_admin import article_post_data

    reporter = make_user("Reporter")
    client = desk_client(reporter)
    published = make_article("Published story", created_by=reporter)
    someone_elses = make_article("Someone else's draft", status=S.DRAFT)
    for article in (published, someone_elses):
        response = client.post(f"/desk/newsroom/article/{article.pk}/change/",
                               article_post_data(article, headline="Defaced"))
        assert response.status_code in (302, 403)
        article.refresh_from_db()
        assert article.headline != "Defaced"
    listing = client.get("/desk/newsroom/article/").content.decode()
    assert "Published story" in listing and "Someone else&#x27;s draft" not in listing


@pytest.mark.parametrize("action", ["schedule", "embargo"])
def test_a_time_past_the_calendars_end_is_refused_in_words(desk_client, make_user, make_article,
                                                          settings, action):
    """9999-12-31 23:00 in New York is year 10000 in UTC: saving it was a 500."""
    settings.TIME_ZONE = "America/New_York"
    client = desk_client(make_user("Editor"))
    article = make_article(status=S.REVIEW, published_at=None)
    url = f"/desk/newsroom/article/{article.pk}/workflow/{action}/"
    response = client.post(url, {"at": "9999-12-31T23:00:00", "seen_status": "review"},
                           follow=True)
    assert response.status_code == 200
    assert "past the end of the calendar" in response.content.decode()
    article.refresh_from_db()
    assert (article.status, article.embargo_until) == (S.REVIEW, None)


@pytest.mark.parametrize(("typed", "said"), [
    ("2026-03-29T03:30:00", "There is no 03:30:00 on 29 March 2026 in Europe/Sofia: at 03:00 "
                            "the clocks go forward to 04:00. Choose a time before 03:00 or "
                            "from 04:00."),
    ("2026-10-25T03:30:00", "03:30:00 on 25 October 2026 happens twice in Europe/Sofia: at "
                            "04:00 the clocks go back to 03:00, so the hour from 03:00 comes "
                            "twice. Choose a time before 03:00 or from 04:00"),
])
def test_a_time_the_clock_change_skips_or_repeats_is_refused_saying_which(
        desk_client, make_user, make_article, settings, typed, said):
    """Django's "couldn't be interpreted … it may be ambiguous or it may not exist" left the
    desk to guess which, and what to type instead, for an embargo."""
    settings.TIME_ZONE = "Europe/Sofia"
    client = desk_client(make_user("Editor"))
    article = make_article(status=S.REVIEW, published_at=None)
    with time_machine.travel("2026-01-05 09:00:00+00:00", tick=False):
        response = client.post(f"/desk/newsroom/article/{article.pk}/workflow/embargo/",
                               {"at": typed, "seen_status": "review"}, follow=True)
    assert said in html.unescape(response.content.decode())
    article.refresh_from_db()
    assert article.embargo_until is None


def test_an_embargo_on_a_draft_says_nothing_comes_out_unless_it_is_published(
        desk_client, make_user, make_article):
    """"Embargo: done." on a draft read as if the story would come out at 08:00."""
    client = desk_client(make_user("Editor"))
    draft = make_article(status=S.DRAFT, published_at=None)
    out = make_article()
    # Not today's clock a day on: the message once read the time from a stale copy of the
    # story (the clock of now), which matched only then.
    at = f"{timezone.localtime() + timedelta(days=1, hours=2, minutes=17):%Y-%m-%dT%H:%M:00}"
    said = html.unescape(client.post(
        f"/desk/newsroom/article/{draft.pk}/workflow/embargo/",
        {"at": at, "seen_status": "draft"}, follow=True).text)
    draft.refresh_from_db()
    until = f"{timezone.localtime(draft.embargo_until):%H:%M}"
    assert until == at[11:16]  # the time typed, in the site's zone
    assert (f"Embargo: done, but the story is still draft: nothing comes out at {until} "
            "unless it is published (Publish now: the embargo keeps it back until "
            "then).") in said
    said = html.unescape(client.post(
        f"/desk/newsroom/article/{out.pk}/workflow/embargo/",
        {"at": at, "seen_status": "published"}, follow=True).text)
    assert "Embargo: done." in said


def test_the_logged_times_keep_the_seconds_typed(make_user, make_article):
    """Times are typed to the second; the log said "Goes live at ... 11:39" for 11:39:39."""
    editor = make_user("Editor")
    at = (timezone.now() + timedelta(days=1)).replace(second=39, microsecond=0)
    story = make_article(status=S.DRAFT, published_at=None)
    TRANSITIONS["schedule"].execute(editor, story, at=at)
    TRANSITIONS["embargo"].execute(editor, story, at=at)
    notes = list(AuditEntry.objects.filter(article=story).values_list("note", flat=True))
    local = f"{timezone.localtime(at):%Y-%m-%d %H:%M:39}"
    assert any(note.startswith(f"Goes live at {local}") for note in notes), notes
    assert any(note.startswith(f"Embargoed until {local}") for note in notes), notes


def test_the_schedule_and_embargo_boxes_start_on_the_storys_present_times(
        desk_client, make_user, make_article):
    """Moving a schedule from 06:00 to 06:30 meant typing the whole date and time again."""
    editor = make_user("Editor")
    story = make_article(status=S.DRAFT, published_at=None)
    at = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    TRANSITIONS["schedule"].execute(editor, story, at=at)
    TRANSITIONS["embargo"].execute(editor, story, at=at + timedelta(hours=2))
    page = desk_client(editor).get(f"/desk/newsroom/article/{story.pk}/change/").text
    local = timezone.localtime
    assert re.search(rf'name="wf-schedule-at"[^>]*value="{local(at):%Y-%m-%dT%H:%M:%S}"', page)
    assert re.search(rf'name="wf-embargo-at"[^>]*'
                     rf'value="{local(at + timedelta(hours=2)):%Y-%m-%dT%H:%M:%S}"', page)

"""A bulk action moves a story only from the state the editor's list showed."""

import re

import pytest

from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.models import Article, AuditEntry

pytestmark = pytest.mark.django_db
S = Article.Status


def listed_statuses(client) -> list[str]:
    page = client.get("/desk/newsroom/article/").content.decode()
    return re.findall(r'name="seen_status" value="([^"]+)"', page)


def test_a_story_moved_since_the_list_was_drawn_is_left_as_it_is(
        desk_client, make_user, make_article):
    editor, other = make_user("Editor"), make_user("Editor")
    moved = make_article(status=S.REVIEW, published_at=None, headline="Moved meanwhile")
    still = make_article(status=S.REVIEW, published_at=None, headline="Still in review")
    client = desk_client(editor)
    seen = listed_statuses(client)
    assert f"{moved.pk}:review" in seen and f"{still.pk}:review" in seen
    # Another editor sends one back to its reporter while this list stands open.
    TRANSITIONS["return"].execute(other, moved, note="Needs a second source")
    response = client.post("/desk/newsroom/article/", {
        "action": "publish_selected", "_selected_action": [moved.pk, still.pk],
        "seen_status": seen,
    }, follow=True)
    moved.refresh_from_db()
    still.refresh_from_db()
    assert moved.status == S.DRAFT  # the reporter's rewrite is not published
    assert still.status == S.PUBLISHED
    said = [str(m) for m in response.context["messages"]]
    assert any("Moved meanwhile" in line and "now" in line for line in said), said
    assert not AuditEntry.objects.filter(article=moved, action="publish").exists()


def test_select_all_across_pages_acts_on_what_the_filter_finds_now(
        desk_client, make_user, make_article):
    editor = make_user("Editor")
    story = make_article(status=S.REVIEW, published_at=None)
    client = desk_client(editor)
    client.post("/desk/newsroom/article/?status__exact=review", {
        "action": "publish_selected", "select_across": "1", "index": "0",
        "_selected_action": [story.pk],
    })
    story.refresh_from_db()
    assert story.status == S.PUBLISHED


def test_a_forged_seen_list_is_read_without_error(desk_client, make_user, make_article):
    story = make_article(status=S.REVIEW, published_at=None)
    client = desk_client(make_user("Editor"))
    response = client.post("/desk/newsroom/article/", {
        "action": "publish_selected", "_selected_action": [story.pk],
        "seen_status": ["x:review", "²:draft", f"{story.pk}:", ":", "9" * 40 + ":draft",
                        f"{story.pk}:bogus"],
    })
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == S.PUBLISHED


def test_a_bulk_kill_is_asked_first_and_keeps_its_reason(desk_client, make_user, make_article):
    """One click on Run killed every story ticked, with no reason in their logs, where the
    story page's kill has its note field."""
    story = make_article(status=S.PUBLISHED, headline="Court ruling")
    client = desk_client(make_user("Editor"))
    seen = listed_statuses(client)
    asked = client.post("/desk/newsroom/article/", {
        "action": "unpublish_selected", "_selected_action": [story.pk], "seen_status": seen,
        "index": "0"})
    page = asked.content.decode()
    assert asked.status_code == 200 and "Court ruling" in page and "Kill 1 story" in page
    story.refresh_from_db()
    assert story.status == S.PUBLISHED  # nothing done yet
    # What the page sends back when the editor confirms.
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    assert fields["_selected_action"] == str(story.pk)
    assert fields["seen_status"] == f"{story.pk}:published"
    client.post("/desk/newsroom/article/", {**fields, "note": "Legal asked", "confirmed": "yes"})
    story.refresh_from_db()
    assert story.status == S.UNPUBLISHED
    assert AuditEntry.objects.get(article=story, action="unpublish").note == "Legal asked"

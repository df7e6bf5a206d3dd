import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from dateline.newsroom.actions import ActionRefused
from dateline.newsroom.actions.notes import add_note
from dateline.newsroom.models import Article
from dateline.newsroom.preview import preview_url

pytestmark = pytest.mark.django_db


def test_corrections_and_updates_show_with_their_time_and_stay(client, make_user, make_article):
    editor = make_user("Editor")
    article = make_article("Minister resigns", age=timedelta(days=1))
    first = add_note(editor, article, "correction", "An earlier version misspelt the name.")
    add_note(editor, article, "update", "The prime minister has accepted the resignation.")
    article.refresh_from_db()
    assert article.updated_at >= first.created_at
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.index("misspelt the name") < page.index("accepted the resignation")
    assert "Correction" in page and "Update" in page
    assert "Updated:" in page


def test_notes_need_the_right_role_and_a_published_article(make_user, make_article):
    article = make_article()
    with pytest.raises(PermissionDenied):
        add_note(make_user("Reporter"), article, "correction", "x")
    editor = make_user("Editor")
    with pytest.raises(ActionRefused):
        add_note(editor, article, "correction", "   ")
    with pytest.raises(ActionRefused):
        add_note(editor, article, "correction", "x" * 2001)
    with pytest.raises(ActionRefused):
        add_note(editor, make_article(status=Article.Status.DRAFT), "update", "x")
    assert not article.notes.exists()


def test_no_note_goes_on_a_story_its_embargo_still_holds(make_user, make_article):
    """The desk said "The note is on the published article" of a story no reader could see,
    and once the embargo ended its "Updated" and "Correction" were dated before it came out."""
    held = make_article("Results at noon", embargo_until=timezone.now() + timedelta(hours=1))
    with pytest.raises(ActionRefused, match="go on stories readers have; this one is held"):
        add_note(make_user("Editor"), held, "correction", "A figure was wrong.")
    held.refresh_from_db()
    assert not held.notes.exists() and held.updated_at is None


def test_a_note_is_cleaned_as_the_story_s_own_text_is(make_user, make_article):
    """A bell and an escape typed into a correction reached the page and partners' ninjs
    edNote (which no XML of theirs can carry); an open override turned the words after it."""
    note = add_note(make_user("Editor"), make_article(), "correction",
                    " Fixed\x07 the\x1b date \u202eof the vote\x00. ")
    assert note.text == "Fixed the date of the vote."
    with pytest.raises(ActionRefused):
        add_note(make_user("Editor"), make_article(), "update", "\x07\x1b")


def test_the_desk_adds_notes(desk_client, make_user, make_article):
    client = desk_client(make_user("Editor"))
    article = make_article()
    response = client.post(f"/desk/newsroom/article/{article.pk}/notes/",
                           {"kind": "update", "text": "Police have named the suspect."})
    assert response.status_code == 302
    assert article.notes.get().text == "Police have named the suspect."


def test_a_note_sent_twice_from_one_page_is_added_once(desk_client, make_user, make_article):
    """The same form posted twice (a double click, a POST the browser sent again) made two
    notes, two audit entries and an extra version on the wire."""
    client = desk_client(make_user("Editor"))
    article = make_article()
    page = client.get(f"/desk/newsroom/article/{article.pk}/change/").content.decode()
    key = re.search(r'name="sending" value="([^"]+)"', page)[1]
    sent = {"kind": "correction", "text": "An earlier version misspelt the name.",
            "sending": key}
    for _ in range(2):
        assert client.post(f"/desk/newsroom/article/{article.pk}/notes/", sent).status_code == 302
    assert article.notes.count() == 1
    assert Article.objects.get(pk=article.pk).resent == 1
    # Another page (another key), even with the same words, is another note.
    again = client.get(f"/desk/newsroom/article/{article.pk}/change/").content.decode()
    assert re.search(r'name="sending" value="([^"]+)"', again)[1] != key
    client.post(f"/desk/newsroom/article/{article.pk}/notes/", {**sent, "sending": ""})
    assert article.notes.count() == 2


def test_a_signed_preview_shows_a_draft_until_it_expires(client, settings, make_article):
    draft = make_article("Secret draft", status=Article.Status.DRAFT, published_at=None)
    url = preview_url(draft)
    assert client.get(draft.get_absolute_url()).status_code == 404
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Secret draft" in page and "Preview:" in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert client.get(url[:-3] + "xx/").status_code == 404
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.DATELINE_PREVIEW_MAX_AGE
                                                         + 60)):
        assert client.get(url).status_code == 410


def test_the_desk_hands_out_preview_links(desk_client, make_user, make_article):
    client = desk_client(make_user("Editor"))
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    page = client.get(f"/desk/newsroom/article/{draft.pk}/preview-link/").content.decode()
    assert "http://testserver/preview/" in page


def test_a_note_added_twice_or_wrong_is_withdrawn_and_the_log_keeps_it(
        desk_client, make_user, make_article, client):
    """A correction out twice, or wrong, could not be taken off by anyone."""
    from dateline.newsroom.models import AuditEntry

    editor = make_user("Editor")
    article = make_article("Minister resigns")
    kept = add_note(editor, article, "correction", "An earlier version gave the wrong year.")
    twice = add_note(editor, article, "correction", "An earlier version gave the wrong year.")
    resent = Article.objects.get(pk=article.pk).resent
    desk = desk_client(editor)
    page = desk.get(f"/desk/newsroom/article/{article.pk}/change/").text
    withdraw = f"/desk/newsroom/article/{article.pk}/notes/{twice.pk}/withdraw/"
    assert f'action="{withdraw}"' in page and "data-confirm=" in page
    assert desk.get(withdraw).status_code == 405  # a POST only
    said = desk.post(withdraw, follow=True).text
    assert "The correction is off the story; the audit log keeps its words." in said
    assert list(article.notes.all()) == [kept]
    assert client.get(article.get_absolute_url()).text.count("gave the wrong year") == 1
    assert Article.objects.get(pk=article.pk).resent == resent + 1  # partners told
    entry = AuditEntry.objects.filter(article=article, action="correction withdrawn").get()
    assert (entry.user, entry.note) == (editor, "An earlier version gave the wrong year.")
    again = desk.post(withdraw, follow=True).text
    assert "That note is not on this story" in again
    # A reporter may not.
    reporter = desk_client(make_user("Reporter"))
    other = f"/desk/newsroom/article/{article.pk}/notes/{kept.pk}/withdraw/"
    assert reporter.post(other).status_code in (302, 403)
    assert list(article.notes.all()) == [kept]

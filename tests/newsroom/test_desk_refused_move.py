"""A move the desk refused after saving the text (a time in the past, a photo without alt
text) came back with its note and time empty: what the editor wrote for it was lost."""

import pytest

from .test_admin import article_post_data

pytestmark = pytest.mark.django_db


def test_a_refused_move_s_note_and_time_come_back_in_their_fields_once(
    desk_client, make_user, make_article
):
    client = desk_client(make_user("Editor"))
    article = make_article("Budget vote", status="review")
    url = f"/desk/newsroom/article/{article.pk}/change/"
    response = client.post(url, article_post_data(
        article, _workflow="schedule", **{"wf-schedule-at": "2001-05-01T09:30:00",
                                          "wf-schedule-note": "For the evening & after the vote",
                                          "wf-schedule-seen_status": "review"}), follow=True)
    page = response.content.decode()
    assert "is in the past" in page
    assert 'name="wf-schedule-note" maxlength="2000" form="article_form" value="For the ' \
           'evening &amp; after the vote"' in page
    assert 'value="2001-05-01T09:30:00"' in page
    article.refresh_from_db()
    assert article.status == "review"
    # Given back once: the page drawn again later starts empty, as any other.
    again = client.get(url).content.decode()
    assert "For the evening" not in again


def test_a_save_with_a_move_records_the_story_as_the_move_left_it(desk_client, make_user,
                                                                   make_article):
    """Revisions compared the save that published a killed story again with the one before
    as "Status published → unpublished": the save's revision held the status before the
    move."""
    from dateline.newsroom.models import Revision

    client = desk_client(make_user("Chief editor"))
    article = make_article("Budget vote", status="unpublished")
    url = f"/desk/newsroom/article/{article.pk}/change/"
    # Bringing a killed story back asks first, as killing it does.
    page = client.get(url).content.decode()
    assert ('value="publish" form="article_form" data-confirm="Publish this killed story '
            'again?') in page
    assert ('value="schedule" form="article_form" data-confirm="Bring this killed story back '
            'at that time?') in page
    client.post(url, article_post_data(article, _workflow="publish",
                                       **{"wf-publish-seen_status": "unpublished"}))
    article.refresh_from_db()
    assert article.status == "published"
    last = Revision.objects.filter(article=article).order_by("-created_at", "-pk").first()
    assert last.metadata["status"] == "published"
    assert "Then “Publish now”." in last.note
    revisions = client.get(f"/desk/newsroom/article/{article.pk}/revisions/").text
    assert "Then “Publish now”." in revisions  # said where editors compare them


def test_embargoing_a_story_readers_have_asks_first(desk_client, make_user, make_article):
    """On a live story "Embargo" took it off the site at once, without a question, where a
    kill asks first (an outside editor's finding)."""
    client = desk_client(make_user("Chief editor"))
    live = make_article("Budget vote")
    page = client.get(f"/desk/newsroom/article/{live.pk}/change/").content.decode()
    assert ('value="embargo" form="article_form" data-confirm="Embargo this story? Readers '
            'have it now') in page
    draft = make_article("Budget vote, the draft", status="draft", published_at=None)
    page = client.get(f"/desk/newsroom/article/{draft.pk}/change/").content.decode()
    assert 'value="embargo" form="article_form">' in page  # copy not out yet: no question

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

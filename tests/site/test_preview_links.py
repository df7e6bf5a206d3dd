"""A preview link stops working for good once its story is killed or deleted."""

import pytest

from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.models import Article
from dateline.newsroom.preview import preview_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(make_user):
    return make_user("Editor")


def test_a_killed_story_is_no_longer_shown_by_its_preview_link(
    client, editor, make_article
):
    story = make_article("Doomed scoop", status=Article.Status.DRAFT, published_at=None)
    url = preview_url(story)
    TRANSITIONS["publish"].execute(editor, story)
    assert client.get(url).status_code == 200  # a link keeps working through publication
    TRANSITIONS["unpublish"].execute(editor, Article.objects.get(pk=story.pk))
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 410
    assert "Doomed scoop" not in page and "withdrawn or deleted" in page


def test_the_old_link_stays_dead_when_the_story_comes_back(client, editor, make_article):
    story = make_article("Second life")
    old = preview_url(story)
    TRANSITIONS["unpublish"].execute(editor, story)
    TRANSITIONS["publish"].execute(editor, Article.objects.get(pk=story.pk))
    assert client.get(old).status_code == 410
    fresh = preview_url(Article.objects.get(pk=story.pk))
    assert client.get(fresh).status_code == 200


def test_a_deleted_story_is_gone(client, make_article):
    story = make_article("Deleted draft", status=Article.Status.DRAFT, published_at=None)
    url = preview_url(story)
    story.delete()
    response = client.get(url)
    assert response.status_code == 410
    assert "withdrawn or deleted" in response.content.decode()

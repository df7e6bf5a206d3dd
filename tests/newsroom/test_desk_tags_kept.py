"""A tag put on a story while an editor's page stood open (the worker's, above the machine's
confidence, which no version counts) is kept by that page's next save: it was dropped, and the
machine then took its absence for the editor's refusal."""

import re

import pytest

from dateline.newsroom.models import Tag

from .test_admin import article_post_data

pytestmark = pytest.mark.django_db


def page_and_form(client, article) -> dict:
    """What the story's page posts back as it was drawn: its hidden fields and tags."""
    html = client.get(f"/desk/newsroom/article/{article.pk}/change/").content.decode()
    field = re.search(r"<input[^>]*name=\"seen_tags\"[^>]*>", html).group()
    seen = re.search(r'value="([^"]*)"', field).group(1) if "value=" in field else ""
    return article_post_data(article, seen_tags=seen,
                             tags=[str(t.pk) for t in article.tags.all()])


def save(client, article, data) -> set[str]:
    response = client.post(f"/desk/newsroom/article/{article.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return set(article.tags.values_list("name", flat=True))


def test_a_tag_put_on_meanwhile_stays_and_the_editor_s_own_changes_apply(
    desk_client, make_user, make_article, make_tag
):
    client = desk_client(make_user("Editor"))
    sofia, strike = make_tag("Sofia", Tag.Kind.PLACE), make_tag("Strike")
    shipping, ports = make_tag("Shipping"), make_tag("Ports")
    article = make_article("Dockers strike", tags=[sofia, strike])
    data = page_and_form(client, article)
    article.tags.add(shipping)  # the worker, while the page stands open; no new version
    # The editor takes "Strike" off and puts "Ports" on; the standfirst too.
    data.update(tags=[str(sofia.pk), str(ports.pk)], standfirst="Ships queue offshore.")
    assert save(client, article, data) == {"Sofia", "Ports", "Shipping"}
    assert article.revisions.get().metadata["tags"] == ["Ports", "Shipping", "Sofia"]


def test_a_page_that_changes_no_tag_keeps_every_tag_the_story_has_now(
    desk_client, make_user, make_article, make_tag
):
    client = desk_client(make_user("Editor"))
    article = make_article("Port closes")
    data = page_and_form(client, article)
    article.tags.add(make_tag("Shipping"))
    assert save(client, article, {**data, "standfirst": "Closed at noon."}) == {"Shipping"}


def test_a_page_that_sends_no_list_of_seen_tags_sets_the_tags_it_posts(
    desk_client, make_user, make_article, make_tag
):
    """A page drawn before the field: what it posts is what the story gets, as before."""
    client = desk_client(make_user("Editor"))
    article = make_article("Port closes")
    data = page_and_form(client, article)
    del data["seen_tags"]
    article.tags.add(make_tag("Shipping"))
    assert save(client, article, data) == set()

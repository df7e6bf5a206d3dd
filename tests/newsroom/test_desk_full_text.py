"""The desk's search box finds text through the search app, which the newsroom never imports."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from dateline.newsroom.desk import full_text
from dateline.newsroom.models import Article
from dateline.search.desk import matching_ids


def test_the_search_app_provides_the_desks_full_text_search_at_ready():
    assert full_text._provider is matching_ids


def test_a_second_provider_is_refused_with_the_name_of_the_first():
    with pytest.raises(ImproperlyConfigured, match=r"dateline\.search\.desk\.matching_ids"):
        full_text.provide_full_text(lambda query: [])
    assert full_text._provider is matching_ids


@pytest.mark.django_db
def test_editors_find_a_draft_by_words_only_its_body_holds(desk_client, make_user, make_article):
    # The body is in no field the admin searches by itself: only the full-text index has it.
    make_article("Spice trade", body="<p>Cloves from Zanzibar.</p>",
                 status=Article.Status.DRAFT, published_at=None)
    make_article("Harbour news", body="<p>Ships came in.</p>")
    client = desk_client(make_user("Editor"))
    html = client.get("/desk/newsroom/article/", {"q": "zanzibar"}).content.decode()
    assert "Spice trade" in html and "Harbour news" not in html

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


def test_the_story_list_finds_a_story_by_its_byline_as_written(desk_client, make_user,
                                                               make_article):
    """"Everything bylined Reuters today", "the report Maria Petrova sent": the list's search
    found neither, though the README says it finds a byline (an outside editor's finding)."""
    make_article("Grain exports rise", byline_text="Probe Desk, Reuters")
    make_article("Flooded road near Varna", byline_text="Reader report by Maria Petrova")
    make_article("Unrelated tennis story", body="<p>Maria played well.</p>")
    editor = desk_client(make_user("Chief editor"))
    for term, found in (("Probe Desk", "Grain exports rise"), ("reuters", "Grain exports rise"),
                        ("Reader report by Maria Petrova", "Flooded road near Varna")):
        html = editor.get("/desk/newsroom/article/", {"q": term}).content.decode()
        assert found in html, term
        assert "Unrelated tennis story" not in html

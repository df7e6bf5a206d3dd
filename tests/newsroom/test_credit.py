"""A story credits its real authors or its sources; it carries its source's or house rights."""

import pytest
from django.test import override_settings

from dateline.newsroom.credit import byline, credit, rights
from dateline.newsroom.models import Article, Source

pytestmark = pytest.mark.django_db


def test_named_authors_are_the_byline(make_article, make_author, make_source):
    article = make_article(authors=[make_author("Ann Lee"), make_author("Bo Chan")],
                           sources=[make_source("Reuters")])
    assert byline(article) == "Ann Lee and Bo Chan"
    assert credit(article).agencies == []


def test_a_story_without_authors_is_credited_to_its_sources(make_article, make_source):
    article = make_article(sources=[make_source("Reuters")])
    assert byline(article) == "Reuters"
    assert [s.name for s in credit(article).agencies] == ["Reuters"]


def test_three_names_and_no_names(make_article, make_author):
    three = make_article(authors=[make_author(n) for n in ("A One", "B Two", "C Three")])
    assert byline(three) == "A One, B Two and C Three"
    assert byline(make_article()) == ""


@override_settings(DATELINE_RIGHTS_HOLDER="Dateline Media", DATELINE_COPYRIGHT_NOTICE="(c) DM",
                   DATELINE_USAGE_TERMS="Ask us first.")
def test_a_source_without_rights_leaves_the_house_rights(make_article, make_source):
    article = make_article(sources=[make_source("Le Monde")])
    found = rights(article)
    assert (found.holder, found.notice, found.terms) == ("Dateline Media", "(c) DM",
                                                         "Ask us first.")


def test_an_agency_source_carries_its_own_rights(make_article, make_source):
    reuters = Source.objects.create(name="Reuters", rights_holder="Reuters",
                                    usage_terms="Licensed to Dateline subscribers only.")
    article = make_article(sources=[make_source("Le Monde"), reuters])
    found = rights(article)
    assert found.holder == "Reuters"
    assert found.notice == "Copyright Reuters. All rights reserved."
    assert found.terms == "Licensed to Dateline subscribers only."


@override_settings(DATELINE_RIGHTS_HOLDER="Dateline Media",
                   DATELINE_COPYRIGHT_NOTICE="Copyright Dateline Media.")
def test_a_staff_story_drawing_on_an_agency_carries_the_houses_rights(
        make_article, make_source, make_author, client):
    """A story by a staff reporter with Reuters among its sources went out as "Copyright 1987
    Reuters. All rights reserved." on its page, in its feeds and on the wire."""
    reuters = Source.objects.create(name="Reuters", rights_holder="Reuters",
                                    copyright_notice="Copyright 1987 Reuters.")
    story = make_article("Budget passes", sources=[reuters], authors=[make_author("Maria Ivanova")])
    assert rights(story).holder == "Dateline Media"
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Copyright 1987 Reuters" not in page and "Copyright Dateline Media." in page
    assert "Copyright 1987 Reuters" not in client.get("/feeds/rss/").content.decode()
    written = make_article("Reader's flood report", sources=[reuters],
                           byline_text="Reader report by Ann Lee")
    assert rights(written).holder == "Dateline Media"
    assert rights(make_article("Wire copy", sources=[reuters])).holder == "Reuters"
    # A byline written out as the agency's name is the agency's copy, its rights with it.
    agency = make_article("Markets close", sources=[reuters], byline_text="REUTERS")
    assert rights(agency).holder == "Reuters"
    ld = client.get(agency.get_absolute_url()).content.decode()
    assert '"author": [{"@type": "Organization", "name": "REUTERS"}]' in ld


@override_settings(DATELINE_RIGHTS_HOLDER="Dateline Media")
def test_a_press_review_is_the_houses_not_the_outlets_it_reviews(make_article, make_source,
                                                                  make_author, client):
    """It read "By Demo outlet — BBC archive (replay) and Demo outlet — Reuters archive", above
    the editor's own introduction and summaries; an outlet's rights went with it too."""
    lemonde = Source.objects.create(name="Le Monde", rights_holder="Le Monde")
    review = make_article("What the foreign press says", kind=Article.Kind.PRESS_REVIEW,
                          sources=[lemonde, make_source("NBC News")])
    assert (byline(review), credit(review).agencies) == ("", [])
    assert rights(review).holder == "Dateline Media"
    page = client.get(review.get_absolute_url()).content.decode()
    assert "By Le Monde" not in page and "Sources:" in page  # still named as what it reviews
    review.authors.add(make_author("Ann Lee"))
    assert byline(review) == "Ann Lee"

"""A tag's or author's stories for a newest-first page (ArticleQuerySet.linked_to): sorted from
the links for a rare tag, the publication index walked for a tag on much of the archive; the
same stories, in the same order, either way."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dateline.newsroom.models import Article, Tag
from dateline.newsroom.models import article as article_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(make_article, make_tag, make_author):
    common, rare = make_tag("USA", Tag.Kind.PLACE), make_tag("Nepal", Tag.Kind.PLACE)
    staff = make_author("Staff")
    for hours in range(12):
        tags = [common] + ([rare] if hours % 5 == 0 else [])
        make_article(f"Story {hours}", age=timedelta(hours=hours), tags=tags,
                     authors=[staff] if hours % 2 else [])
    make_article("Embargoed", tags=[common], age=timedelta(minutes=5),
                 embargo_until=timezone.now() + timedelta(hours=1))
    return common, rare, staff


def listed(relation: str, pk: int, depth: int) -> tuple[list[str], str]:
    with CaptureQueriesContext(connection) as queries:
        headlines = [a.headline for a in Article.objects.live().linked_to(relation, pk, depth)
                     .newest_first()[:depth]]
    return headlines, queries.captured_queries[-1]["sql"]


@pytest.mark.parametrize("depth", [1, 3, 21])
def test_either_way_a_page_lists_the_same_stories_as_the_relation(archive, monkeypatch, depth):
    common, rare, staff = archive
    monkeypatch.setattr(article_module, "FEW_LINKS", 2)  # this small archive's "common"
    for relation, owner in (("tags", common), ("tags", rare), ("authors", staff)):
        expected = [a.headline for a in owner.articles.live().newest_first()[:depth]]
        assert listed(relation, owner.pk, depth)[0] == expected
    assert "Embargoed" not in listed("tags", common.pk, depth)[0]


# The archive's size is read as its largest id: ids from 1 here, as in a real archive.
@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_a_tag_on_most_stories_walks_the_publication_index_a_rare_one_sorts_its_links(
        archive, monkeypatch):
    common, rare, _ = archive
    monkeypatch.setattr(article_module, "FEW_LINKS", 2)
    # "USA" is on 13 of 13 stories: 1 x 13 probes < 13 x 13 rows sorted.
    assert "EXISTS" in listed("tags", common.pk, 1)[1]
    # "Nepal" is on 3: walking for 21 stories would read the whole archive.
    assert "EXISTS" not in listed("tags", rare.pk, 21)[1]
    # Deep in "USA"'s pages the walk would probe more than the join sorts.
    assert "EXISTS" not in listed("tags", common.pk, 21)[1]

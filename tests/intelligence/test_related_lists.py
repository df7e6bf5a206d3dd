"""related_for: the stored list as readers see it; the newsroom's ranking until one is stored."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.intelligence.models import RelatedStory
from dateline.intelligence.pipeline import refresh_related
from dateline.intelligence.related import related_for, stored_related
from dateline.newsroom.models import Article
from dateline.newsroom.related import related_articles

from .related_corpus import store

Origin = RelatedStory.Origin


def link(article, related, origin=Origin.COMPUTED, rank=0):
    return RelatedStory.objects.create(article=article, related=related, origin=origin,
                                       rank=rank, score=1.0 - rank / 10)


@pytest.fixture
def stories(make_article):
    return [make_article(f"Story {i}", body=f"<p>Words of story {i}.</p>",
                         age=timedelta(hours=i + 1)) for i in range(8)]


def test_pinned_first_then_computed_by_rank_never_the_removed(stories):
    own, a, b, c, d, e, *_ = stories
    link(own, a, rank=2)
    link(own, b, rank=0)
    link(own, c, Origin.REMOVED, rank=1)
    link(own, d, Origin.PINNED, rank=5)
    link(own, e, rank=1)
    assert related_for(own) == [d, b, e, a]
    assert related_for(own, limit=2) == [d, b]


def test_only_stories_readers_can_see(stories):
    own, draft, embargoed, killed, live = stories[:5]
    Article.objects.filter(pk=draft.pk).update(status=Article.Status.DRAFT)
    Article.objects.filter(pk=embargoed.pk).update(
        embargo_until=timezone.now() + timedelta(hours=2))
    Article.objects.filter(pk=killed.pk).update(status=Article.Status.UNPUBLISHED)
    for rank, related in enumerate((draft, embargoed, killed, live)):
        link(own, related, rank=rank)
    assert related_for(own) == [live]
    assert stored_related([own]) == {own.pk: [live]}


def test_with_nothing_stored_the_newsroom_ranking_is_shown(stories, make_tag):
    own, *others = stories
    tag = make_tag("Elections")
    own.tags.set([tag])
    others[3].tags.set([tag])
    expected = related_articles(own)
    assert expected and expected[0] == others[3]
    assert related_for(own) == expected


def test_a_removed_story_stays_out_of_the_newsroom_ranking_too(stories, make_tag):
    own, *others = stories
    tag = make_tag("Elections")
    own.tags.set([tag])
    others[3].tags.set([tag])
    link(own, others[3], Origin.REMOVED)
    shown = related_for(own)
    assert others[3] not in shown and len(shown) == 5


def test_copies_in_a_stored_list_are_shown_once_the_newest(make_article, make_section):
    politics = make_section("Politics")
    own = store(make_article, "bbc-politics-085", politics)
    older = store(make_article, "bbc-politics-226", politics, age=timedelta(days=3))
    newer = store(make_article, "bbc-politics-265", politics, age=timedelta(days=2))
    copy_of_own = store(make_article, "bbc-politics-085", politics, age=timedelta(days=4))
    other = make_article("Another story", section=politics)
    for rank, related in enumerate((copy_of_own, older, other, newer)):
        link(own, related, rank=rank)
    assert related_for(own) == [newer, other]
    assert stored_related([own])[own.pk] == [newer, other]


def test_many_stories_lists_cost_two_queries(stories, django_assert_num_queries):
    own, other, *rest = stories
    link(own, rest[0])
    link(own, rest[1], Origin.PINNED, rank=3)
    link(other, rest[2])
    # The lists, then their stories by primary key (the live filter in SQL sent SQLite
    # through the publication index of the whole archive).
    with django_assert_num_queries(2):
        lists = stored_related([own, other, rest[3]])
    assert lists == {own.pk: [rest[1], rest[0]], other.pk: [rest[2]], rest[3].pk: []}


def test_the_pipeline_stores_the_rankers_list_and_readers_get_it(make_article, make_section):
    business, sport = make_section("Business"), make_section("Sport")
    own = store(make_article, "bbc-business-025", business)
    about_the_same = store(make_article, "bbc-business-083", business, age=timedelta(days=5))
    newer_elsewhere = store(make_article, "bbc-sport-001", sport, age=timedelta(minutes=5))
    assert refresh_related(own.pk)  # the real "tfidf" ranker, as the settings choose
    stored = list(RelatedStory.objects.filter(article=own).values_list("related_id", flat=True))
    assert stored[0] == about_the_same.pk
    assert related_for(own)[0] == about_the_same
    assert newer_elsewhere.pk not in stored[:1]

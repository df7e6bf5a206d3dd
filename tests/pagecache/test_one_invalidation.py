"""Every key a transaction names is invalidated in one go after its commit, and only then."""

import pytest
from django.db import transaction

from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.models import Article
from dateline.pagecache import invalidation, keys, store

pytestmark = [pytest.mark.cache, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def invalidations(monkeypatch) -> list[set[str]]:
    made: list[set[str]] = []
    real = store.invalidate

    def noted(found) -> None:
        made.append(set(found))
        real(found)

    monkeypatch.setattr(store, "invalidate", noted)
    return made


def test_a_publication_is_one_invalidation_of_the_story_its_listings_and_the_strip(
        invalidations, make_user, make_article, make_tag):
    article = make_article("Ministers meet", status=Article.Status.DRAFT, published_at=None,
                           tags=[make_tag("Cabinet")])
    invalidations.clear()
    TRANSITIONS["publish"].execute(make_user("Editor"), article)
    assert len(invalidations) == 1
    assert {keys.article(article.pk), keys.HOME, keys.section(article.section_id),
            keys.tag(article.tags.get().pk), keys.TICKER} <= invalidations[0]


def test_nothing_is_invalidated_before_the_commit_nor_after_a_rollback(invalidations):
    with transaction.atomic():
        invalidation.invalidate_on_commit({"a1"})
        invalidation.invalidate_on_commit({"home"})
        assert invalidations == []
    assert invalidations == [{"a1", "home"}]
    with pytest.raises(RuntimeError), transaction.atomic():
        invalidation.invalidate_on_commit({"a2"})
        raise RuntimeError
    assert invalidations == [{"a1", "home"}]


def test_keys_named_after_a_rolled_back_savepoint_are_still_invalidated(invalidations):
    with transaction.atomic():
        try:
            with transaction.atomic():
                invalidation.invalidate_on_commit({"a1"})  # its hook goes with the savepoint
                raise RuntimeError
        except RuntimeError:
            pass
        invalidation.invalidate_on_commit({"a2"})
    assert len(invalidations) == 1 and "a2" in invalidations[0]


def test_outside_a_transaction_the_keys_are_invalidated_at_once(invalidations):
    invalidation.invalidate_on_commit({"a3"})
    assert invalidations == [{"a3"}]


def test_background_work_invalidates_together_every_few_seconds(invalidations, monkeypatch):
    """An archive's analysis invalidated a story a few times a second for three quarters of an
    hour: every page rendered across one of them was refused, a 0.9 s sitemap almost always."""
    with invalidation.gathered():
        for pk in range(1, 4):
            with transaction.atomic():
                invalidation.invalidate_on_commit({f"a{pk}"})
        assert invalidations == []  # none yet: gathered
        monkeypatch.setattr(invalidation, "GATHERED_EVERY_S", 0.0)  # the seconds have passed
        invalidation.invalidate_on_commit({"a4"})
        assert invalidations == [{"a1", "a2", "a3", "a4"}]
        invalidation.invalidate_on_commit({"a5"})
    assert invalidations == [{"a1", "a2", "a3", "a4"}, {"a5"}]
    # Outside it, at once as ever.
    invalidation.invalidate_on_commit({"a6"})
    assert invalidations[-1] == {"a6"}


def test_what_was_gathered_goes_out_between_steps_not_only_at_the_next_change(
        invalidations, monkeypatch):
    """Kept for the next invalidation, a story's key waited through a hundred stories that
    changed nothing: its page stale for the rest of the batch."""
    with invalidation.gathered() as gathering:
        with transaction.atomic():
            invalidation.invalidate_on_commit({"a1"})
        gathering.due()
        assert invalidations == []  # not yet: the seconds have not passed
        with invalidation.gathered():  # within another: that one, its keys kept
            invalidation.invalidate_on_commit({"a2"})
        assert invalidations == []
        monkeypatch.setattr(invalidation, "GATHERED_EVERY_S", 0.0)
        gathering.due()
        assert invalidations == [{"a1", "a2"}]
    assert invalidations == [{"a1", "a2"}]  # nothing left at the end

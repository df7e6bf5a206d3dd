"""A story's "Related Articles" as readers and partners see them: the stored list.

The pipeline stores each story's list (RelatedStory: the ranker's, plus the editors' pins and
removals); `related_for` reads it: pinned first, then computed by rank, never a removed one,
only live stories, no copy of the story or of one another. A story with nothing stored yet
(not analysed since it was saved) gets the newsroom's ranking by tags, section and time.
"""

from collections.abc import Iterable, Sequence

from dateline.base.prepared import Prepared
from dateline.newsroom.models import Article
from dateline.newsroom.related import RELATED_LIMIT, related_ids

from ..models import RelatedStory
from . import invalidation  # noqa: F401 - a changed list refreshes its pages
from .dedupe import text_key, unique_newest

Origin = RelatedStory.Origin
# What a teaser shows, and the body: copies are told apart by their text.
SHOWN = ("headline", "slug", "teaser", "published_at", "published_at_is_import_time", "section_id",
         "body")


def _order(rows: Iterable[tuple[int, str, int]]) -> tuple[list[int], set[int]]:
    """(related ids, pinned first then computed, each by rank; the removed ones)."""
    rows = sorted(rows, key=lambda row: (row[1] != Origin.PINNED, row[2]))
    removed = {pk for pk, origin, _ in rows if origin == Origin.REMOVED}
    return [pk for pk, origin, _ in rows if origin != Origin.REMOVED], removed


# Every article page reads these two: prepared (dateline.base.prepared), their SQL built once.
_STORED = Prepared(lambda pk: RelatedStory.objects.filter(article_id=pk)
                   .values_list("related_id", "origin", "rank"), RelatedStory)
# By primary key alone, liveness checked in Python: with the live filter in SQL, SQLite walks
# the publication index of every story instead (8 ms a page at 100k stories).
_SHOWN = Prepared(lambda pks: Article.objects.only(*SHOWN, "status", "embargo_until")
                  .filter(pk__in=pks), Article)


def related_for(article: Article, limit: int = RELATED_LIMIT) -> list[Article]:
    """The stories to show under `article`; two queries when its list is stored."""
    order, removed = _order(_STORED.rows(article.pk))
    if not order:
        order = [pk for pk in related_ids(article, limit + len(removed)) if pk not in removed]
    found = {a.pk: a for a in (_SHOWN.objects(order) if order else ()) if a.is_live}
    texts = {pk: (a.headline, a.body, a.published_at) for pk, a in found.items()}
    kept = unique_newest(order, texts, {text_key(article.headline, article.body)})
    return [found[pk] for pk in kept[:limit]]


def stored_related(articles: Sequence[Article],
                   limit: int = RELATED_LIMIT) -> dict[int, list[Article]]:
    """The stored lists of many stories in two queries (the wire's pages, the feeds): only
    what is stored, since the newsroom's ranking costs a few queries per story."""
    rows = list(RelatedStory.objects.filter(article_id__in=[a.pk for a in articles])
                .exclude(origin=Origin.REMOVED)
                .values_list("article_id", "related_id", "origin", "rank"))
    # By primary key alone, liveness checked here, as related_for does: with the live filter
    # in SQL, SQLite walked the publication index of every story for each list (1.4 s for the
    # wire's page of 20 at 100k stories, past the public read budget: a 503 after every
    # publication, until the parts were stored again).
    found = {pk: a for pk, a in Article.objects.only(*SHOWN, "status", "embargo_until")
             .in_bulk(sorted({related for _, related, _, _ in rows})).items() if a.is_live}
    by_story: dict[int, list[tuple[int, str, int]]] = {}
    for article_id, related, origin, rank in rows:
        if related in found:
            by_story.setdefault(article_id, []).append((related, origin, rank))
    lists = {}
    for article in articles:
        order, _ = _order(by_story.get(article.pk, []))
        texts = {pk: (found[pk].headline, found[pk].body, found[pk].published_at)
                 for pk in order}
        kept = unique_newest(order, texts, {text_key(article.headline, article.body)})
        lists[article.pk] = [found[pk] for pk in kept[:limit]]
    return lists

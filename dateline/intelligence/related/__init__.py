"""A story's "Related Articles" as readers and partners see them: the stored list.

The pipeline stores each story's list (RelatedStory: the ranker's, plus the editors' pins and
removals); `related_for` reads it: pinned first, then computed by rank, never a removed one,
only live stories, no copy of the story or of one another. A story with nothing stored yet
(not analysed since it was saved) gets the newsroom's ranking by tags, section and time.
"""

from collections.abc import Iterable, Sequence

from django.db.models import Q
from django.utils import timezone

from dateline.newsroom.models import Article
from dateline.newsroom.related import RELATED_LIMIT, related_articles

from ..models import RelatedStory
from . import invalidation  # noqa: F401 - a changed list refreshes its pages
from .dedupe import text_key, unique_newest

Origin = RelatedStory.Origin
# What a teaser shows, and the body: copies are told apart by their text.
SHOWN = ("headline", "slug", "teaser", "published_at", "section_id", "body")


def _order(rows: Iterable[tuple[int, str, int]]) -> tuple[list[int], set[int]]:
    """(related ids, pinned first then computed, each by rank; the removed ones)."""
    rows = sorted(rows, key=lambda row: (row[1] != Origin.PINNED, row[2]))
    removed = {pk for pk, origin, _ in rows if origin == Origin.REMOVED}
    return [pk for pk, origin, _ in rows if origin != Origin.REMOVED], removed


def related_for(article: Article, limit: int = RELATED_LIMIT) -> list[Article]:
    """The stories to show under `article`; two queries when its list is stored."""
    order, removed = _order(RelatedStory.objects.filter(article_id=article.pk)
                            .values_list("related_id", "origin", "rank"))
    if not order:
        fallback = related_articles(article, limit + len(removed))
        order = [a.pk for a in fallback if a.pk not in removed]
    found = Article.objects.live().only(*SHOWN).in_bulk(order)
    texts = {pk: (a.headline, a.body, a.published_at) for pk, a in found.items()}
    kept = unique_newest(order, texts, {text_key(article.headline, article.body)})
    return [found[pk] for pk in kept[:limit]]


def stored_related(articles: Sequence[Article],
                   limit: int = RELATED_LIMIT) -> dict[int, list[Article]]:
    """The stored lists of many stories in one query (the wire's pages): only what is stored,
    since the newsroom's ranking costs a few queries per story."""
    now = timezone.now()
    rows = (RelatedStory.objects.filter(article_id__in=[a.pk for a in articles])
            .exclude(origin=Origin.REMOVED)
            .filter(related__status=Article.Status.PUBLISHED, related__published_at__lte=now)
            .filter(Q(related__embargo_until__isnull=True) | Q(related__embargo_until__lte=now))
            .select_related("related")
            .only("article_id", "origin", "rank", *(f"related__{name}" for name in SHOWN)))
    by_story: dict[int, list[RelatedStory]] = {}
    for row in rows:
        by_story.setdefault(row.article_id, []).append(row)
    lists = {}
    for article in articles:
        entries = by_story.get(article.pk, [])
        order, _ = _order((r.related_id, r.origin, r.rank) for r in entries)
        found = {r.related_id: r.related for r in entries}
        texts = {pk: (a.headline, a.body, a.published_at) for pk, a in found.items()}
        kept = unique_newest(order, texts, {text_key(article.headline, article.body)})
        lists[article.pk] = [found[pk] for pk in kept[:limit]]
    return lists

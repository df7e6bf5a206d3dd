"""Stories a reader of one article may want next."""

from django.db import connection
from django.utils import timezone

from dateline.base.prepared import Fixed, Prepared

from .models import Article, Section

# Every uncached article page runs these: prepared (dateline.base.prepared), their SQL built
# once for each section's subtree and length.
_NEWEST_OF_SECTION = Prepared(
    lambda now, section, excluded, limit: Article.objects.live(now).filter(section_id=section)
    .exclude(pk__in=excluded).newest_first().values_list("pk", flat=True)[:limit], Article)
_MORE_FROM_SECTION = Prepared(
    lambda now, subtree, excluded, limit: Article.objects.live(now).in_section(None, subtree)
    .exclude(pk__in=excluded).for_listing().newest_first()[:limit], Article)
RELATED_LIMIT = 5
# Candidates per tag: the newest articles carrying it. A tag on 50,000 stories must not make
# every page read all 50,000.
PER_TAG = 200


def _ranked_by_shared_tags(article: Article, tag_ids: list[int], limit: int) -> list[int]:
    """The live stories sharing most of the article's tags (then its section, then the
    newest), among each tag's recent candidates, ranked by the database in one query.

    The live test is on the joined rows, reached by primary key: CROSS JOIN keeps SQLite
    from walking the publication index of every story instead (PostgreSQL plans it freely).
    Counting and ranking there spares Python a row and two time conversions per candidate,
    several hundred on a story with many tags.
    """
    table = Article.tags.through._meta.db_table
    part = (f"SELECT * FROM (SELECT article_id FROM {table} WHERE tag_id = %s "
            f"AND article_id <> %s ORDER BY article_id DESC LIMIT {PER_TAG}) AS t{{}}")
    candidates = " UNION ALL ".join(part.format(i) for i in range(len(tag_ids)))
    articles = Article._meta.db_table
    sql = (f"SELECT a.id FROM ({candidates}) AS shared CROSS JOIN {articles} AS a "
           "WHERE a.id = shared.article_id AND a.status = %s AND a.published_at <= %s "
           "AND (a.embargo_until IS NULL OR a.embargo_until <= %s) "
           "GROUP BY a.id, a.section_id, a.published_at "
           "ORDER BY COUNT(*) DESC, CASE WHEN a.section_id = %s THEN 1 ELSE 0 END DESC, "
           "a.published_at DESC, a.id DESC LIMIT %s")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [value for tag_id in tag_ids for value in (tag_id, article.pk)]
    params += [Article.Status.PUBLISHED.value, now, now, article.section_id, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def related_ids(article: Article, limit: int = RELATED_LIMIT) -> list[int]:
    """Rank by tags shared, then same section, then recency; fill up from the section.

    Costs at most three queries, whatever the number of tags; expects `article.tags`
    prefetched.
    """
    tag_ids = sorted(tag.pk for tag in article.tags.all())
    chosen = _ranked_by_shared_tags(article, tag_ids, limit) if tag_ids else []
    if len(chosen) < limit:
        chosen += [row[0] for row in _NEWEST_OF_SECTION.rows(
            timezone.now(), article.section_id, [article.pk, *chosen],
            Fixed(limit - len(chosen)))]
    return chosen


def related_articles(article: Article, limit: int = RELATED_LIMIT) -> list[Article]:
    """`related_ids`' stories, as listings show them: one query more."""
    chosen = related_ids(article, limit)
    by_pk = Article.objects.for_listing().in_bulk(chosen)
    return [by_pk[pk] for pk in chosen if pk in by_pk]


def more_from_section(article: Article, limit: int = 10, shown=(),
                      subtree: list[int] | None = None) -> list[Article]:
    """The newest stories of the article's section and below, less those already shown
    (`subtree`: the section's and its descendants' ids, if the caller knows them)."""
    subtree = Section.objects.subtree_ids(article.section) if subtree is None else subtree
    return _MORE_FROM_SECTION.objects(timezone.now(), Fixed(subtree),
                                      [article.pk, *(a.pk for a in shown)], Fixed(limit))

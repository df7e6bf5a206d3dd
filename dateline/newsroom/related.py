"""Stories a reader of one article may want next."""

from collections import Counter

from django.db import connection
from django.utils import timezone

from .models import Article

RELATED_LIMIT = 5
# Candidates per tag: the newest articles carrying it. A tag on 50,000 stories must not make
# every page read all 50,000.
PER_TAG = 200


def _shared_tag_counts(article: Article, tag_ids: list[int]) -> Counter:
    """How many of the article's tags each recent candidate shares, in one query."""
    table = Article.tags.through._meta.db_table
    part = (f"SELECT * FROM (SELECT article_id FROM {table} WHERE tag_id = %s "
            f"AND article_id <> %s ORDER BY article_id DESC LIMIT {PER_TAG}) AS t{{}}")
    sql = " UNION ALL ".join(part.format(i) for i in range(len(tag_ids)))
    params = [value for tag_id in tag_ids for value in (tag_id, article.pk)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return Counter(row[0] for row in cursor.fetchall())


def related_articles(article: Article, limit: int = RELATED_LIMIT) -> list[Article]:
    """Rank by tags shared, then same section, then recency; fill up from the section.

    Costs at most four queries, whatever the number of tags; expects `article.tags`
    prefetched.
    """
    tag_ids = sorted(tag.pk for tag in article.tags.all())
    chosen: list[int] = []
    if tag_ids:
        shared = _shared_tag_counts(article, tag_ids)
        # Looked up by primary key alone and checked for liveness here: with the live
        # filter in SQL, SQLite walks the publication index instead of the few ids asked for.
        now = timezone.now()
        candidates = [
            (pk, section_id, published_at)
            for pk, section_id, published_at, status, embargo in Article.objects.filter(
                pk__in=list(shared)).values_list(
                    "pk", "section_id", "published_at", "status", "embargo_until")
            if status == Article.Status.PUBLISHED and published_at and published_at <= now
            and (embargo is None or embargo <= now)
        ]
        ranked = sorted(
            candidates,
            key=lambda c: (shared[c[0]], c[1] == article.section_id, c[2], c[0]),
            reverse=True,
        )
        chosen = [pk for pk, _, _ in ranked[:limit]]
    if len(chosen) < limit:
        chosen += list(
            Article.objects.live().filter(section_id=article.section_id)
            .exclude(pk__in=[article.pk, *chosen])
            .newest_first()
            .values_list("pk", flat=True)[: limit - len(chosen)]
        )
    by_pk = Article.objects.for_listing().in_bulk(chosen)
    return [by_pk[pk] for pk in chosen if pk in by_pk]


def more_from_section(article: Article, limit: int = 10, shown=()) -> list[Article]:
    """The newest stories of the article's section and below, less those already shown."""
    return list(
        Article.objects.live()
        .in_section(article.section)
        .exclude(pk__in=[article.pk, *(a.pk for a in shown)])
        .for_listing()
        .newest_first()[:limit]
    )

"""Stories a reader of one article may want next."""

from django.db.models import Case, Count, IntegerField, Value, When

from .models import Article

RELATED_LIMIT = 5


def related_articles(article: Article, limit: int = RELATED_LIMIT) -> list[Article]:
    """Rank by tags shared, then same section, then recency; fill up from the section.

    Costs at most three queries; expects `article.tags` to be prefetched.
    """
    tag_ids = [tag.pk for tag in article.tags.all()]
    candidates = Article.objects.live().exclude(pk=article.pk)
    chosen: list[int] = []
    if tag_ids:
        chosen = list(
            candidates.filter(tags__in=tag_ids)
            .annotate(
                shared=Count("tags"),
                same_section=Case(
                    When(section_id=article.section_id, then=Value(1)),
                    default=Value(0), output_field=IntegerField(),
                ),
            )
            .order_by("-shared", "-same_section", "-published_at", "-pk")
            .values_list("pk", flat=True)[:limit]
        )
    if len(chosen) < limit:
        chosen += list(
            candidates.filter(section_id=article.section_id)
            .exclude(pk__in=chosen)
            .newest_first()
            .values_list("pk", flat=True)[: limit - len(chosen)]
        )
    by_pk = Article.objects.for_listing().in_bulk(chosen)
    return [by_pk[pk] for pk in chosen if pk in by_pk]


def more_from_section(article: Article, limit: int = 10) -> list[Article]:
    """The newest stories of the article's section and the sections below it."""
    return list(
        Article.objects.live()
        .in_section(article.section)
        .exclude(pk=article.pk)
        .for_listing()
        .newest_first()[:limit]
    )

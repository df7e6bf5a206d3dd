"""What partners were told of a story that has since left the wire (withdrawn, held by an
embargo): its headline and slug as they stood then, from the last revision recorded by then.
A headline rewritten while the story is withdrawn or held is no news to them, and readers
never saw it; giving it out in the canceled or withheld item leaked it."""

from datetime import datetime

from dateline.newsroom.models import Article, Revision


def as_told(article: Article, at: datetime | None) -> Article:
    """`article`, its headline and slug put back as they were at `at` (unsaved)."""
    if at is None:
        return article
    then = (Revision.objects.filter(article_id=article.pk, created_at__lte=at)
            .exclude(kind=Revision.Kind.REFUSED).order_by("-created_at", "-pk")
            .values_list("headline", "metadata").first())
    if then is not None:
        headline, metadata = then
        article.headline = headline
        article.slug = (metadata or {}).get("slug") or article.slug
    return article


def as_withdrawn_then(article: Article, at: datetime) -> Article:
    """A withdrawn story as its canceled item told partners at `at`, its withdrawal: headline
    and slug (as_told), the version it went out at and, as the item's time, `at` itself. A desk
    save of the withdrawn story since moved its version and `modified_at`, so the 410 answer and
    the changes feed read again named a version partners were never told of."""
    as_told(article, at)
    # Each save since bumped the version by one and recorded a revision at the new version:
    # the first of them says which version the story had at `at`.
    first_after = (Revision.objects.filter(article_id=article.pk, created_at__gt=at)
                   .exclude(kind=Revision.Kind.REFUSED).order_by("created_at", "pk")
                   .values_list("version", flat=True).first())
    if first_after is not None:
        article.version = max(min(article.version, first_after - 1), 1)
    article.modified_at = at
    return article

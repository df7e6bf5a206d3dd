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

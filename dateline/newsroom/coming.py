"""When a story not yet before readers will be, in the desk's words."""

from django.utils import timezone

from .models import Article


def comes_out(article: Article) -> str:
    """When a story not yet before readers will be, in words: "when it is published" misled
    on a published story held by its embargo, or one booked for its time."""
    now = timezone.now()
    if article.status == Article.Status.PUBLISHED:
        embargo, out = article.embargo_until, article.published_at
        if embargo and embargo > now and not (out and out > embargo):
            return "when its embargo lifts"
        if out and out > now:
            return "when it comes out at its publication time"
    if article.status == Article.Status.SCHEDULED:
        return "when it comes out at its scheduled time"
    return "when it is published"

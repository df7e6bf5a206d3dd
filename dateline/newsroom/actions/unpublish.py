from django.utils import timezone

from ..models import Article
from .base import Transition


class Unpublish(Transition):
    name = "unpublish"
    label = "Unpublish (kill)"
    sources = frozenset({Article.Status.PUBLISHED})
    target = Article.Status.UNPUBLISHED
    permission = "unpublish_article"
    fields = ("scheduled_for", "is_breaking", "published_at")

    def apply(self, article: Article, **params) -> None:
        article.scheduled_for = None
        if article.published_at is None or article.published_at > timezone.now():
            # Held by its embargo, never out: its time was the embargo's end, which never
            # came. Without it the kill tells no partner of, and no page names, a story that
            # nobody had (its headline went out as a canceled item; its page answered 410).
            article.published_at = None
        # A kill ends its breaking news: published again (corrected, days later), the story
        # came back as a site-wide BREAKING banner nobody had asked for.
        article.is_breaking = False

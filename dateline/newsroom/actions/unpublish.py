from ..models import Article
from .base import Transition


class Unpublish(Transition):
    name = "unpublish"
    label = "Unpublish (kill)"
    sources = frozenset({Article.Status.PUBLISHED})
    target = Article.Status.UNPUBLISHED
    permission = "unpublish_article"
    fields = ("scheduled_for", "is_breaking")

    def apply(self, article: Article, **params) -> None:
        article.scheduled_for = None
        # A kill ends its breaking news: published again (corrected, days later), the story
        # came back as a site-wide BREAKING banner nobody had asked for.
        article.is_breaking = False

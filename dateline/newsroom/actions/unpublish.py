from ..models import Article
from .base import Transition


class Unpublish(Transition):
    name = "unpublish"
    label = "Unpublish (kill)"
    sources = frozenset({Article.Status.PUBLISHED})
    target = Article.Status.UNPUBLISHED
    permission = "unpublish_article"
    fields = ("scheduled_for",)

    def apply(self, article: Article, **params) -> None:
        article.scheduled_for = None

from ..models import Article
from .base import Transition


class ReturnToReporter(Transition):
    name = "return"
    label = "Return to reporter"
    sources = frozenset({Article.Status.REVIEW})
    target = Article.Status.DRAFT
    permission = "return_article"

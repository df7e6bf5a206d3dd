from ..models import Article
from .base import Transition


class Unschedule(Transition):
    """A story booked to go out, taken off the schedule before it did. Nobody has read it, so
    nothing is killed ("Unpublish (kill)" was the only way off, and named the story killed): it
    goes back to review, the editors' queue; one that was out before and killed, then booked
    to come back, stays unpublished."""

    name = "unschedule"
    label = "Take off the schedule"
    sources = frozenset({Article.Status.SCHEDULED})
    target = ""  # which of the two depends on the story (apply)
    permission = "schedule_article"
    fields = ("scheduled_for",)

    def apply(self, article: Article, **params) -> None:
        article.scheduled_for = None
        been_out = article.published_at is not None
        article.status = Article.Status.UNPUBLISHED if been_out else Article.Status.REVIEW

from datetime import datetime

from django.utils import timezone

from ..models import Article
from .base import ActionRefused, Transition
from .schedule import require_future


class Embargo(Transition):
    """Hold an article back from every public output until a time, whatever its status."""

    name = "embargo"
    label = "Embargo"
    sources = frozenset(Article.Status.values)
    permission = "schedule_article"
    fields = ("embargo_until",)
    needs_time = True

    def validate(self, article: Article, *, at: datetime | None = None, **params) -> None:
        require_future(at, "embargo")

    def apply(self, article: Article, *, at: datetime, **params) -> None:
        from ..tasks import release_embargo

        article.embargo_until = at
        release_embargo.using(run_after=at).enqueue(article.pk)

    def describe(self, article: Article, **params) -> str:
        return f"Embargoed until {timezone.localtime(article.embargo_until):%Y-%m-%d %H:%M %Z}."


class LiftEmbargo(Transition):
    name = "lift_embargo"
    label = "Lift embargo now"
    sources = frozenset(Article.Status.values)
    permission = "schedule_article"
    fields = ("embargo_until",)

    def check(self, user, article: Article) -> None:
        super().check(user, article)
        if article.embargo_until is None or article.embargo_until <= timezone.now():
            raise ActionRefused("The article is not under embargo.")

    def apply(self, article: Article, **params) -> None:
        article.embargo_until = None

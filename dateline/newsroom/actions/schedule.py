from datetime import datetime, timedelta

from django.utils import timezone

from ..models import Article
from .base import ActionRefused, Transition
from .publish import release_due_articles

# A time further ahead is a slip of the year ("9999-12-31" went through as "Goes live at
# 9999-12-31"), not a plan: no desk schedules or embargoes a story a year out.
FARTHEST_AHEAD = timedelta(days=366)


def require_future(at: datetime | None, what: str) -> None:
    if at is None:
        raise ActionRefused(f"Give the date and time for the {what}.")
    if timezone.is_naive(at):
        raise ActionRefused(f"The {what} time needs a time zone.")
    if at <= timezone.now():
        local = timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")
        raise ActionRefused(f"The {what} time {local} is in the past; choose a later time.")
    if at > timezone.now() + FARTHEST_AHEAD:
        local = timezone.localtime(at).strftime("%Y-%m-%d %H:%M:%S")
        raise ActionRefused(f"The {what} time {local} is more than a year ahead; check the "
                            "year.")


class Schedule(Transition):
    name = "schedule"
    label = "Schedule"
    sources = frozenset({
        Article.Status.DRAFT, Article.Status.REVIEW, Article.Status.SCHEDULED,
        Article.Status.UNPUBLISHED,
    })
    target = Article.Status.SCHEDULED
    permission = "schedule_article"
    fields = ("scheduled_for",)
    checks_publication = True
    needs_time = True

    def validate(self, article: Article, *, at: datetime | None = None, **params) -> None:
        require_future(at, "publication")

    def apply(self, article: Article, *, at: datetime, **params) -> None:
        article.scheduled_for = at
        # The worker wakes at `at`; if it is down then, it runs the task when it comes back.
        release_due_articles.using(run_after=at).enqueue()

    def describe(self, article: Article, **params) -> str:
        return f"Goes live at {timezone.localtime(article.scheduled_for):%Y-%m-%d %H:%M:%S %Z}."

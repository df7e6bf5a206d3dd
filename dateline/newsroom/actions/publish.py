from datetime import datetime

from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from ..models import Article
from .audit import SCHEDULER
from .base import SCHEDULER_PRIORITY, ActionRefused, Transition


def out_at_release(article: Article, now: datetime | None = None) -> None:
    """An embargoed story goes out when its embargo ends, so that is its publication time.

    Set now rather than by the worker when the embargo ends, because visibility never waits
    for the worker: at release the story already sorts by its release time, not the click's.
    An embargo that has ended holds nothing: a story killed and brought back took an old
    one's end as its first publication, before the corrections it had.
    """
    now = now or timezone.now()
    if article.embargo_until and article.published_at and (
            article.published_at < article.embargo_until) and article.embargo_until > now:
        article.published_at = article.embargo_until


class Publish(Transition):
    name = "publish"
    label = "Publish now"
    sources = frozenset({
        Article.Status.DRAFT, Article.Status.REVIEW, Article.Status.SCHEDULED,
        Article.Status.UNPUBLISHED,
    })
    target = Article.Status.PUBLISHED
    permission = "publish_article"
    fields = ("published_at", "scheduled_for", "updated_at")
    checks_publication = True

    def apply(self, article: Article, **params) -> None:
        now = timezone.now()
        if article.published_at and (article.status == Article.Status.UNPUBLISHED or (
                article.status == Article.Status.SCHEDULED and was_out(article))):
            # A story brought back (killed, perhaps scheduled to return since) keeps its first
            # time and says when it was updated.
            article.updated_at = now
        elif article.published_at is None or article.published_at > now:
            article.published_at = now
        article.scheduled_for = None
        out_at_release(article)


class ReleaseOnSchedule(Publish):
    """The worker's publish of a scheduled article, stamped with its scheduled time.

    Logged and announced as "publish", like the desk's; not offered on the desk.
    """

    label = "Publish on schedule"
    sources = frozenset({Article.Status.SCHEDULED})
    fields = ("published_at", "scheduled_for", "updated_at")
    by_scheduler = True
    # Checked when it was scheduled: the worker never holds back a booked story.
    checks_publication = False

    def validate(self, article: Article, *, now: datetime, **params) -> None:
        if article.scheduled_for is None or article.scheduled_for > now:
            raise ActionRefused("The article is not due yet.")  # rescheduled meanwhile

    def apply(self, article: Article, **params) -> None:
        if article.published_at is not None and was_out(article):
            # Brought back on a schedule, as Publish brings one back now: it keeps its first
            # time and says when it was updated.
            article.updated_at = article.scheduled_for
        else:
            article.published_at = article.scheduled_for
        out_at_release(article, article.scheduled_for)
        article.scheduled_for = None

    def describe(self, article: Article, **params) -> str:
        return "Published on schedule."


def was_out(article: Article) -> bool:
    """Whether the story was ever published (its log says so: a kill starts from published),
    which its status no longer tells once it is scheduled again."""
    published = Article.Status.PUBLISHED
    return article.audit_log.filter(Q(from_status=published) | Q(to_status=published)).exists()


def release_due(now: datetime | None = None) -> list[int]:
    """Publish every scheduled article whose time has come, stamped with its scheduled time."""
    now = now or timezone.now()
    released = []
    release = ReleaseOnSchedule()
    due = Article.objects.filter(status=Article.Status.SCHEDULED, scheduled_for__lte=now)
    for article in due.only("pk"):
        try:
            release.execute(SCHEDULER, article, now=now)
        except ActionRefused:
            continue  # rescheduled, killed or published by hand since the query
        released.append(article.pk)
    return released


@task(priority=SCHEDULER_PRIORITY)
def release_due_articles() -> list[int]:
    """The worker's task: publish the scheduled articles whose time has come."""
    return release_due()

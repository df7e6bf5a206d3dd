from datetime import datetime

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from ..models import Article
from ..signals import embargo_released
from .audit import SCHEDULER
from .base import SCHEDULER_PRIORITY, ActionRefused, Transition
from .schedule import require_future


class Embargo(Transition):
    """Hold an article back from every public output until a time, whatever its status."""

    name = "embargo"
    label = "Embargo"
    sources = frozenset(Article.Status.values)
    permission = "schedule_article"
    fields = ("embargo_until", "published_at")
    checks_publication = True
    needs_time = True

    def validate(self, article: Article, *, at: datetime | None = None, **params) -> None:
        require_future(at, "embargo")

    def apply(self, article: Article, *, at: datetime, **params) -> None:
        if article.status == Article.Status.PUBLISHED and not article.is_live:
            # Not out yet (or held by an earlier embargo): it goes out at the new time.
            article.published_at = at
        # A story already out keeps its time: the embargo hides it for a while, no more.
        article.embargo_until = at
        release_embargo.using(run_after=at).enqueue(article.pk)

    def describe(self, article: Article, **params) -> str:
        return f"Embargoed until {timezone.localtime(article.embargo_until):%Y-%m-%d %H:%M:%S %Z}."

    def outcome(self, article: Article) -> str:
        # An embargo holds a story back; it publishes nothing. "Done" on a draft read as if
        # the story would come out at the time.
        if article.status in (Article.Status.PUBLISHED, Article.Status.SCHEDULED):
            return "done."
        until = timezone.localtime(article.embargo_until)
        return (f"done, but the story is still {article.get_status_display().lower()}: "
                f"nothing comes out at {until:%H:%M} unless it is published (Publish now: the "
                "embargo keeps it back until then).")


class LiftEmbargo(Transition):
    name = "lift_embargo"
    label = "Lift embargo now"
    sources = frozenset(Article.Status.values)
    permission = "schedule_article"
    fields = ("embargo_until", "published_at")

    def check(self, user, article: Article) -> None:
        super().check(user, article)
        if article.embargo_until is None or article.embargo_until <= timezone.now():
            raise ActionRefused("The article is not under embargo.")

    def apply(self, article: Article, **params) -> None:
        now = timezone.now()
        if article.status == Article.Status.PUBLISHED and (
                article.published_at is None or article.published_at > now):
            article.published_at = now  # it was to go out at the embargo's end; it goes now
        article.embargo_until = None


class EmbargoEnds(Transition):
    """The worker records and announces an embargo whose time has passed; not on the desk.

    Time, not a field, ends an embargo (visibility never waits for the worker), so the row is
    left as it is: the audit entry is the record, and `embargo_released` the announcement.
    """

    name = "embargo_lifted"
    label = "End the embargo"
    sources = frozenset(Article.Status.values)
    permission = "schedule_article"
    by_scheduler = True

    def check(self, user, article: Article) -> None:
        super().check(user, article)
        if article.embargo_until is None or article.embargo_until > timezone.now():
            raise ActionRefused("The embargo has not ended.")  # lifted, or moved later

    def describe(self, article: Article, **params) -> str:
        return "Embargo ended."

    def announce(self, article: Article, previous: str) -> None:
        transaction.on_commit(lambda: embargo_released.send(sender=Article, article=article))


@task(priority=SCHEDULER_PRIORITY)
def release_embargo(article_id: int) -> bool:
    """The worker's task at an embargo's end: record and announce it, if it has really ended."""
    try:
        # execute locks the row by its key: the article itself is read under the lock.
        EmbargoEnds().execute(SCHEDULER, Article(pk=article_id))
    except Article.DoesNotExist:
        return False  # deleted since it was embargoed
    except ActionRefused:
        return False  # lifted by hand, or moved later: its own task will come
    return True

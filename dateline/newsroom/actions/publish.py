from django.db import transaction
from django.utils import timezone

from ..models import Article, AuditEntry
from ..signals import article_status_changed
from .base import Transition


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

    def apply(self, article: Article, **params) -> None:
        now = timezone.now()
        if article.status == Article.Status.UNPUBLISHED and article.published_at:
            # A story brought back keeps its first time and says when it was updated.
            article.updated_at = now
        elif article.published_at is None or article.published_at > now:
            article.published_at = now
        article.scheduled_for = None

def release_due(now=None) -> list[int]:
    """Publish every scheduled article whose time has come, stamped with its scheduled time."""
    now = now or timezone.now()
    released = []
    due = Article.objects.filter(status=Article.Status.SCHEDULED, scheduled_for__lte=now)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            article = Article.objects.select_for_update().get(pk=pk)
            if article.status != Article.Status.SCHEDULED or article.scheduled_for > now:
                continue  # rescheduled or published by hand meanwhile
            article.status = Article.Status.PUBLISHED
            article.published_at = article.scheduled_for
            article.scheduled_for = None
            article.save(update_fields=["status", "published_at", "scheduled_for"])
            AuditEntry.objects.create(
                article=article, action="publish", from_status=Article.Status.SCHEDULED,
                to_status=Article.Status.PUBLISHED, note="Published on schedule.",
            )
            transaction.on_commit(
                lambda a=article: article_status_changed.send(
                    sender=Article, article=a, action="publish", previous="scheduled"
                )
            )
        released.append(pk)
    return released

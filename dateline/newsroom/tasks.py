"""Background work the scheduler does at a given time, whether or not anyone visits the site."""

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from .models import Article, AuditEntry
from .signals import embargo_released


@task()
def release_due_articles() -> list[int]:
    """Publish the scheduled articles whose time has come."""
    from .actions import release_due

    return release_due()


@task()
def release_embargo(article_id: int) -> bool:
    """Record and announce the end of an article's embargo, if it has really ended."""
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_id).first()
        if article is None or article.embargo_until is None:
            return False
        if article.embargo_until > timezone.now():
            return False  # moved later; its own task will come
        AuditEntry.objects.create(
            article=article, action="embargo_lifted", from_status=article.status,
            to_status=article.status, note="Embargo ended.",
        )
        transaction.on_commit(lambda: embargo_released.send(sender=Article, article=article))
    return True

"""A story deleted after it reached the wire: partners who took it are told to take it down.

Unpublish (a kill) keeps the story and puts a canceled item on the changes feed. Deleting it
took it off the wire in silence: the changes feed read stories alone, so a partner that had
taken it heard nothing and went on publishing it. A deletion now leaves a DeletedStory, which
the changes feed serves as the same canceled item, once:
- a live story: a new version at the time of its deletion;
- a withdrawn one: its withdrawal as it stood, at the same place on the feed, so that a
  partner already past it is not told twice and one not yet there still is.
A story that never came out (a draft, one scheduled or under embargo) owes partners nothing.
"""

from datetime import datetime, timedelta

from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver
from django.utils import timezone

from dateline.newsroom.models import Article
from dateline.newsroom.models.article import restamp_if_late

from .api import params
from .models import DeletedStory, WithheldStory
from .told import as_told, as_withdrawn_then


def owed(article: Article, now: datetime) -> DeletedStory | None:
    """What partners are owed for this story, deleted at `now`; None if nothing. A withdrawn
    or held story is named as partners were told of it (told.py), so this is read before the
    deletion takes the story's revisions with it."""
    def left(version: int, withdrawn_at: datetime, wire_changed_at: datetime,
             told_at: datetime | None = None) -> DeletedStory:
        told = as_told(Article(pk=article.pk, headline=article.headline, slug=article.slug),
                       told_at)
        return DeletedStory(article_id=article.pk, headline=told.headline, slug=told.slug,
                            version=version, withdrawn_at=withdrawn_at,
                            wire_changed_at=wire_changed_at)

    if article.is_live:
        return left(article.wire_version + 1, now, now)
    withdrawn = article.wire_changed_at
    kept_from = now - timedelta(days=params.CHANGES_KEPT_DAYS)
    if article.status == Article.Status.UNPUBLISHED and withdrawn and withdrawn >= kept_from:
        told = as_withdrawn_then(
            Article(pk=article.pk, version=article.version, resent=article.resent), withdrawn)
        return left(told.wire_version, withdrawn, withdrawn, told_at=withdrawn)
    held = (WithheldStory.objects.filter(article_id=article.pk)
            .values_list("wire_changed_at", flat=True).first())
    if held is not None:  # held by partners: now taken down
        return left(article.wire_version + 1, now, now, told_at=held)
    return None


def as_withdrawn(deleted: DeletedStory) -> Article:
    """The story as its canceled item names it (the formatters' withdrawn item), unsaved."""
    return Article(pk=deleted.article_id, headline=deleted.headline, slug=deleted.slug,
                   version=deleted.version, status=Article.Status.UNPUBLISHED,
                   modified_at=deleted.withdrawn_at)


@receiver(pre_delete, sender=Article, dispatch_uid="syndication.story_owed")
def story_owed(sender, instance: Article, **kwargs) -> None:
    """What partners are owed, read while the story's revisions are still there."""
    now = timezone.now()
    instance.owed_to_partners = (now, owed(instance, now))


@receiver(post_delete, sender=Article, dispatch_uid="syndication.story_deleted")
def story_deleted(sender, instance: Article, **kwargs) -> None:
    # In the deletion's transaction: rolled back with it, never a deletion without its item.
    now, deleted = getattr(instance, "owed_to_partners", (None, None))
    if deleted is None:
        return
    # Nobody can ask the feed for what lies past its reach.
    DeletedStory.objects.filter(
        wire_changed_at__lt=now - timedelta(days=params.CHANGES_KEPT_DAYS)).delete()
    deleted.save()
    if deleted.wire_changed_at == now:
        restamp_if_late(DeletedStory.objects.filter(pk=deleted.pk), now)

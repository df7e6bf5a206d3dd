"""A changed edition refreshes its page and the archive's ("today", previous and next)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dateline.pagecache import keys
from dateline.pagecache.invalidation import invalidate_on_commit

from .models import Edition, EditionItem


@receiver([post_save, post_delete], sender=Edition)
def edition_changed(sender, instance: Edition, **kwargs) -> None:
    invalidate_on_commit({keys.EDITIONS, keys.edition(instance.pk)})


@receiver([post_save, post_delete], sender=EditionItem)
def item_changed(sender, instance: EditionItem, **kwargs) -> None:
    invalidate_on_commit({keys.edition(instance.edition_id)})

"""Pages showing a story's brief (News in Brief, the edition) name the story's key: an edited
brief renews them, as an edited story does."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dateline.intelligence.models import Brief
from dateline.pagecache import keys
from dateline.pagecache.invalidation import invalidate_on_commit


@receiver([post_save, post_delete], sender=Brief)
def brief_changed(sender, instance: Brief, **kwargs) -> None:
    invalidate_on_commit({keys.article(instance.article_id)})

"""A changed related list reaches the pages that show it: the story's own page (its aside
names the story's key) and its wire item, once the change has committed.

Editors' pins and removals are saved one by one (signals); the pipeline replaces the computed
rows with a queryset delete (signals too) and a bulk insert (none), and then saves the
story's Analysis, which stands for the insert."""

from collections.abc import Iterable

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dateline.pagecache import keys
from dateline.pagecache.invalidation import invalidate_on_commit

from ..models import Analysis, RelatedStory


def lists_changed(article_ids: Iterable[int]) -> None:
    """For writers that send no signals (bulk_create, update, delete of a queryset)."""
    found = {keys.article(pk) for pk in article_ids}
    if found:
        invalidate_on_commit(found)


@receiver([post_save, post_delete], sender=RelatedStory,
          dispatch_uid="dateline.intelligence.related")
def related_story_changed(sender, instance: RelatedStory, raw: bool = False, **kwargs) -> None:
    if not raw:
        lists_changed([instance.article_id])


@receiver(post_save, sender=Analysis, dispatch_uid="dateline.intelligence.related.analysis")
def story_analysed(sender, instance: Analysis, raw: bool = False, **kwargs) -> None:
    if not raw:
        lists_changed([instance.article_id])

"""Cached pages that show a photo are renewed when the photo changes, and its published
stories are announced as updated.

A page names the stories it shows as surrogate keys (`keys.article`), so a photo's change
renews the stories that use it: every page, part and listing showing one is re-rendered. The
library knows nothing of pages; the site, which shows the photos, listens to it. Feeds carry
the photo's caption and credit too, so newsroom's `public_story_changed` ("updated") is sent
for each published story using it: WebSub pushes its feeds again.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dateline.newsroom.models import Article
from dateline.newsroom.signals import public_story_changed
from dateline.pagecache import keys
from dateline.pagecache.invalidation import invalidate_on_commit
from dateline.pictures.models import Photo, Rendition, StoryPhoto


def renew_stories_using(photo_id: int, *, announce: bool = True) -> None:
    # One small query; a photo no story uses (a new upload) renews nothing.
    used_by = set(StoryPhoto.objects.filter(photo_id=photo_id).values_list("article_id", flat=True))
    if used_by:
        renew(used_by, announce=announce)


def renew(article_ids: set[int], *, announce: bool = True) -> None:
    invalidate_on_commit({keys.article(pk) for pk in article_ids})
    if announce:
        for pk in Article.objects.live().filter(pk__in=article_ids).values_list("pk", flat=True):
            public_story_changed.send(sender=StoryPhoto, kind="updated", article_id=pk)


@receiver(post_save, sender=Photo, dispatch_uid="site.photo_changed")
def photo_changed(sender, instance: Photo, created: bool, raw: bool = False, **kwargs) -> None:
    """Caption, alt text, credit, rights or focal point: whatever the pages print of it."""
    if not created and not raw:
        renew_stories_using(instance.pk)


@receiver([post_save, post_delete], sender=Rendition, dispatch_uid="site.rendition_changed")
def rendition_changed(sender, instance: Rendition, raw: bool = False, **kwargs) -> None:
    """Pages show the nearest renditions until all exist; each new one may be a better pick.
    Not announced: a photo makes dozens at a time, and a push for each would flood WebSub's
    subscribers; feeds show the new files when next read or pushed."""
    if not raw:
        renew_stories_using(instance.photo_id, announce=False)


@receiver([post_save, post_delete], sender=StoryPhoto, dispatch_uid="site.story_photo_changed")
def story_photo_changed(sender, instance: StoryPhoto, raw: bool = False, **kwargs) -> None:
    """A photo placed in, moved within or taken out of a story."""
    if not raw:
        renew({instance.article_id})

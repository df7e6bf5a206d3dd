"""A story's photo changed outside the desk: partners are sent the story again.

The wire carries a story's photos, the lead and those in its body, with their captions,
credits, rights and JPEG renditions (pictures.py). A caption corrected in the photo library (a
wrong name under a face) changed the site's pages at once but never reached a partner that had
taken the story: nothing put it on the changes feed, and a partner's system takes an item
again only when its version has grown. Nor did a story that went out in the seconds before the
worker had cut its photo, without a picture, ever go out with it. Both now send the stories
using that photo again (`ArticleQuerySet.send_again`: a new wire version, a new place on the
changes feed).
"""

from django.db.models import F
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from dateline.newsroom.models import Article
from dateline.pagecache import keys
from dateline.pagecache.invalidation import invalidate_on_commit
from dateline.pictures.models import Photo, StoryPhoto
from dateline.pictures.signals import renditions_made

# What a ninjs picture item prints of the library's photo (formatters' `picture`,
# pictures.caption_of and credit_of: the credit falls back to creator and source).
WIRE_FIELDS = ("title", "caption", "alt_text", "credit", "creator", "source",
               "copyright_notice", "usage_terms")


def using(photo: Photo):
    """The stories carrying the photo, as their lead or in their body: the wire prints both."""
    return Article.objects.filter(pk__in=StoryPhoto.objects.filter(photo=photo)
                                  .values("article_id"))


def send_again(stories) -> None:
    """The stories' wire items are formatted afresh: one stored by a poll in between (the
    renditions are saved one by one, each renewing the story) names the old version."""
    sent = stories.send_again()
    invalidate_on_commit({keys.article(pk) for pk in sent})


def _wire_fields_saved(update_fields) -> bool:
    return update_fields is None or bool(set(update_fields) & set(WIRE_FIELDS))


@receiver(pre_save, sender=Photo, dispatch_uid="syndication.photo_words_before")
def remember_words(sender, instance: Photo, raw: bool = False, update_fields=None,
                   **kwargs) -> None:
    if instance.pk and not raw and _wire_fields_saved(update_fields):
        instance._wire_words = Photo.objects.filter(pk=instance.pk).values(*WIRE_FIELDS).first()


@receiver(post_save, sender=Photo, dispatch_uid="syndication.photo_words_changed")
def send_again_if_reworded(sender, instance: Photo, created: bool, raw: bool = False,
                           update_fields=None, **kwargs) -> None:
    """In the save's transaction: the stories go out again with it, or not at all. A save that
    changed none of the words partners print (a focal point moved: the new crops follow from
    the worker) sends nothing."""
    before = instance.__dict__.pop("_wire_words", None)
    if created or raw or before is None:
        return
    if any(getattr(instance, name) != before[name] for name in WIRE_FIELDS):
        send_again(using(instance))


@receiver(renditions_made, dispatch_uid="syndication.photo_renditions_made")
def send_again_with_renditions(sender, photo: Photo, **kwargs) -> None:
    """Only stories whose last change was news to partners: one an archive's import brought
    in (stamped at its old publication time, no news) is not announced by its photo's cuts."""
    send_again(using(photo).filter(wire_changed_at__gte=F("modified_at")))

"""Renditions are queued for the worker when a photo is stored and when its focal point moves."""

from django.db import transaction

from .models import Photo, Rendition


def _enqueue(photo_id: int) -> None:
    from .tasks import make_renditions

    # On commit: the worker must find the photo (and its new focal point) in the database.
    transaction.on_commit(lambda: make_renditions.enqueue(photo_id))


def on_photo_stored(sender, photo: Photo, **kwargs) -> None:
    _enqueue(photo.pk)


def on_photo_saved(sender, instance: Photo, created: bool, raw: bool = False, **kwargs) -> None:
    """A saved photo whose renditions were cut for another focal point gets new ones."""
    if created or raw:
        return  # a new photo's renditions come with photo_stored
    moved = (Rendition.objects.filter(photo=instance).exclude(shape=Rendition.Shape.FREE)
             .exclude(focal_x=instance.focal_x, focal_y=instance.focal_y).exists())
    if moved:
        _enqueue(instance.pk)

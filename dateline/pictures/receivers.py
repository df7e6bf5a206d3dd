"""Renditions are queued for the worker when a photo is stored and when its focal point moves;
a photo deleted takes its original and its renditions' files with it."""

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


def _delete_when_unused(storage, name: str, still_used) -> None:
    """After the commit (a rolled-back delete keeps the file), unless another row names the
    same file: renditions and originals are named by their content."""
    def delete() -> None:
        if name and not still_used():
            storage.delete(name)

    transaction.on_commit(delete)


def on_photo_deleted(sender, instance: Photo, **kwargs) -> None:
    """The original, as sent (its EXIF and GPS too), is not kept after its photo: a photo
    taken down for a rights claim or a reader's privacy is gone from the private store."""
    name = instance.original.name
    _delete_when_unused(instance.original.storage, name,
                        lambda: Photo.objects.filter(original=name).exists())


def on_rendition_deleted(sender, instance: Rendition, **kwargs) -> None:
    """Its public file stops being served here (a CDN's copies are purged there)."""
    name = instance.file.name
    _delete_when_unused(instance.file.storage, name,
                        lambda: Rendition.objects.filter(file=name).exists())

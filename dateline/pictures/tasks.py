"""The worker's picture work: renditions made in the background, so no page waits for them."""

import logging

from django.db import IntegrityError
from django.tasks import task

logger = logging.getLogger(__name__)


@task()
def make_renditions(photo_id: int) -> dict:
    """Make a photo's renditions (missing ones, and those cut for an older focal point).

    A file Pillow cannot read is logged and reported in the task's result; it never stops the
    worker, and the photo stays without renditions, so pages show no image for it."""
    from PIL import Image

    from . import renditions
    from .models import Photo
    from .signals import renditions_made

    try:
        photo = Photo.objects.get(pk=photo_id)
    except Photo.DoesNotExist:
        return {"photo": photo_id, "made": 0, "error": "deleted"}
    try:
        made = renditions.make_renditions(photo)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        # OSError: truncated or unreadable; ValueError/SyntaxError: malformed headers.
        logger.warning("pictures: no renditions for photo %s: %r", photo_id, error)
        return {"photo": photo_id, "made": 0, "error": f"{type(error).__name__}: {error}"}
    except IntegrityError:
        # Another run (stored, then refocused at once) wrote the same sizes first: it made them.
        return {"photo": photo_id, "made": 0, "error": "made by a concurrent run"}
    if made:
        renditions_made.send(sender=Photo, photo=photo, made=made)
    return {"photo": photo_id, "made": made}

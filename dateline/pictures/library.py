"""Adding a file to the photo library: checked, described by its own metadata, stored once.

`add_photo` is the one way in, for the desk's upload form, imports and readers' reports. A
file is judged by what it holds, cheapest check first: its size in bytes, then its header
(format, pixels, animation; checks.py), then every pixel decoded in a bounded child process.
Only then is it hashed, described from its IPTC/XMP/EXIF (metadata.py) and stored, as
uploaded, in the private originals storage; renditions are the worker's job, started by the
`photo_stored` signal once the transaction has committed.
"""

import hashlib
import io
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify

from dateline.newsroom.models import Tag

from . import checks
from .metadata import FIELDS, read_metadata
from .models import Photo
from .signals import photo_stored

_CHUNK = 1024 * 1024
# What a caller may say about the photo; the file's facts (size, format, hash) are ours.
_GIVEN = {*FIELDS, "taken_at", "focal_x", "focal_y"}


class PhotoRefused(checks.Refused):
    """The file cannot go into the library; str() says why, fit for the upload form."""


def add_photo(file, *, name: str = "", user=None, origin=Photo.Origin.UPLOAD,
              fields: dict | None = None) -> tuple[Photo, bool]:
    """The library's photo for `file`, and whether it is new; PhotoRefused with the reason."""
    name = _display_name(name or getattr(file, "name", "") or "")
    data = _read_bounded(file)
    sha256 = hashlib.sha256(data).hexdigest()
    existing = Photo.objects.filter(sha256=sha256).first()
    if existing:  # already checked when it came in the first time
        return existing, False
    try:
        header = checks.check_header(data, name)
        shown = checks.check_decodes(data)
    except checks.Refused as refused:
        raise PhotoRefused(str(refused)) from None
    described = read_metadata(io.BytesIO(data))
    given = {k: v for k, v in (fields or {}).items() if k in _GIVEN}
    photo = Photo(
        sha256=sha256, format=header.format, width=shown["width"], height=shown["height"],
        size=len(data), original_name=name, origin=origin, uploaded_by=user,
        embedded={**described["embedded"], "mode": shown["mode"]},
        taken_at=described["taken_at"],
        **{field: described[field] for field in FIELDS},
    )
    for key, value in given.items():
        setattr(photo, key, value)
    try:
        with transaction.atomic():
            photo.original.save(f"{sha256}.{header.format}", ContentFile(data), save=False)
            photo.save()
            photo.tags.add(*_tags(described["keywords"]))
    except IntegrityError:  # the same file, uploaded at the same moment by someone else
        existing = Photo.objects.get(sha256=sha256)
        if photo.original.name != existing.original.name:  # the storage renamed our copy
            photo.original.delete(save=False)
        return existing, False
    except OSError as error:  # where originals are kept refused it: a full disk, no folder
        raise PhotoRefused(
            f"“{name}” could not be stored: the photo library's storage failed "
            f"({error.strerror or type(error).__name__}). Nothing was added. Try again later, "
            "or tell whoever runs the site.") from None
    transaction.on_commit(partial(photo_stored.send, sender=Photo, photo=photo))
    return photo, True


def _display_name(name: str) -> str:
    name = "".join(c for c in Path(str(name)).name if c.isprintable()).strip()
    return name[:Photo._meta.get_field("original_name").max_length]


def _read_bounded(file) -> bytes:
    """The whole file, read no further than the limit: PhotoRefused when it is larger."""
    max_bytes = settings.DATELINE_PHOTO_MAX_BYTES
    too_big = PhotoRefused(f"This file is larger than {filesizeformat(max_bytes)}, the most a "
                           "photo may be. Upload a smaller copy.")
    size = getattr(file, "size", None)
    if isinstance(size, int) and size > max_bytes:
        raise too_big
    if hasattr(file, "seek"):
        file.seek(0)
    out = io.BytesIO()
    while out.tell() <= max_bytes:
        chunk = file.read(min(_CHUNK, max_bytes + 1 - out.tell()) or 1)
        if not chunk:
            break
        out.write(chunk)
    if out.tell() > max_bytes:
        raise too_big
    if not out.tell():
        raise PhotoRefused("This file is empty.")
    return out.getvalue()


def _tags(keywords: list[str]) -> list[Tag]:
    """Topic tags for the file's keywords: an existing one by name (any case), else a new one."""
    tags = []
    for keyword in keywords:  # metadata.py bounds how many
        name = keyword[: Tag._meta.get_field("name").max_length]
        slug = slugify(name, allow_unicode=True)[: Tag._meta.get_field("slug").max_length]
        if not slug:
            continue
        tag = (Tag.objects.filter(kind=Tag.Kind.TOPIC, name__iexact=name).first()
               or Tag.objects.filter(kind=Tag.Kind.TOPIC, slug=slug).first())
        if tag is None:
            tag, _ = Tag.objects.get_or_create(kind=Tag.Kind.TOPIC, slug=slug,
                                               defaults={"name": name})
        tags.append(tag)
    return tags

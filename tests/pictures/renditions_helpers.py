"""Photos for the rendition tests, made from the real ones in ../shared/corpus/photos."""

import hashlib
import io

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from PIL import Image

from dateline.pictures.models import Photo, Rendition
from tests.conftest import require_shared


def real_photo(width: int, height: int, name: str = "rocket.jpg") -> Image.Image:
    with Image.open(require_shared(f"corpus/photos/{name}")) as source:
        return source.convert("RGB").resize((width, height), Image.Resampling.LANCZOS)


def jpeg(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, **options)
    return out.getvalue()


def store(data: bytes, *, focal=(0.5, 0.5), fmt: str = "jpeg") -> Photo:
    """A photo in the library as its upload would leave it (without sending photo_stored)."""
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
    digest = hashlib.sha256(data).hexdigest()
    photo = Photo(sha256=digest, format=fmt, width=width, height=height, size=len(data),
                  focal_x=focal[0], focal_y=focal[1], alt_text="A rocket on its pad")
    photo.original.save(f"upload.{fmt}", ContentFile(data), save=False)
    photo.save()
    return photo


def opened(rendition: Rendition) -> Image.Image:
    with storages["default"].open(rendition.file.name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
        return image

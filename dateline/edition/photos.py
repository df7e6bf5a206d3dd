"""The edition's photos: each placed story's lead photo for the web page, the mail and the PDF.

The PDF embeds its JPEG rendition read from the storage, never over HTTP: the fetcher in
pdf.py hands WeasyPrint exactly the files listed in `pdf_files`, and refuses every other URL.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.storage import storages

from dateline.pictures.display import image_url, renditions_of
from dateline.pictures.models import Photo, Rendition, StoryPhoto
from dateline.pictures.stories import caption_of, credit_of

from .models import EditionItem

# The PDF's lead photo spans the page's 184 mm: 1200 px is about 165 dpi, sharp in print
# while a whole edition stays a few hundred kilobytes.
PDF_WIDTH = 1200
# The mail's photo: shown 600 CSS px wide (the mail's column), twice that for sharp screens.
MAIL_SHOWN, MAIL_WIDTH = 600, 1200


@dataclass(frozen=True)
class EditionPhoto:
    photo: Photo
    caption: str
    credit: str

    @property
    def alt(self) -> str:
        return self.photo.alt_text


@dataclass(frozen=True)
class PrintedImage:
    url: str  # absolute, as the HTML names it
    width: int
    height: int
    name: str  # the file in the public storage


def attach(items: Iterable[EditionItem]) -> None:
    """Give each item `photo`: its story's lead EditionPhoto or None; two queries in all."""
    items = list(items)
    uses = (StoryPhoto.objects.filter(article_id__in={i.article_id for i in items},
                                      role=StoryPhoto.Role.LEAD)
            .select_related("photo").prefetch_related("photo__renditions"))
    found = {use.article_id: EditionPhoto(use.photo, caption_of(use), credit_of(use))
             for use in uses if renditions_of(use.photo)}
    for item in items:
        item.photo = found.get(item.article_id)


@dataclass(frozen=True)
class MailImage:
    url: str  # absolute: on DATELINE_SITE_URL, or the CDN's
    width: int  # as shown: mail programs that ignore CSS lay the <img> out by these
    height: int


def mail_image(photo: EditionPhoto | None) -> MailImage | None:
    """The mail's 16:9 JPEG, shown at most MAIL_SHOWN px wide."""
    found = None if photo is None else image_url(photo.photo, "16x9", MAIL_WIDTH)
    if found is None:
        return None
    url, width, height = found
    shown = min(width, MAIL_SHOWN)
    return MailImage(url, shown, round(height * shown / width))


def printed(photo: EditionPhoto | None) -> PrintedImage | None:
    """The PDF's JPEG of the photo, with the storage name the fetcher reads it from."""
    if photo is None:
        return None
    found = image_url(photo.photo, "16x9", PDF_WIDTH)
    if found is None:
        return None
    url, width, height = found
    rendition: Rendition | None = next(
        (r for r in renditions_of(photo.photo) if r.format == "jpeg" and url.endswith(r.file.url)),
        None)
    if rendition is None:
        return None
    return PrintedImage(url, width, height, rendition.file.name)


def read_rendition(name: str) -> bytes:
    with storages["default"].open(name, "rb") as handle:
        return handle.read()

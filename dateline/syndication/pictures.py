"""A story's photos as feeds and the wire carry them: JPEG renditions at absolute URLs, with
the words a partner prints beside each (caption, credit, rights). The lead photo is the
item's own picture; body photos are placed in the body and associated too.

JPEG only: every feed reader and every partner's system can show it, and a feed or ninjs item
names one file per size. Until the worker has made the photo's renditions the story carries
no photo at all, never the private original.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from math import gcd

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.html import format_html

from dateline.newsroom.models import Article
from dateline.pictures.display import image_url, renditions_of
from dateline.pictures.models import Photo, StoryPhoto
from dateline.pictures.placing import placed
from dateline.pictures.stories import caption_of, credit_of, lead_photo

JPEG = "image/jpeg"
# The sizes handed out, by IPTC's rendition names (http://cv.iptc.org/newscodes/rendition/):
# shape and the smallest width wanted (the widest there is when none is that wide).
SIZES = {
    "viewImage": ("16x9", 1200),  # the one feeds show: Google and social cards want 1200 px
    "thumbnail": ("4x3", 320),
    "baseImage": ("free", 100_000),  # as taken, the widest made
}

RATIOS = {"16x9": "16:9", "4x3": "4:3", "1x1": "1:1"}


@dataclass(frozen=True)
class Image:
    name: str
    url: str
    width: int
    height: int
    size: int  # bytes: RSS enclosures and ninjs sizeInBytes need it
    shape: str
    content_type: str = JPEG

    @property
    def aspect_ratio(self) -> str:
        """"16:9", as ninjs 3.x writes it: the crop's (889 x 500 is 16:9 rounded), else the
        photo's own as taken."""
        if self.shape in RATIOS:
            return RATIOS[self.shape]
        common = gcd(self.width, self.height)
        return f"{self.width // common}:{self.height // common}"


@dataclass(frozen=True)
class LeadPhoto:
    """A photo of the story as handed out: its lead photo, or one placed in its body."""

    photo: Photo
    images: dict[str, Image]  # by name, in SIZES order; always holds viewImage
    caption: str
    credit: str
    alt: str
    by: str = ""  # the photographer, as ninjs's `by` states them (photographer_of)

    @property
    def main(self) -> Image:
        return self.images["viewImage"]


def lead_prefetch() -> Prefetch:
    """For a listing's query: each article's lead photo and its renditions, two queries in all
    (read back by `lead_use`)."""
    return Prefetch(
        "photos", to_attr="lead_uses",
        queryset=StoryPhoto.objects.filter(role=StoryPhoto.Role.LEAD).select_related("photo")
        .prefetch_related("photo__renditions"))


def prefetch_leads(articles: Iterable[Article]) -> None:
    """The same for articles already loaded (an API page, an edition's items)."""
    prefetch_related_objects(list(articles), lead_prefetch())


def lead_use(article: Article) -> StoryPhoto | None:
    uses = getattr(article, "lead_uses", None)
    if uses is None:  # not prefetched: one story on its own
        return lead_photo(article)
    return uses[0] if uses else None


def lead_photo_of(article: Article, absolute: Callable[[str], str]) -> LeadPhoto | None:
    """The story's lead photo with its renditions, URLs made absolute by `absolute(path)`
    (a CDN's absolute URL is kept); None without a lead photo or before its renditions."""
    use = lead_use(article)
    return None if use is None else _picture(use, absolute)


def _body_uses():
    return (StoryPhoto.objects.filter(role=StoryPhoto.Role.BODY).select_related("photo")
            .prefetch_related("photo__renditions").order_by("after_paragraph", "position", "pk"))


def body_prefetch() -> Prefetch:
    """For a list's query: each article's body photos in reading order, with renditions."""
    return Prefetch("photos", to_attr="body_uses", queryset=_body_uses())


def prefetch_bodies(articles: Iterable[Article]) -> None:
    prefetch_related_objects(list(articles), body_prefetch())


def body_photos_of(article: Article, absolute: Callable[[str], str],
                   ) -> list[tuple[int, LeadPhoto]]:
    """The photos placed in the story's body, each with the paragraph it follows, in reading
    order; those without renditions yet left out, as on the page. A partner taking the body
    lost every one of them: the wire and the feeds carried the lead photo alone."""
    uses = getattr(article, "body_uses", None)
    if uses is None:  # not prefetched: one story on its own
        uses = list(_body_uses().filter(article=article))
    found = ((use.after_paragraph, _picture(use, absolute)) for use in uses)
    return [(after, picture) for after, picture in found if picture is not None]


def with_body_photos(body: str, photos: list[tuple[int, LeadPhoto]]) -> str:
    """The body with each photo in its place (pictures.placing), as the site's page has it."""
    return placed(body, [(after, _figure(photo)) for after, photo in photos])


def _figure(photo: LeadPhoto) -> str:
    """A body photo as a <figure>: its 16:9 file, alt text, caption and credit."""
    words = " ".join(part for part in (photo.caption,
                                       f"Photo: {photo.credit}" if photo.credit else "") if part)
    return format_html('<figure><img src="{}" width="{}" height="{}" alt="{}">{}</figure>',
                       photo.main.url, photo.main.width, photo.main.height, photo.alt,
                       format_html("<figcaption>{}</figcaption>", words) if words else "")


def _picture(use: StoryPhoto, absolute: Callable[[str], str]) -> LeadPhoto | None:
    images = {}
    for name, (shape, min_width) in SIZES.items():
        image = _image(use.photo, name, shape, min_width, absolute)
        if image is not None and all(image.url != other.url for other in images.values()):
            images[name] = image
    if "viewImage" not in images:
        return None
    return LeadPhoto(photo=use.photo, images=images, caption=caption_of(use),
                     credit=credit_of(use), alt=use.photo.alt_text, by=photographer_of(use))


def photographer_of(use) -> str:
    """Who made the photo, for a partner: the story's own credit for it where the desk wrote
    one; else the library's creator with its credit line after a slash, as wires write it
    ("Jane Doe / Reuters"). The credit line alone went out as the photographer."""
    if use.credit:
        return use.credit
    creator, credit = use.photo.creator.strip(), credit_of(use).strip()
    if creator and credit and creator.casefold() not in credit.casefold():
        return f"{creator} / {credit}"
    return credit or creator


def _image(photo: Photo, name: str, shape: str, min_width: int,
           absolute: Callable[[str], str]) -> Image | None:
    # The display's own choice (the nearest shape until all exist), then that file's bytes.
    found = image_url(photo, shape, min_width, format="jpeg")
    if found is None:
        return None
    chosen = next((r for r in renditions_of(photo)
                   if r.format == "jpeg" and found[0].endswith(r.file.url)), None)
    if chosen is None:
        return None
    url = chosen.file.url
    if not url.startswith(("http://", "https://")):
        url = absolute(url)
    return Image(name=name, url=url, width=chosen.width, height=chosen.height, size=chosen.size,
                 shape=chosen.shape)

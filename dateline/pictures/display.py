"""How pages show a photo: the renditions the worker made, never the original.

A page never waits for the worker: until a shape's renditions exist it shows the nearest ones
that do (another shape, an older focal point), and with none at all it shows no image.

A listing should fetch the renditions with its photos, in one query:
`prefetch_related("photo__renditions")` on StoryPhotos, `"renditions"` on Photos.
"""

from django.conf import settings
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from .models import Photo, Rendition

# Formats the <picture> offers, best first; JPEG is the <img> every browser can show.
SOURCES = (("avif", "image/avif"), ("webp", "image/webp"))
# The shapes to fall back on, in order, when the shape asked for has no renditions yet.
FALLBACK = (Rendition.Shape.FREE, Rendition.Shape.STANDARD, Rendition.Shape.WIDE,
            Rendition.Shape.SQUARE)


def renditions_of(photo: Photo) -> list[Rendition]:
    """Every rendition of the photo by shape, format and width (uses a prefetch if any)."""
    found = list(photo.renditions.all())
    return sorted(found, key=lambda r: (r.shape, r.format, r.width))


def _usable(photo: Photo, shape: str) -> tuple[str, list[Rendition]] | None:
    """The shape to show and its renditions: the one asked for, else the nearest that exists."""
    every = renditions_of(photo)
    for candidate in (shape, *[s for s in FALLBACK if s != shape]):
        of_shape = [r for r in every if r.shape == candidate]
        if any(r.format == "jpeg" for r in of_shape):
            return candidate, of_shape
    return None


def _url(rendition: Rendition) -> str:
    return rendition.file.url


def _srcset(renditions: list[Rendition]) -> str:
    return ", ".join(f"{_url(r)} {r.width}w" for r in renditions)


def picture(photo: Photo | None, shape: str = "16x9", sizes: str = "100vw", *,
            alt: str | None = None, loading: str = "lazy", css_class: str = "") -> SafeString:
    """A responsive <picture> of the photo in `shape`; "" when it has no rendition yet."""
    if photo is None:
        return mark_safe("")
    found = _usable(photo, shape)
    if found is None:
        return mark_safe("")
    _, renditions = found
    jpegs = [r for r in renditions if r.format == "jpeg"]
    # The <img>'s own src and size: the middle of the range, a sane pick without srcset.
    fallback = min(jpegs, key=lambda r: abs(r.width - 960))
    sources = format_html_join(
        "", '<source type="{}" srcset="{}" sizes="{}">',
        ((mime, _srcset([r for r in renditions if r.format == fmt]), sizes)
         for fmt, mime in SOURCES if any(r.format == fmt for r in renditions)),
    )
    class_attr = format_html(' class="{}"', css_class) if css_class else ""
    return format_html(
        '<picture>{}<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}"{}'
        ' loading="{}" decoding="async"></picture>',
        sources, _url(fallback), _srcset(jpegs), sizes, fallback.width, fallback.height,
        photo.alt_text if alt is None else alt, class_attr, loading,
    )


def absolute(url: str, request: HttpRequest | None = None) -> str:
    """The URL as a reader elsewhere can fetch it: a CDN's URL as is, ours on the site's host."""
    if url.startswith(("http://", "https://", "//")):
        return url
    if request is not None:
        return request.build_absolute_uri(url)
    return settings.DATELINE_SITE_URL + url


def image_url(photo: Photo | None, shape: str = "16x9", min_width: int = 1200,
              format: str = "jpeg", *, request: HttpRequest | None = None,
              ) -> tuple[str, int, int] | None:
    """(absolute url, width, height) of the smallest rendition at least `min_width` wide, else
    the widest: for JSON-LD, og:image, feeds, ninjs and the PDF. None without renditions."""
    if photo is None:
        return None
    found = _usable(photo, shape)
    if found is None:
        return None
    _, renditions = found
    of_format = [r for r in renditions if r.format == format] or [
        r for r in renditions if r.format == "jpeg"]
    wide_enough = [r for r in of_format if r.width >= min_width]
    chosen = min(wide_enough, key=lambda r: r.width) if wide_enough else max(
        of_format, key=lambda r: r.width)
    return absolute(_url(chosen), request), chosen.width, chosen.height

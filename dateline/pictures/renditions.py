"""Cutting a photo into the renditions readers get: sizes, shapes around the focal point, and
formats a browser picks from, every file re-encoded in sRGB with no EXIF, GPS or XMP left in.

Pillow does the work: with JPEG draft decoding (the decoder scales by 1/2, 1/4 or 1/8 while it
reads) all renditions of a 24-megapixel photo take about a second (see `make bench-pictures`).
"""

import hashlib
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image, ImageCms, ImageOps

if TYPE_CHECKING:
    from .models import Photo

# Kept free of Django at import so the benchmark's child process measures the imaging alone.

WIDTHS = (320, 640, 960, 1280, 1600, 2048)
# Width over height of each shape; FREE keeps the photo's own.
FREE = "free"
RATIOS = {"16x9": 16 / 9, "4x3": 4 / 3, "1x1": 1.0, FREE: None}  # = Rendition.Shape
EXTENSIONS = {"avif": "avif", "webp": "webp", "jpeg": "jpg"}
SAVE_OPTIONS = {
    # speed 10: the default (6) and 8 take seconds a rendition for files under 10% smaller.
    "avif": {"quality": 55, "speed": 10},
    "webp": {"quality": 78, "method": 4},
    "jpeg": {"quality": 80, "progressive": True, "optimize": True},
}
# Decompression-bomb guard for the worker; helper checks on upload refuse such files first.
Image.MAX_IMAGE_PIXELS = 100_000_000
_SRGB = ImageCms.createProfile("sRGB")
_ROTATED = {5, 6, 7, 8}  # EXIF orientations that swap width and height


@dataclass(frozen=True)
class Cut:
    shape: str
    width: int
    height: int
    box: tuple[int, int, int, int]  # in the decoded image's pixels


def crop_box(width: int, height: int, ratio: float | None,
             focal_x: float, focal_y: float) -> tuple[int, int, int, int]:
    """The largest box of `ratio` in the image, centred on the focal point as far as it fits."""
    if ratio is None:
        return 0, 0, width, height
    if width / height > ratio:
        cw, ch = round(height * ratio), height
    else:
        cw, ch = width, round(width / ratio)
    left = min(max(round(focal_x * width - cw / 2), 0), width - cw)
    top = min(max(round(focal_y * height - ch / 2), 0), height - ch)
    return left, top, left + cw, top + ch


def widths_for(crop_width: int) -> list[int]:
    """The standard widths a crop can give without upscaling, and its own full width when that
    falls between them (a 1200-pixel crop is not cut down to 960 for large screens)."""
    fitting = [w for w in WIDTHS if w <= crop_width]
    if crop_width < WIDTHS[-1] and crop_width not in fitting:
        fitting.append(crop_width)
    return fitting


def plan(width: int, height: int, focal_x: float, focal_y: float) -> list[Cut]:
    """Every (shape, width) to make for a photo of this upright size."""
    cuts = []
    for shape, ratio in RATIOS.items():
        box = crop_box(width, height, ratio, focal_x, focal_y)
        cw, ch = box[2] - box[0], box[3] - box[1]
        for w in widths_for(cw):
            cuts.append(Cut(shape, w, max(1, round(ch * w / cw)), box))
    return cuts


def open_upright(data: bytes, need: float = 1.0) -> Image.Image:
    """The photo decoded, turned upright, in 8-bit sRGB RGB, at no less than `need` of its size.

    `need` lets a JPEG decode at a half, quarter or eighth of its size, which is most of the time
    and memory saved on a large photo."""
    image = Image.open(io.BytesIO(data))
    if image.format == "JPEG" and need < 1.0:
        w, h = image.size
        image.draft("RGB", (max(1, int(w * need) + 1), max(1, int(h * need) + 1)))
    image = ImageOps.exif_transpose(image)
    return to_srgb(image)


def to_srgb(image: Image.Image) -> Image.Image:
    """8-bit RGB in sRGB from any ICC profile, CMYK, 16-bit or transparent input."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        # 16-bit grey: keep the top eight bits rather than clipping at 255.
        image = image.convert("I").point(lambda v: v / 256).convert("L")
    icc = image.info.get("icc_profile")
    if icc:
        try:
            if image.mode in ("RGB", "CMYK"):
                source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
                image = ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
        except (OSError, ImageCms.PyCMSError):
            pass  # a broken profile: the plain conversion below is the best guess
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode != "RGB":
        image = image.convert("RGB")
    image.info = {}  # nothing of the original's metadata may reach an output file
    return image


def encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    image.info = {}
    image.save(out, format=fmt.upper(), **SAVE_OPTIONS[fmt])
    return out.getvalue()


def hashed_name(data: bytes, width: int, height: int, fmt: str) -> str:
    digest = hashlib.sha256(data).hexdigest()
    return f"pictures/{digest[:2]}/{digest}-{width}x{height}.{EXTENSIONS[fmt]}"


def render(data: bytes, focal_x: float, focal_y: float,
           formats: tuple[str, ...] = ("avif", "webp", "jpeg"),
           skip=lambda cut: False):
    """Yield (cut, format, encoded bytes) for every rendition of the photo in `data`."""
    probe = Image.open(io.BytesIO(data))
    w, h = probe.size
    if probe.getexif().get(0x0112) in _ROTATED:
        w, h = h, w
    cuts = [cut for cut in plan(w, h, focal_x, focal_y) if not skip(cut)]
    if not cuts:
        return
    need = max(cut.width / (cut.box[2] - cut.box[0]) for cut in cuts)
    image = open_upright(data, need)
    sx, sy = image.width / w, image.height / h
    # Widest first, each narrower cut from the one before: far cheaper than each from the photo.
    for shape in RATIOS:
        previous = None
        for cut in sorted((c for c in cuts if c.shape == shape), key=lambda c: -c.width):
            if previous is None:
                box = (cut.box[0] * sx, cut.box[1] * sy, cut.box[2] * sx, cut.box[3] * sy)
                resized = image.resize((cut.width, cut.height), Image.Resampling.LANCZOS,
                                       box=box, reducing_gap=3.0)
            else:
                resized = previous.resize((cut.width, cut.height), Image.Resampling.LANCZOS)
            previous = resized
            for fmt in formats:
                yield cut, fmt, encode(resized, fmt)


def make_renditions(photo: "Photo") -> int:
    """Make the photo's missing renditions, and remake those cut for another focal point.
    Returns how many were made."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    from .models import Rendition

    existing = {(r.shape, r.format, r.width): r for r in photo.renditions.all()}
    fx, fy = photo.focal_x, photo.focal_y

    def current(cut: Cut) -> bool:
        found = [existing.get((cut.shape, f, cut.width)) for f in EXTENSIONS]
        return all(r is not None and (cut.shape == FREE
                                      or (r.focal_x, r.focal_y) == (fx, fy)) for r in found)

    with photo.original.open("rb") as original:
        data = original.read()
    storage = storages["default"]
    made = 0
    for cut, fmt, encoded in render(data, fx, fy, skip=current):
        name = hashed_name(encoded, cut.width, cut.height, fmt)
        if not storage.exists(name):
            name = storage.save(name, ContentFile(encoded))
        Rendition.objects.update_or_create(
            photo=photo, shape=cut.shape, format=fmt, width=cut.width,
            defaults={"height": cut.height, "file": name, "size": len(encoded),
                      "focal_x": fx, "focal_y": fy},
        )
        made += 1
    return made

"""Readers' photos: checked by what the file holds, then re-encoded without any metadata.

A phone photo carries where it was taken (EXIF GPS), the phone's serial number and more; a
reader who sends one to a news agency may be put at risk by it. So nothing of the file is
kept but its pixels: the photo is decoded, turned upright by its EXIF orientation, and saved
afresh with no EXIF, XMP, comments or text chunks. A colour profile is applied (the pixels are
converted to sRGB, so colours survive) and then dropped too.
"""

import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageCms, ImageOps

logger = logging.getLogger(__name__)

# Pillow's names of the formats readers may send; MPO is a JPEG with extra pictures
# (phones add depth maps and HDR gain maps that way): its first picture is the photo.
ACCEPTED = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "WEBP": "webp"}
# Only these decoders ever see a reader's file (Pillow tries every plugin otherwise).
_OPENERS = ["JPEG", "PNG", "WEBP"]
_SAVE_AS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
_SRGB = ImageCms.createProfile("sRGB")
_PNG_MODES = {"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"}


class PhotoRefused(Exception):
    """The photo cannot be kept; the message says why, to the reader, naming the file."""


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    format: str  # jpeg, png or webp
    width: int
    height: int
    original_name: str


def display_name(upload: UploadedFile) -> str:
    """The file's name as the reader's computer gave it, fit to show and store."""
    name = "".join(c for c in (upload.name or "") if c.isprintable())
    return name[:200] or "photo"


def clean_photo(upload: UploadedFile) -> CleanPhoto:
    """Check an uploaded photo and return it re-encoded; raise PhotoRefused with the reason."""
    name = display_name(upload)
    max_bytes = settings.DATELINE_SUBMISSION_PHOTO_MAX_BYTES
    if not upload.size:
        raise PhotoRefused(f"“{name}” is empty.")
    if upload.size > max_bytes:
        raise PhotoRefused(
            f"“{name}” is {filesizeformat(upload.size)}; a photo may be at most "
            f"{filesizeformat(max_bytes)}. Send a smaller copy."
        )
    upload.seek(0)
    try:
        image = Image.open(upload, formats=_OPENERS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused(_too_many_pixels(name, None)) from None
    except Exception:  # UnidentifiedImageError, or a header too broken to read
        if _starts_like_a_photo(upload):
            raise PhotoRefused(_damaged(name)) from None
        raise PhotoRefused(
            f"“{name}” is not a JPEG, PNG or WebP photo (we look at what the file holds, "
            "not at its name), so it was not kept."
        ) from None
    with image:
        if image.format not in ACCEPTED:
            raise PhotoRefused(f"“{name}” is not a JPEG, PNG or WebP photo, so it was not kept.")
        width, height = image.size
        # Before a single pixel is decoded: the header's promise is what a bomb lies about.
        if width * height > settings.DATELINE_SUBMISSION_PHOTO_MAX_PIXELS:
            raise PhotoRefused(_too_many_pixels(name, (width, height)))
        fmt = ACCEPTED[image.format]
        try:
            image.load()
            upright = _strip(image)
            data = _encode(upright, fmt)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoRefused(_too_many_pixels(name, (width, height))) from None
        except Exception as error:  # truncated data, a corrupt stream, an impossible mode
            logger.info("refused a damaged photo %r: %s", name, error)
            raise PhotoRefused(_damaged(name)) from None
    return CleanPhoto(data=data, format=fmt, width=upright.width, height=upright.height,
                      original_name=name)


def _starts_like_a_photo(upload: UploadedFile) -> bool:
    """Whether the file begins as a JPEG, PNG or WebP does (some decoders read it all at once)."""
    upload.seek(0)
    head = upload.read(12)
    return (head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"))
            or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"))


def _damaged(name: str) -> str:
    return (f"“{name}” is damaged or incomplete (perhaps it was still being copied), so it "
            "could not be opened. Send it again from the original.")


def _too_many_pixels(name: str, size: tuple[int, int] | None) -> str:
    limit = settings.DATELINE_SUBMISSION_PHOTO_MAX_PIXELS / 1_000_000
    shown = f" is {size[0]:,} by {size[1]:,} pixels; it" if size else ""
    return (f"“{name}”{shown} has more pixels than we accept: at most {limit:g} megapixels. "
            "Send a smaller copy.")


def _strip(image: Image.Image) -> Image.Image:
    """Upright pixels in sRGB, with nothing else of the original attached."""
    try:
        upright = ImageOps.exif_transpose(image)  # a new image: the file's is left alone
    except Exception:  # a malformed EXIF block: the pixels are still the photo
        upright = image.copy()
    profile = image.info.get("icc_profile")
    transparency = image.info.get("transparency") if upright.mode in ("P", "L", "RGB") else None
    if upright.mode == "CMYK":
        upright = _to_srgb(upright, profile, "RGB") if profile else upright.convert("RGB")
    elif profile and upright.mode in ("RGB", "RGBA"):
        upright = _to_srgb(upright, profile, upright.mode)
    # Every key of `info` is something the encoder could write back: start from nothing.
    upright.info = {} if transparency is None else {"transparency": transparency}
    return upright


def _to_srgb(image: Image.Image, icc: bytes, mode: str) -> Image.Image:
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        # An unreadable profile: keep the pixels as they are (most such photos are sRGB).
        return image.convert(mode) if image.mode != mode else image


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "jpeg":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=90)
    elif fmt == "webp":
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.mode else "RGB")
        image.save(out, "WEBP", quality=90)
    else:
        if image.mode not in _PNG_MODES:
            image = image.convert("RGBA")
        params = {}
        if "transparency" in image.info:
            params["transparency"] = image.info["transparency"]
        image.save(out, "PNG", **params)
    return out.getvalue()

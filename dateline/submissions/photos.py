"""Readers' photos: judged from their header first, then re-encoded in a bounded child process.

Checking a photo happens in two steps, cheapest first. `check_photo` reads only the header
(size in bytes, format, width, height, pixel mode) and refuses what is too large before a
single pixel is decoded: the header's promise is what a decompression bomb lies about. The
form runs it on every photo, and runs `reencode_photo` (the decoding, in reencode.py's child
process) only once everything else in the report is valid.
"""

import logging
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from PIL import Image

from dateline.pictures import structure
from dateline.pictures.checks import MAX_SIDE as LIBRARY_MAX_SIDE
from dateline.pictures.checks import first_line, run_bounded

from .reencode import ACCEPTED, OPENERS

logger = logging.getLogger(__name__)

CHILD = Path(__file__).with_name("reencode.py")
# Pixel modes Pillow gives the accepted formats. None takes more than 4 bytes a pixel once
# decoded, so the pixel limit also bounds the memory one decoded photo needs.
_MODES = {"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA", "CMYK"}
_BYTES_PER_PIXEL = 4
# The child holds the decoded photo and, for an ICC or CMYK conversion, a second copy; the
# rest is the interpreter, Pillow and the encoder's buffers.
_COPIES = 2
_OVERHEAD = 256 * 1024 * 1024
# A 50-megapixel PNG takes about 3 s of CPU to decode and encode again on the 2-core machine.
CPU_SECONDS = 20
WALL_SECONDS = 60


class PhotoRefused(Exception):
    """The photo cannot be kept; the message says why, to the reader, naming the file."""


@dataclass(frozen=True)
class PhotoHeader:
    name: str
    format: str  # jpeg, png or webp
    width: int
    height: int


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
    return reencode_photo(upload, check_photo(upload))


def check_photo(upload: UploadedFile) -> PhotoHeader:
    """Check a photo's size, format and pixels from its header alone, decoding nothing."""
    name = display_name(upload)
    _check_size(upload, name)
    with _open_header(upload, name) as image:
        if image.format not in ACCEPTED:
            raise PhotoRefused(f"“{name}” is not a JPEG, PNG or WebP photo, so it was not kept.")
        width, height = image.size
        if width * height > settings.DATELINE_SUBMISSION_PHOTO_MAX_PIXELS:
            raise PhotoRefused(_too_many_pixels(name, (width, height)))
        upload.seek(0)
        if structure.jpeg_too_short(upload.read(), width, height):
            raise PhotoRefused(_damaged(name))
        if max(width, height) > LIBRARY_MAX_SIDE:
            # The photo library refuses it when the report is accepted: said now, to the
            # reader who can still send a smaller copy (it was "received", then dropped).
            raise PhotoRefused(
                f"“{name}” is {width:,} by {height:,} pixels; the "
                f"longest side we take is {LIBRARY_MAX_SIDE:,} pixels. Send a smaller copy.")
        if image.mode not in _MODES:
            raise PhotoRefused(
                f"“{name}” stores its pixels in a way we cannot keep ({image.mode[:20]}). "
                "Save it as an ordinary JPEG or PNG and send it again."
            )
        return PhotoHeader(name=name, format=ACCEPTED[image.format], width=width,
                           height=height)


def _check_size(upload: UploadedFile, name: str) -> None:
    max_bytes = settings.DATELINE_SUBMISSION_PHOTO_MAX_BYTES
    if not upload.size:
        raise PhotoRefused(f"“{name}” is empty.")
    if upload.size > max_bytes:
        raise PhotoRefused(
            f"“{name}” is {filesizeformat(upload.size)}; a photo may be at most "
            f"{filesizeformat(max_bytes)}. Send a smaller copy."
        )


def _open_header(upload: UploadedFile, name: str) -> Image.Image:
    """The photo opened as far as its header; PhotoRefused when that is not a photo's."""
    upload.seek(0)
    if structure.too_many_steps(upload.read()):  # at most the photo size limit, checked
        raise PhotoRefused(
            f"“{name}” holds far more parts before its picture than a photo has, so it was not "
            "opened. Save it again as an ordinary JPEG or PNG and send it again.")
    upload.seek(0)
    try:
        return Image.open(upload, formats=OPENERS)  # reads the header, decodes no pixel
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused(_too_many_pixels(name, None)) from None
    except Exception:  # UnidentifiedImageError, or a header too broken to read
        if _starts_like_a_photo(upload):
            raise PhotoRefused(_damaged(name)) from None
        raise PhotoRefused(
            f"“{name}” is not a JPEG, PNG or WebP photo (we look at what the file holds, "
            "not at its name), so it was not kept."
        ) from None


def reencode_photo(upload: UploadedFile, header: PhotoHeader) -> CleanPhoto:
    """Decode a checked photo in a child process and return its pixels re-encoded."""
    upload.seek(0)
    done = _decode(header.name, upload.read())
    answer = first_line(done)
    _refuse_unless_decoded(answer, done, header)
    photo = done.stdout.partition(b"\n")[2]
    return CleanPhoto(data=photo, format=answer["format"], width=answer["width"],
                      height=answer["height"], original_name=header.name)


def _decode(name: str, data: bytes) -> subprocess.CompletedProcess:
    """Run the decoder on the photo's bytes, within its limits; PhotoRefused if it cannot run."""
    max_pixels = settings.DATELINE_SUBMISSION_PHOTO_MAX_PIXELS
    memory = max_pixels * _BYTES_PER_PIXEL * _COPIES + _OVERHEAD
    max_output = 4 * settings.DATELINE_SUBMISSION_PHOTO_MAX_BYTES
    command = [sys.executable, "-I", str(CHILD), str(max_pixels), str(memory),
               str(CPU_SECONDS), str(max_output)]
    try:
        # One bound on decoders per process, shared with the photo library's uploads.
        return run_bounded(command, data, WALL_SECONDS)
    except subprocess.TimeoutExpired:  # run() has killed the child
        raise PhotoRefused(_costly(name)) from None
    except TimeoutError:  # every decoder stayed busy with other readers' photos
        raise PhotoRefused(
            f"“{name}” could not be checked just now. Send the report again in a minute."
        ) from None
    except OSError:  # no process could be started: the machine's trouble, not the reader's
        logger.exception("could not start the photo decoder for %r", name)
        raise PhotoRefused(
            f"“{name}” could not be checked just now. Send the report again in a minute."
        ) from None


def _refuse_unless_decoded(
    answer: dict, done: subprocess.CompletedProcess, header: PhotoHeader
) -> None:
    """Raise PhotoRefused with the reason when the decoder did not return the photo."""
    name = header.name
    refused = answer.get("refused")
    if refused == "pixels":
        raise PhotoRefused(_too_many_pixels(name, (header.width, header.height)))
    if refused == "damaged":
        logger.info("refused a damaged photo %r: %s", name, done.stderr[-500:].decode(
            "utf-8", "replace").strip())
        raise PhotoRefused(_damaged(name))
    if refused or "format" not in answer:
        logger.warning("the photo decoder gave up on %r (status %s): %s", name,
                       done.returncode, done.stderr[-500:].decode("utf-8", "replace").strip())
        raise PhotoRefused(_costly(name))


def _starts_like_a_photo(upload: UploadedFile) -> bool:
    """Whether the file begins as a JPEG, PNG or WebP does (some decoders read it all at once)."""
    upload.seek(0)
    head = upload.read(12)
    return (head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"))
            or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"))


def _damaged(name: str) -> str:
    return (f"“{name}” is damaged or incomplete (perhaps it was still being copied), so it "
            "could not be opened. Send it again from the original.")


def _costly(name: str) -> str:
    return (f"“{name}” needs more memory or time to open than we give one photo. "
            "Send a smaller copy.")


def _too_many_pixels(name: str, size: tuple[int, int] | None) -> str:
    limit = settings.DATELINE_SUBMISSION_PHOTO_MAX_PIXELS / 1_000_000
    shown = f" is {size[0]:,} by {size[1]:,} pixels; it" if size else ""
    return (f"“{name}”{shown} has more pixels than we accept: at most {limit:g} megapixels. "
            "Send a smaller copy.")

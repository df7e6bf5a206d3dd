"""Whether a file is a photo the library may keep: its header first, then every pixel.

`check_header` reads only the header (format, width, height, frames) and refuses what is
not a still photo of an accepted format, or has too many pixels, before a single pixel is
decoded: the header's promise is what a decompression bomb lies about. `check_decodes` then
decodes the whole file in decode.py's child process, bounded in memory and CPU, a few at a
time, so a hostile file ends that child and never the web worker.
"""

import io
import json
import logging
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from PIL import Image

from dateline.base.turns import waiting

from . import structure
from .decode import ACCEPTED, OPENERS

logger = logging.getLogger(__name__)

CHILD = Path(__file__).with_name("decode.py")
ACCEPTED_NAMES = "JPEG, PNG, WebP, AVIF, TIFF"
# A strip 60,000 pixels long passes the pixel limit but is no photo a page can show.
MAX_SIDE = 30_000
# Pillow holds a decoded pixel in at most 4 bytes (RGB is padded to 4; CMYK, float); twice that
# leaves room for the file itself and a decoder's buffers; the rest is the interpreter and
# Pillow. 60 MP: about 710 MB, in which a 60 MP CMYK JPEG, 16-bit PNG and float TIFF decode.
_BYTES_PER_PIXEL = 8
_OVERHEAD = 256 * 1024 * 1024
# A 60-megapixel JPEG or PNG takes under a second to decode here; a float TIFF 1.5 s.
CPU_SECONDS = 20
WALL_SECONDS = 60
# Photos decoded at once by one worker process, the library's and readers' reports' alike:
# each may take the memory above and a core.
DECODERS = threading.BoundedSemaphore(os.cpu_count() or 2)


class Refused(ValueError):
    """Not a photo the library keeps; the message says why, for the upload form."""


@dataclass(frozen=True)
class Header:
    format: str  # jpeg, png, webp, avif, tiff
    width: int
    height: int
    mode: str


def check_header(data: bytes, name: str) -> Header:
    """The photo's format and size from its header alone; Refused when it may not be kept."""
    refused = _refused_by_signature(data)
    if refused:
        raise Refused(refused)
    if structure.too_many_steps(data):
        raise Refused(TOO_MANY_PARTS)
    try:
        # Pillow warns past its own limit (89 MP), or raises where warnings are errors; our
        # limit is lower. No catch_warnings here: it changes the filters of every thread.
        image = Image.open(io.BytesIO(data), formats=OPENERS)  # decodes no pixel
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused(too_many_pixels(_size_past_pillows_limit(data))) from None
    except Exception:  # UnidentifiedImageError, or a header too broken to read
        raise Refused(_not_a_photo(data, name)) from None
    with image:
        width, height = image.size
        if not width or not height:
            raise Refused(DAMAGED)
        if width * height > settings.DATELINE_PHOTO_MAX_PIXELS:
            raise Refused(too_many_pixels((width, height)))
        if structure.jpeg_too_short(data, width, height):
            raise Refused(DAMAGED)
        if max(width, height) > MAX_SIDE:
            raise Refused(f"The photo is {width:,} \N{MULTIPLICATION SIGN} {height:,} pixels; "
                          f"the longest side accepted is {MAX_SIDE:,} pixels.")
        # A TIFF's pages and an MPO's second picture (a phone's depth or gain map, behind the
        # photo) are no animation: the first picture is the photo.
        if getattr(image, "is_animated", False) and image.format not in ("TIFF", "MPO"):
            raise Refused(f"This file is an animation ({image.format} with "
                          f"{image.n_frames} frames): upload a still photo "
                          f"({ACCEPTED_NAMES}).")
        return Header(format=ACCEPTED[image.format], width=width, height=height,
                      mode=image.mode)


def check_decodes(data: bytes) -> dict:
    """Decode every pixel in a bounded child: {"format", "width", "height", "mode"} as shown."""
    max_pixels = settings.DATELINE_PHOTO_MAX_PIXELS
    memory = max_pixels * _BYTES_PER_PIXEL + _OVERHEAD
    command = [sys.executable, "-I", str(CHILD), str(max_pixels), str(memory),
               str(CPU_SECONDS)]
    try:
        done = run_bounded(command, data, WALL_SECONDS)
    except subprocess.TimeoutExpired:  # run() has killed the child
        raise Refused(COSTLY) from None
    except (TimeoutError, OSError):  # every decoder busy, or no process could start
        logger.warning("could not run the photo decoder", exc_info=True)
        raise Refused("The photo could not be checked just now. Try again in a minute.") from None
    answer = first_line(done)
    if answer.get("refused") == "pixels":
        raise Refused(too_many_pixels(None))
    if answer.get("refused") == "damaged":
        raise Refused(DAMAGED)
    if "format" not in answer:
        logger.warning("the photo decoder gave up (status %s): %s", done.returncode,
                       done.stderr[-500:].decode("utf-8", "replace").strip())
        raise Refused(COSTLY)
    return answer


def run_bounded(command: list[str], data: bytes,
                wall_seconds: float) -> subprocess.CompletedProcess:
    """Run a decoding child on `data`, a few at a time per process (the readers' reports use
    it too). TimeoutError when no decoder came free, TimeoutExpired when the child ran over."""
    # A request waiting here, or on its decoder, hands its turn to run Django to another.
    with waiting():
        if not DECODERS.acquire(timeout=wall_seconds):
            raise TimeoutError
        try:
            return subprocess.run(command, input=data, capture_output=True,
                                  timeout=wall_seconds)
        finally:
            DECODERS.release()


def first_line(done: subprocess.CompletedProcess) -> dict:
    """The child's JSON line; empty when it was killed (over its memory or CPU) or crashed."""
    if done.returncode != 0:
        return {}
    try:
        answer = json.loads(done.stdout.partition(b"\n")[0])
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _size_past_pillows_limit(data: bytes) -> tuple[int, int] | None:
    """The size a header claims beyond Pillow's own limit, to tell the uploader. Pillow checks
    its limit in Image.open only; its format classes read the header without it."""
    Image.init()
    for name in OPENERS:
        factory, accept = Image.OPEN[name]
        if accept is None or accept(data[:16]):
            try:
                with factory(io.BytesIO(data), "") as image:
                    return image.size
            except Exception:
                continue
    return None


def _refused_by_signature(data: bytes) -> str:
    """Why a file of a format we never open is refused, named from its first bytes."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"gif87a", b"gif89a")):
        if _gif_frames(data) > 1:
            return (f"This file is a GIF animation: upload a still photo "
                    f"({ACCEPTED_NAMES}).")
        return f"This file is a GIF: upload the photo as {ACCEPTED_NAMES}."
    if head.startswith(b"<") and (b"<svg" in data[:4096].lower()):
        # An SVG is a program as much as a picture (scripts, links to other files).
        return (f"This file is an SVG drawing, which may carry scripts: upload a photo "
                f"({ACCEPTED_NAMES}).")
    return ""


def _gif_frames(data: bytes) -> int:
    try:
        with Image.open(io.BytesIO(data), formats=["GIF"]) as image:
            return getattr(image, "n_frames", 1)
    except Exception:
        return 1


def _not_a_photo(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*")) or (
            data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return DAMAGED
    suffix = Path(name).suffix.lower()
    judged = "we judge a file by what it holds, and this one holds no"
    said = (f" Its name ends “{suffix[:10]}”, but {judged}" if suffix
            else f" {judged[0].upper()}{judged[1:]}")
    return f"This file is not a photo.{said} {ACCEPTED_NAMES} image."


DAMAGED = ("This photo is damaged or incomplete (perhaps it was still being copied), so it "
           "could not be opened. Upload it again from the original.")
TOO_MANY_PARTS = ("This file holds far more parts before its picture than a photo has, so it "
                  "was not opened. Save it again as an ordinary JPEG or PNG and upload that.")
COSTLY = ("This photo needs more memory or time to open than we give one photo. Upload a "
          "smaller copy.")


def too_many_pixels(size: tuple[int, int] | None) -> str:
    limit = settings.DATELINE_PHOTO_MAX_PIXELS / 1_000_000
    if size:
        return (f"The photo is {size[0]:,} \N{MULTIPLICATION SIGN} {size[1]:,} pixels; the "
                f"largest accepted is "
                f"{limit:g} megapixels.")
    return (f"The photo has more pixels than we accept; the largest accepted is {limit:g} "
            "megapixels.")

"""Decode one reader's photo and write its pixels afresh: run as a child process, with limits.

photos.py runs this file in a fresh interpreter (`python -I reencode.py ...`), one process per
photo, after the photo's header has passed its checks. Decoding is where a photo costs memory
and CPU (a 50-megapixel PNG is 200 MB of pixels); here a photo that needs too much of either
ends this process only, never the web worker, and the worker's threads keep serving readers
meanwhile (waiting on a pipe holds no lock). So this file imports nothing of Dateline or Django.

Protocol: argv holds the limits; stdin is the file; stdout is one JSON line, then the photo.
The line is {"format", "width", "height"}, or {"refused": "damaged" | "pixels" | "costly"}.

A phone photo carries where it was taken (EXIF GPS), the phone's serial number and more; a
reader who sends one to a news agency may be put at risk by it. So nothing of the file is
kept but its pixels: the photo is decoded, turned upright by its EXIF orientation, and saved
afresh with no EXIF, XMP, comments or text chunks. A colour profile is applied (the pixels are
converted to sRGB, so colours survive) and then dropped too.
"""

import io
import json
import os
import resource
import sys
import warnings

from PIL import Image, ImageCms, ImageFile, ImageOps

# Pillow's names of the formats readers may send; MPO is a JPEG with extra pictures
# (phones add depth maps and HDR gain maps that way): its first picture is the photo.
ACCEPTED = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "WEBP": "webp"}
# Only these decoders ever see a reader's file (Pillow tries every plugin otherwise).
OPENERS = ["JPEG", "PNG", "WEBP"]
_PNG_MODES = {"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"}


class Refused(Exception):
    """The photo cannot be kept; args[0] is the reason's code for the parent."""


def main(argv: list[str]) -> int:
    max_pixels, memory, cpu_seconds, max_output = (int(a) for a in argv[1:5])
    _bound(memory, cpu_seconds)
    data = sys.stdin.buffer.read()
    try:
        answer, photo = reencode(data, max_pixels, max_output)
    except Refused as refused:
        answer, photo = {"refused": refused.args[0]}, b""
    except MemoryError:
        answer, photo = {"refused": "costly"}, b""
    sys.stdout.buffer.write(json.dumps(answer).encode() + b"\n" + photo)
    return 0


def _bound(memory: int, cpu_seconds: int) -> None:
    """Cap this process's address space and CPU time, and let readers' requests go first."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))  # then MemoryError, not swap
    # SIGXCPU ends the process at the soft limit; SIGKILL one second later if it lingers.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.nice(10)


def reencode(data: bytes, max_pixels: int, max_output: int) -> tuple[dict, bytes]:
    """The photo's pixels, upright and in sRGB, in a new file of the same format."""
    # WeasyPrint turns this on process-wide where it is imported; never here, but be explicit:
    # a half-sent photo must be refused, not kept with a grey lower half.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    # Pillow's own bomb check, at our limit (the parent checked the header against it too).
    Image.MAX_IMAGE_PIXELS = max_pixels
    warnings.simplefilter("error", Image.DecompressionBombWarning)
    try:
        image = Image.open(io.BytesIO(data), formats=OPENERS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused("pixels") from None
    except Exception as error:
        raise _damaged(error) from None
    with image:
        if image.format not in ACCEPTED:
            raise Refused("damaged")
        fmt = ACCEPTED[image.format]
        try:
            image.load()
            upright = _strip(image)
            photo = _encode(upright, fmt)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise Refused("pixels") from None
        except MemoryError:
            raise
        except Exception as error:  # truncated data, a corrupt stream, an impossible mode
            raise _damaged(error) from None
    if len(photo) > max_output:
        raise Refused("costly")
    return {"format": fmt, "width": upright.width, "height": upright.height}, photo


def _damaged(error: Exception) -> Refused:
    print(f"damaged photo: {type(error).__name__}: {error}"[:500], file=sys.stderr)
    return Refused("damaged")


def _strip(image: Image.Image) -> Image.Image:
    """Upright pixels in sRGB, with nothing else of the original attached."""
    profile = image.info.get("icc_profile")
    transparency = image.info.get("transparency") if image.mode in ("P", "L", "RGB") else None
    try:
        # In place: a copy of 200 MB of pixels is what the memory limit is there to prevent.
        ImageOps.exif_transpose(image, in_place=True)
    except MemoryError:
        raise
    except Exception:  # a malformed EXIF block: the pixels are still the photo
        pass
    upright = image
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
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"),
                                         outputMode=mode)
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


if __name__ == "__main__":
    sys.exit(main(sys.argv))

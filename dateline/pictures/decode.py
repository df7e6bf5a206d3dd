"""Decode one photo to its last pixel: run as a child process, with limits.

checks.py runs this file in a fresh interpreter (`python -I decode.py ...`), one process per
photo, after the photo's header has passed its checks. Decoding is where a photo costs memory
and CPU; here a photo that needs too much of either ends this process only, never the web
worker. So this file imports nothing of Dateline or Django.

Protocol: argv holds the limits; stdin is the file; stdout is one JSON line:
{"format", "width", "height", "mode"} (the size as shown, after EXIF orientation), or
{"refused": "damaged" | "pixels" | "costly"}.
"""

import io
import json
import os
import resource
import sys
import warnings

from PIL import Image, ImageFile

# Pillow's names of the accepted formats, and ours. MPO is a JPEG with extra pictures (phones
# add depth maps that way): its first picture is the photo.
ACCEPTED = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "WEBP": "webp", "AVIF": "avif",
            "TIFF": "tiff"}
# Only these decoders ever see an uploaded file (Pillow tries every plugin otherwise).
OPENERS = ["JPEG", "PNG", "WEBP", "AVIF", "TIFF"]
# EXIF orientations that turn the picture a quarter: width and height swap when shown.
_QUARTER_TURNS = {5, 6, 7, 8}


class Refused(Exception):
    """The photo cannot be kept; args[0] is the reason's code for the parent."""


def main(argv: list[str]) -> int:
    max_pixels, memory, cpu_seconds = (int(a) for a in argv[1:4])
    _bound(memory, cpu_seconds)
    data = sys.stdin.buffer.read()
    try:
        answer = decode(data, max_pixels)
    except Refused as refused:
        answer = {"refused": refused.args[0]}
    except MemoryError:
        answer = {"refused": "costly"}
    sys.stdout.write(json.dumps(answer) + "\n")
    return 0


def _bound(memory: int, cpu_seconds: int) -> None:
    """Cap this process's address space and CPU time, and let requests go first."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))  # then MemoryError, not swap
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.nice(10)


def decode(data: bytes, max_pixels: int) -> dict:
    """The photo's format, shown size and pixel mode, once every pixel has decoded."""
    # A half-sent photo must be refused, not kept with a grey lower half.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    Image.MAX_IMAGE_PIXELS = max_pixels
    warnings.simplefilter("error", Image.DecompressionBombWarning)
    try:
        with Image.open(io.BytesIO(data), formats=OPENERS) as image:
            if image.format not in ACCEPTED:
                raise Refused("damaged")
            image.load()
            try:
                orientation = int(image.getexif().get(0x0112, 1))
            except Exception:  # a malformed EXIF block: the pixels are still the photo
                orientation = 1
            width, height = image.size
            if orientation in _QUARTER_TURNS:
                width, height = height, width
            return {"format": ACCEPTED[image.format], "width": width, "height": height,
                    "mode": image.mode}
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused("pixels") from None
    except (Refused, MemoryError):
        raise
    except Exception as error:  # truncated data, a corrupt stream, an impossible mode
        print(f"damaged photo: {type(error).__name__}: {error}"[:500], file=sys.stderr)
        raise Refused("damaged") from None


if __name__ == "__main__":
    sys.exit(main(sys.argv))

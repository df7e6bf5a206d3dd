"""Each rendition the suite makes encoded once per run: the same pixels in the same format give
the same bytes, and the tests make the same photos' renditions over and over.

The pages', feeds', editions' and library's tests put real photos (the corpus's, or one
cut from them) through the worker's task, as the desk does, and each makes every size, shape
and format of them again: up to 72 AVIF, WebP and JPEG files a photo. py-spy over the first
15 minutes of `make test`'s SQLite and PostgreSQL runs found 164 s of their 1,104 s of CPU in
making renditions, 120 s of it in the encoders. So `dateline.pictures.renditions.encode` is
wrapped (conftest.py calls `install`): the first call for an image's pixels, mode and size
in a format runs the encoder, and later ones get its bytes. Everything else (decoding,
turning upright, colour conversion, cropping, resizing, storing, the rows) runs each time.
"""

import hashlib
import threading

from dateline.pictures import renditions

LIMIT_BYTES = 256 * 2**20  # past it, the oldest are dropped

_encoded: dict[tuple, bytes] = {}
_lock = threading.Lock()
_held = 0


def install() -> None:
    renditions.encode = _encode


def _encode(image, fmt: str, *, _encoder=renditions.encode) -> bytes:
    global _held
    key = (fmt, image.mode, image.size, hashlib.sha256(image.tobytes()).digest())
    with _lock:
        found = _encoded.get(key)
    if found is not None:
        return found
    data = _encoder(image, fmt)
    with _lock:
        _encoded[key] = data
        _held += len(data)
        while _held > LIMIT_BYTES:
            _held -= len(_encoded.pop(next(iter(_encoded))))
    return data

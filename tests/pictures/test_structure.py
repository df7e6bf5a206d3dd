"""A photo's header is walked before Pillow opens it: real photos pass, padded ones do not.

Each hostile file here is what a reader's report or a photo URL can send: within the size
limit, but asking Pillow's Python loop for millions of steps before the pixels.
"""

import io
import struct
import zlib

import pytest
from PIL import Image

from dateline.pictures.structure import MAX_STEPS, header_steps, too_many_steps
from tests.conftest import SHARED, require_shared

REAL_PHOTOS = sorted(p.name for p in (SHARED / "corpus" / "photos").glob("*")
                     if p.suffix in (".jpg", ".png")) or ["(no photos)"]


def chunk(kind: bytes, data: bytes = b"") -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_chunks(count: int) -> bytes:
    """A 1-by-1 PNG with `count` empty chunks of a kind nobody defined before its pixels."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"aaAa") * count
            + chunk(b"IDAT", zlib.compress(b"\0\0\0\0")) + chunk(b"IEND"))


def jpeg(extra: bytes = b"") -> bytes:
    """A real small JPEG with `extra` put right after its start-of-image marker."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "JPEG")
    data = out.getvalue()
    return data[:2] + extra + data[2:]


@pytest.mark.parametrize("name", REAL_PHOTOS)
def test_real_photos_take_a_few_steps(name):
    data = require_shared(f"corpus/photos/{name}").read_bytes()
    assert 0 < header_steps(data) <= 30
    assert not too_many_steps(data)


@pytest.mark.parametrize("data", [
    png_with_chunks(20), jpeg(), jpeg(b"\xff\xfe\x00\x02" * 20), jpeg(b"\xff" * 50)],
    ids=["png, 20 chunks", "jpeg", "jpeg, 20 comments", "jpeg, 50 padding bytes"])
def test_unusual_but_possible_files_pass_and_pillow_opens_them(data):
    assert not too_many_steps(data)
    with Image.open(io.BytesIO(data)) as image:
        image.load()


@pytest.mark.parametrize("data", [
    png_with_chunks(MAX_STEPS + 1),
    jpeg(b"\xff\xfe\x00\x02" * (MAX_STEPS + 1)),  # empty comments
    jpeg(b"\xff" * (MAX_STEPS + 5)),  # padding before a marker
    jpeg(b"\x00" * (MAX_STEPS + 5)),  # junk Pillow skips a byte at a time
    jpeg(b"\xff\x00" * (MAX_STEPS + 1)),  # escaped bytes outside a scan
], ids=["png chunks", "jpeg comments", "jpeg padding", "jpeg junk", "jpeg escapes"])
def test_files_asking_pillow_for_too_many_steps_are_found(data):
    assert header_steps(data) == MAX_STEPS + 1  # counted no further than needed
    assert too_many_steps(data)


def test_a_ten_megabyte_file_of_parts_is_walked_only_as_far_as_the_limit():
    data = jpeg(b"\xff\xfe\x00\x02" * 2_600_000)  # 10 MB of empty comments
    assert header_steps(data) == MAX_STEPS + 1


def test_other_formats_are_left_to_their_c_decoders():
    assert header_steps(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == 0
    assert header_steps(b"not a photo") == 0

"""How much work a photo's header asks of Pillow before it reaches the pixels, counted first.

Pillow reads a JPEG's segments and a PNG's chunks one by one in Python until the pixels begin,
keeping what it does not know: a few dozen in a real photo. A 10 MB file can hold 2.6 million
empty comment segments, millions of padding or junk bytes (each a step of Pillow's loop), or
870,000 empty chunks of a made-up kind, and opening its "header" then took 3 to 13 seconds and
a hundred megabytes inside the web worker, before any limit on decoding applied. Here the
same steps are walked over the bytes, and a file needing more than MAX_STEPS is refused
before Pillow sees it. No library offers this count: Pillow's own limits bound pixels and
text chunks, not the number of parts.

WebP and AVIF headers are read by libwebp and libavif in C; TIFF's directory holds at most
65,535 entries, read at once.
"""

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Steps of Pillow's header loop a photo may need: a camera's JPEG takes 10 to 30 (its XMP
# and colour profile split over 64 KB segments add one per segment), a PNG under 20.
MAX_STEPS = 1_000
# JPEG markers that carry no length: TEM, RST0-7, SOI, EOI.
_BARE_MARKERS = frozenset({0x01, *range(0xD0, 0xDA)})
_START_OF_SCAN = 0xDA


def header_steps(data: bytes) -> int:
    """How many steps Pillow's header loop takes for this file, counted up to MAX_STEPS + 1;
    0 for a file that is neither JPEG nor PNG."""
    if data.startswith(b"\xff\xd8"):
        return _jpeg_steps(data)
    if data.startswith(PNG_SIGNATURE):
        return _png_steps(data)
    return 0


def too_many_steps(data: bytes) -> bool:
    return header_steps(data) > MAX_STEPS


def _jpeg_steps(data: bytes) -> int:
    """Pillow's JpegImageFile._open: a step per junk byte, padding byte or segment."""
    pos, steps, end = 2, 0, len(data)
    while pos < end and steps <= MAX_STEPS:
        if data[pos] != 0xFF:  # junk, skipped a byte at a time
            found = data.find(b"\xff", pos, pos + MAX_STEPS + 1)
            following = found if found >= 0 else min(end, pos + MAX_STEPS + 1)
            steps += following - pos
            pos = following
            continue
        steps += 1
        if pos + 1 >= end:
            break
        marker = data[pos + 1]
        if marker == 0xFF:  # padding before a marker
            pos += 1
        elif marker == _START_OF_SCAN:
            break  # the pixels follow: Pillow's header ends here
        elif marker == 0x00 or marker in _BARE_MARKERS:
            pos += 2
        else:
            pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
    return steps


def _png_steps(data: bytes) -> int:
    """Pillow's PngImageFile._open: a step per chunk before the first image data."""
    pos, steps, end = len(PNG_SIGNATURE), 0, len(data)
    while pos + 8 <= end and steps <= MAX_STEPS:
        steps += 1
        if data[pos + 4:pos + 8] in (b"IDAT", b"IEND"):
            break
        pos += 12 + int.from_bytes(data[pos:pos + 4], "big")
    return steps


# A Huffman-coded JPEG (baseline, extended, progressive) spends at least a bit on every 8 x 8
# block of its luminance (the block's DC code: one bit at the least, with tables made for the
# picture), so it holds at least one byte for every 512 pixels. A file with less than half of
# that had its scan end long before the picture its header promises: libjpeg fills the rest
# with grey and says nothing Pillow passes on, and a 5 KB file was kept as a 49-megapixel
# grey photo, 770 KB re-encoded, and 72 renditions cut from it (an outside tester's finding).
_HUFFMAN_FRAMES = frozenset({0xC0, 0xC1, 0xC2})
_PIXELS_PER_BYTE_AT_MOST = 1024


def jpeg_too_short(data: bytes, width: int, height: int) -> bool:
    """Whether a JPEG holds too few bytes for the picture its header promises (always False
    for an arithmetic-coded JPEG, which can be smaller, and for anything not a JPEG)."""
    if not data.startswith(b"\xff\xd8") or _jpeg_frame(data) not in _HUFFMAN_FRAMES:
        return False
    return len(data) * _PIXELS_PER_BYTE_AT_MOST < width * height


def _jpeg_frame(data: bytes) -> int | None:
    """The marker of the JPEG's frame header (SOF0 to SOF15), walking the segments before its
    scan, so that an embedded thumbnail's (inside APP1) is never taken for it."""
    pos, end, steps = 2, len(data), 0
    while pos + 1 < end and steps <= MAX_STEPS:
        steps += 1
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
        elif marker == _START_OF_SCAN:
            return None
        elif 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return marker
        elif marker == 0x00 or marker in _BARE_MARKERS:
            pos += 2
        else:
            pos += 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
    return None

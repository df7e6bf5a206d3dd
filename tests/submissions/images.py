"""Small photos made in the test, in the formats readers send and the ones they must not."""

import io
import os
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F


def encoded(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def noise(size=(64, 48), mode="RGB") -> Image.Image:
    """Random pixels: they compress badly, so a cut-off file is missing real data."""
    width, height = size
    return Image.frombytes(mode, size, os.urandom(width * height * len(mode)))


def phone_jpeg() -> bytes:
    """A 40 by 20 JPEG as a phone writes it: taken sideways (orientation 6), with GPS and XMP."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # turn 90° clockwise to show it upright
    exif[MAKE] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (42.0, 41.0, 51.0), 3: "E", 4: (23.0, 19.0, 20.0)}
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    return encoded(noise((40, 20)), "JPEG", exif=exif, icc_profile=srgb, xmp=xmp,
                   comment=b"Taken at home")


def png_with_text() -> bytes:
    info = PngInfo()
    info.add_text("Comment", "Taken at 42.69N 23.32E")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta/>")
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    return encoded(noise((30, 30), "RGBA"), "PNG", pnginfo=info, exif=exif)


def png_bomb(width: int, height: int) -> bytes:
    """A PNG that says width by height pixels in a few hundred bytes (one zlib stream of zeros)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\0" * (width + 1) * 16, 9)  # a few rows: a decoder would want more
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows)
            + chunk(b"IEND", b""))


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def read_back(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def png_16bit(width: int, height: int) -> bytes:
    """A complete 16-bit RGB PNG of black pixels: small on the wire, 4 bytes a pixel decoded."""
    header = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    stream = zlib.compressobj(9)
    row = bytes(width * 6 + 1)  # the filter byte, then 6 bytes a pixel
    rows = b"".join([stream.compress(row) for _ in range(height)] + [stream.flush()])
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", rows)
            + _chunk(b"IEND", b""))


def jpeg_bomb(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header claims width by height pixels."""
    data = encoded(noise((16, 16)), "JPEG")
    start = data.index(b"\xff\xc0")  # baseline frame: length(2), precision(1), height, width
    return (data[:start + 5] + struct.pack(">HH", height, width) + data[start + 9:])


def _chunk(kind: bytes, body: bytes) -> bytes:
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

"""Readers' photos: judged by their bytes, never their names; re-encoded with no metadata."""

import re

import pytest
from PIL import Image

from dateline.submissions import photos
from dateline.submissions.photos import PhotoRefused, check_photo, clean_photo
from tests.conftest import SHARED, require_shared

from .images import (
    GPS_IFD,
    encoded,
    jpeg_bomb,
    noise,
    phone_jpeg,
    png_16bit,
    png_bomb,
    png_with_text,
    read_back,
    upload,
)

pytestmark = pytest.mark.one_engine

# One test per real photo; with none there, one that says they are missing (require_shared).
REAL_PHOTOS = sorted(p.name for p in (SHARED / "corpus" / "photos").glob("*")
                     if p.suffix in (".jpg", ".png")) or ["(no photos)"]


def test_a_phone_jpeg_loses_its_gps_and_every_other_detail_and_stands_upright():
    original = read_back(phone_jpeg())
    assert original.getexif().get_ifd(GPS_IFD)  # the test photo does carry a location
    assert {"icc_profile", "xmp", "comment"} <= set(original.info)

    photo = clean_photo(upload("IMG_0001.jpg", phone_jpeg()))

    kept = read_back(photo.data)
    assert kept.format == "JPEG" and photo.format == "jpeg"
    exif = kept.getexif()
    assert len(exif) == 0 and not exif.get_ifd(GPS_IFD)
    assert b"Exif" not in photo.data and b"xmpmeta" not in photo.data
    assert b"Taken at home" not in photo.data
    assert not {"icc_profile", "xmp", "exif", "comment"} & set(kept.info)
    # Orientation 6 was applied to the pixels: 40 wide and 20 high, it is now 20 by 40.
    assert (photo.width, photo.height) == kept.size == (20, 40)
    assert photo.original_name == "IMG_0001.jpg"


def test_a_png_loses_its_text_chunks_and_exif_and_keeps_its_transparency():
    photo = clean_photo(upload("screen.png", png_with_text(), "image/png"))
    kept = read_back(photo.data)
    assert (photo.format, kept.mode, kept.size) == ("png", "RGBA", (30, 30))
    assert not {"Comment", "XML:com.adobe.xmp", "exif"} & set(kept.info)
    assert b"42.69N" not in photo.data and b"PhoneMaker" not in photo.data


def test_a_png_named_jpg_is_taken_for_what_it_is():
    photo = clean_photo(upload("holiday.jpg", encoded(noise(), "PNG"), "image/jpeg"))
    assert photo.format == "png"
    assert read_back(photo.data).format == "PNG"


def test_webp_and_cmyk_jpeg_are_accepted():
    webp = clean_photo(upload("a.webp", encoded(noise(), "WEBP"), "image/webp"))
    assert (webp.format, read_back(webp.data).format) == ("webp", "WEBP")
    cmyk = clean_photo(upload("print.jpg", encoded(noise(mode="CMYK"), "JPEG")))
    assert read_back(cmyk.data).mode == "RGB"


@pytest.mark.parametrize("what, data", [
    ("GIF", encoded(Image.new("P", (10, 10)), "GIF")),
    ("SVG", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("HTML", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
    ("ZIP", b"PK\x03\x04" + bytes(200)),
    ("BMP", encoded(noise(), "BMP")),
    ("TIFF", encoded(noise(), "TIFF")),
])
def test_other_files_named_jpg_are_refused_with_their_name(what, data):
    with pytest.raises(PhotoRefused) as refused:
        clean_photo(upload(f"{what.lower()}-photo.jpg", data))
    assert str(refused.value) == (
        f"“{what.lower()}-photo.jpg” is not a JPEG, PNG or WebP photo (we look at what the "
        "file holds, not at its name), so it was not kept."
    )


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_cut_off_photo_is_refused_as_damaged(fmt):
    data = encoded(noise((200, 150)), fmt)
    with pytest.raises(PhotoRefused, match=re.escape("“half.img” is damaged or incomplete")):
        clean_photo(upload("half.img", data[: len(data) * 2 // 3]))


def test_a_cut_off_photo_is_refused_even_after_the_edition_pdf_was_made():
    """WeasyPrint's import makes Pillow accept truncated images process-wide; rendering the
    edition's PDF must not leave the photo check tolerant."""
    from dateline.edition.pdf import render_pdf

    render_pdf("<p>Morning news</p>", "", "http://testserver/")
    data = encoded(noise((200, 150)), "JPEG")
    with pytest.raises(PhotoRefused, match="is damaged or incomplete"):
        clean_photo(upload("half.jpg", data[: len(data) * 2 // 3]))


# Pillow warns of the first one as well (over its own, higher, limit): expected here.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("side", [10_000, 100_000])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(side, decoding):
    bomb = png_bomb(side, side)
    assert len(bomb) < 2000  # tiny on the wire; 100 MB to 10 GB once decoded
    # Refused from the header: decoding 100,000² pixels would need 10 GB and never return.
    with pytest.raises(PhotoRefused, match="more pixels than we accept: at most 50 megapixels"):
        clean_photo(upload("bomb.png", bomb, "image/png"))
    assert (decoding.loads, decoding.children) == (0, 0)


@pytest.mark.parametrize("name, data", [
    ("bomb.jpg", jpeg_bomb(8000, 8000)),
    ("bomb.png", png_bomb(8000, 8000)),
])
def test_a_bomb_is_refused_from_its_header_with_its_size_and_never_decoded(
    name, data, decoding
):
    with pytest.raises(PhotoRefused) as refused:
        check_photo(upload(name, data))
    assert str(refused.value) == (
        f"“{name}” is 8,000 by 8,000 pixels; it has more pixels than we accept: at most 50 "
        "megapixels. Send a smaller copy."
    )
    assert (decoding.loads, decoding.children) == (0, 0)


@pytest.mark.parametrize("claim", [jpeg_bomb(7000, 7000)])  # made before the spies count
def test_a_jpeg_promising_far_more_pixels_than_it_holds_is_refused_and_never_decoded(
        claim, decoding):
    """A few KB whose header says 7000 x 7000 (under the 50 megapixels taken) were kept as a
    49-megapixel grey photo, 770 KB once re-encoded (an outside tester's finding)."""
    with pytest.raises(PhotoRefused, match="is damaged or incomplete"):
        check_photo(upload("claim.jpg", claim))
    assert (decoding.loads, decoding.children) == (0, 0)


def test_a_photo_is_decoded_in_a_child_process_never_in_the_worker(decoding):
    photo = clean_photo(upload("scan.png", png_16bit(300, 200), "image/png"))
    assert (photo.width, photo.height) == (300, 200)
    assert (decoding.loads, decoding.children) == (0, 1)  # the spies do see a decode
    assert read_back(photo.data).mode == "RGB"  # 16 bits a channel kept as 8


@pytest.mark.parametrize("name", REAL_PHOTOS)
def test_real_photos_are_kept_at_their_size_without_their_metadata(name):
    path = require_shared(f"corpus/photos/{name}")
    with Image.open(path) as original:
        size, fmt = original.size, original.format
    photo = clean_photo(upload(path.name, path.read_bytes()))
    kept = read_back(photo.data)
    assert (kept.format, kept.size, (photo.width, photo.height)) == (fmt, size, size)
    assert b"xmpmeta" not in photo.data and b"Exif" not in photo.data
    assert not {"icc_profile", "xmp", "exif", "comment"} & set(kept.info)


def test_a_photo_that_needs_more_memory_than_the_decoder_has_is_refused(monkeypatch):
    # 25 megapixels, 100 MB decoded, against a decoder given 80 MB for everything.
    big = encoded(Image.new("RGB", (5000, 5000), (90, 120, 200)), "JPEG")
    monkeypatch.setattr(photos, "_COPIES", 0)
    monkeypatch.setattr(photos, "_OVERHEAD", 80 * 1024 * 1024)
    with pytest.raises(PhotoRefused) as refused:
        clean_photo(upload("huge.jpg", big))
    assert str(refused.value) == (
        "“huge.jpg” needs more memory or time to open than we give one photo. "
        "Send a smaller copy."
    )
    monkeypatch.setattr(photos, "_OVERHEAD", 512 * 1024 * 1024)  # the same photo, given room
    assert clean_photo(upload("huge.jpg", big)).width == 5000


def test_a_decoder_that_takes_too_long_is_stopped_and_the_photo_refused(monkeypatch):
    monkeypatch.setattr(photos, "WALL_SECONDS", 0.001)
    with pytest.raises(PhotoRefused, match="needs more memory or time to open"):
        clean_photo(upload("slow.png", encoded(noise((300, 200)), "PNG"), "image/png"))


def test_a_photo_padded_with_empty_parts_is_refused_before_pillow_reads_them(decoding, monkeypatch):
    from tests.pictures.test_structure import jpeg, png_with_chunks

    files = (("padded.png", png_with_chunks(870_000)),  # 10 MB of empty chunks
             ("padded.jpg", jpeg(b"\xff\xfe\x00\x02" * 2_600_000)))  # and of comments
    decoding.loads = 0  # making the files above decoded their one real pixel
    opened = []
    monkeypatch.setattr(photos.Image, "open", lambda *a, **k: opened.append(a))
    for name, data in files:
        with pytest.raises(PhotoRefused) as refused:
            check_photo(upload(name, data))
        assert str(refused.value) == (
            f"“{name}” holds far more parts before its picture than a photo has, so it was "
            "not opened. Save it again as an ordinary JPEG or PNG and send it again.")
    assert opened == []
    assert (decoding.loads, decoding.children) == (0, 0)


def test_a_panorama_longer_than_the_library_takes_is_refused_to_the_reader(decoding):
    """Within the pixels a reader may send (a 40,000 by 1,000 panorama is 40 megapixels), but
    longer than the photo library takes: the reader was told it arrived, and Accept dropped
    it."""
    with pytest.raises(PhotoRefused) as refused:
        check_photo(upload("pano.png", png_bomb(40_000, 1_000), "image/png"))
    assert str(refused.value) == (
        "“pano.png” is 40,000 by 1,000 pixels; the longest side we take is 30,000 pixels. "
        "Send a smaller copy.")
    assert (decoding.loads, decoding.children) == (0, 0)

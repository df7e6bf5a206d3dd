"""Hostile and unusual files: each is refused with a clear message or kept, never an error."""

import io
import struct
import subprocess
import sys
import threading
import zlib

import pytest
from PIL import Image, ImageCms

from dateline.pictures import checks
from dateline.pictures.library import PhotoRefused, add_photo
from dateline.pictures.models import Photo


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_claiming(width: int, height: int) -> bytes:
    """A few bytes of PNG whose header promises width by height pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(b"\0\0\0\0")) + _chunk(b"IEND", b""))


def _saved(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def _frames(mode="RGB"):
    return [Image.new(mode, (20, 20), colour) for colour in ("red", "blue", "green")]


def _refusal(data: bytes, name: str) -> str:
    with pytest.raises(PhotoRefused) as refused:
        add_photo(io.BytesIO(data), name=name)
    assert not Photo.objects.exists()
    return str(refused.value)


def test_a_tiny_file_claiming_ten_billion_pixels_is_refused_from_its_header(db):
    message = _refusal(_png_claiming(100_000, 100_000), "bomb.png")
    assert message == ("The photo is 100,000 \N{MULTIPLICATION SIGN} 100,000 pixels; the "
                       "largest accepted is 60 megapixels.")


def test_a_header_just_over_our_limit_is_refused_before_pillows_own_limit(db, settings):
    settings.DATELINE_PHOTO_MAX_PIXELS = 1_000_000
    message = _refusal(_png_claiming(1001, 1000), "big.png")
    assert "1,001 \N{MULTIPLICATION SIGN} 1,000 pixels" in message


def test_a_strip_within_the_pixel_limit_but_too_long_is_refused(db):
    message = _refusal(_png_claiming(40_000, 10), "strip.png")
    assert message == ("The photo is 40,000 \N{MULTIPLICATION SIGN} 10 pixels; the longest "
                       "side accepted is 30,000 pixels.")


def test_a_truncated_jpeg_is_refused_as_incomplete(db):
    whole = _saved(Image.effect_noise((400, 300), 60).convert("RGB"), "JPEG")
    assert "damaged or incomplete" in _refusal(whole[: len(whole) // 2], "cut.jpg")


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header was rewritten to promise width by height pixels:
    libjpeg decodes its scan, fills the rest with grey, and says nothing Pillow passes on."""
    data = bytearray(_saved(Image.effect_noise((64, 48), 40).convert("RGB"), "JPEG"))
    frame = data.find(b"\xff\xc0")
    data[frame + 5:frame + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def test_a_jpeg_promising_far_more_pixels_than_it_holds_is_refused_as_incomplete(db):
    """5 KB promising 7000 x 7000 was kept as a 49-megapixel grey photo (an outside tester's
    finding); a uniform 4000 x 3000 photo, as small as a JPEG of that size gets, is kept."""
    assert "damaged or incomplete" in _refusal(jpeg_claiming(7000, 7000), "claim.jpg")
    plain = _saved(Image.new("RGB", (4000, 3000), (128, 128, 128)), "JPEG", quality=1,
                   optimize=True, progressive=True)
    photo, created = add_photo(io.BytesIO(plain), name="grey.jpg")
    assert created and (photo.width, photo.height) == (4000, 3000)


def test_a_png_named_jpg_is_judged_by_its_content(db):
    photo, created = add_photo(io.BytesIO(_saved(Image.new("RGB", (30, 20)), "PNG")),
                               name="holiday.jpg")
    assert created and photo.format == "png" and photo.original.name.endswith(".png")


def test_a_text_file_named_jpg_is_refused_saying_we_look_at_content(db):
    message = _refusal(b"Dear editor,\nthis is not a photo.\n" * 10, "letter.jpg")
    assert message.startswith("This file is not a photo. Its name ends “.jpg”")
    assert "what it holds" in message
    # A name without an extension: the sentence starts as one.
    assert _refusal(b"Dear editor,\n" * 10, "letter").startswith(
        "This file is not a photo. We judge a file by what it holds, and this one holds no ")


def test_any_svg_is_refused(db):
    svg = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" '
           b'height="10"><script>alert(document.cookie)</script></svg>')
    assert "SVG drawing, which may carry scripts" in _refusal(svg, "logo.jpg")


def test_animations_are_refused_and_a_still_gif_is_not_accepted_either(db):
    first, *rest = _frames("P")
    gif = _saved(first, "GIF", save_all=True, append_images=rest, duration=100, loop=0)
    assert _refusal(gif, "cat.gif") == (
        "This file is a GIF animation: upload a still photo (JPEG, PNG, WebP, AVIF, TIFF).")
    first, *rest = _frames()
    apng = _saved(first, "PNG", save_all=True, append_images=rest, duration=100)
    assert "animation (PNG with 3 frames)" in _refusal(apng, "cat.png")
    webp = _saved(first, "WEBP", save_all=True, append_images=rest, duration=100)
    assert "animation (WEBP with 3 frames)" in _refusal(webp, "cat.webp")
    assert "is a GIF" in _refusal(_saved(Image.new("P", (5, 5)), "GIF"), "still.gif")


def test_a_phones_multi_picture_jpeg_is_taken_as_the_photo_it_shows(db):
    """A JPEG with a depth or gain map after the photo (MPO: portrait mode, HDR) was refused
    as "an animation (MPO with 2 frames)" on the desk, though readers' reports took it."""
    photo = Image.new("RGB", (64, 48), (200, 30, 30))
    mpo = _saved(photo, "MPO", save_all=True, append_images=[Image.new("L", (16, 12), 90)])
    assert Image.open(io.BytesIO(mpo)).format == "MPO"
    added, _ = add_photo(io.BytesIO(mpo), name="portrait-mode.jpg")
    assert (added.format, added.width, added.height) == ("jpeg", 64, 48)


def test_cmyk_sixteen_bit_and_colour_profiles_are_kept_with_their_mode(db):
    cmyk, _ = add_photo(io.BytesIO(_saved(Image.new("CMYK", (40, 30), (0, 50, 100, 0)),
                                          "JPEG")), name="print.jpg")
    assert (cmyk.format, cmyk.embedded["mode"]) == ("jpeg", "CMYK")
    deep, _ = add_photo(io.BytesIO(_saved(Image.new("I;16", (40, 30), 40000), "PNG")),
                        name="scan.png")
    assert deep.format == "png" and deep.embedded["mode"].startswith("I")
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    profiled, _ = add_photo(io.BytesIO(_saved(Image.new("RGB", (40, 30), "teal"), "JPEG",
                                              icc_profile=icc)), name="icc.jpg")
    assert profiled.width == 40 and Photo.objects.count() == 3
    with profiled.original.open("rb") as stored:  # the profile is kept for the renditions
        assert Image.open(stored).info["icc_profile"] == icc


def test_gps_in_exif_or_xmp_never_reaches_embedded(db):
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)}
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
           b'02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
           b'exif:GPSLatitude="52,31.2N"/></rdf:RDF></x:xmpmeta>')
    data = _saved(Image.new("RGB", (20, 20)), "JPEG", exif=exif, xmp=xmp)
    photo, _ = add_photo(io.BytesIO(data), name="phone.jpg")
    photo.refresh_from_db()
    assert photo.embedded["exif"]["tags"]["Make"] == "Canon"
    assert "GPS" not in repr(photo.embedded) and "52" not in repr(photo.embedded)


def test_a_decoder_out_of_memory_ends_the_child_with_a_refusal():
    """The child's address-space limit turns a costly decode into a refusal code."""
    big = _saved(Image.new("RGB", (6000, 6000)), "PNG")  # 108 MB once decoded
    done = subprocess.run(
        [sys.executable, "-I", str(checks.CHILD), "60000000", str(80 * 1024 * 1024), "20"],
        input=big, capture_output=True, timeout=120, check=False)
    assert checks.first_line(done) in ({}, {"refused": "costly"})


def test_two_hostile_uploads_at_once_leave_the_process_answering():
    whole = _saved(Image.effect_noise((1500, 1500), 60).convert("RGB"), "PNG")
    broken = [whole[: len(whole) * 2 // 3], whole[: len(whole) // 2]]
    results = []

    def upload(data):
        try:
            checks.check_header(data, "x.png")
            checks.check_decodes(data)
        except checks.Refused as refused:
            results.append(str(refused))

    threads = [threading.Thread(target=upload, args=(data,)) for data in broken]
    for thread in threads:
        thread.start()
    # Meanwhile this thread still answers: a header is judged while both decoders run.
    assert checks.check_header(_saved(Image.new("RGB", (3, 2)), "PNG"), "ok.png").width == 3
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 2 and all("damaged or incomplete" in r for r in results)


def test_a_header_past_pillows_warning_limit_is_refused_even_where_warnings_are_errors(db):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        message = _refusal(_png_claiming(10_000, 10_000), "warned.png")
    assert "10,000 \N{MULTIPLICATION SIGN} 10,000 pixels" in message


def test_a_file_of_a_million_empty_parts_is_refused_before_pillow_opens_it(db, monkeypatch):
    from tests.pictures.test_structure import png_with_chunks

    opened = []
    monkeypatch.setattr(checks.Image, "open", lambda *a, **k: opened.append(a))
    data = png_with_chunks(1_000_000)  # 12 MB of chunks of a kind nobody defined
    assert _refusal(data, "padded.png") == checks.TOO_MANY_PARTS
    assert opened == []


def _jpeg_with_iim(datasets: list[tuple[int, int, bytes]]) -> bytes:
    """A small JPEG whose Photoshop block holds these IPTC IIM datasets, as a camera or a
    photo desk writes them."""
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(out, "JPEG")
    jpeg = out.getvalue()
    iim = b"".join(bytes([0x1C, record, number]) + struct.pack(">H", len(value)) + value
                   for record, number, value in datasets)
    block = (b"Photoshop 3.0\x00" + b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(iim)) + iim
             + b"\x00" * (len(iim) % 2))
    return jpeg[:2] + b"\xff\xed" + struct.pack(">H", len(block) + 2) + block + jpeg[2:]


def test_a_repeated_iim_field_is_read_not_a_500(db):
    """IIM's character set given twice came back from Pillow as a list: an AttributeError,
    a 500 on upload, and `add_photos` and `import` stopped at the file."""
    caption = "Sofia\u2019s bridge"
    data = _jpeg_with_iim([(1, 90, b"\x1b%G"), (1, 90, b"\x1b%G"), (2, 120, caption.encode())])
    photo, created = add_photo(io.BytesIO(data), name="repeated.jpg")
    assert created and photo.caption == caption


def test_iim_declared_utf8_that_is_not_keeps_its_letters(db):
    data = _jpeg_with_iim([(1, 90, b"\x1b%G"), (2, 110, "Agence Caf\xe9".encode("latin-1"))])
    photo, _ = add_photo(io.BytesIO(data), name="latin.jpg")
    assert photo.credit == "Agence Café"

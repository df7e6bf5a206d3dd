"""Renditions: sizes without upscaling, crops around the focal point, formats, clean metadata,
sRGB from any input, and the worker making them when a photo is stored or refocused."""

import io
import pathlib
import struct

import pytest
import weasyprint
from django_tasks_db.models import DBTaskResult
from PIL import Image

from dateline.pictures import renditions
from dateline.pictures.models import Rendition
from dateline.pictures.signals import photo_stored
from dateline.pictures.tasks import make_renditions
from tests.newsroom.test_scheduling import run_worker

from .renditions_helpers import jpeg, opened, real_photo, store

MAGENTA = (255, 0, 255)


def magenta_pixels(image: Image.Image) -> int:
    return sum(1 for r, g, b in image.convert("RGB").get_flattened_data()
               if r > 200 and g < 70 and b > 200)


@pytest.mark.django_db
def test_every_crop_keeps_a_marker_at_the_focal_point_in_frame():
    image = real_photo(1400, 900)
    # A marker far off-centre, where a centred crop of 1:1 or 4:3 would cut it away.
    focal = (0.9, 0.15)
    cx, cy = int(1400 * focal[0]), int(900 * focal[1])
    image.paste(MAGENTA, (cx - 20, cy - 20, cx + 20, cy + 20))
    assert magenta_pixels(real_photo(1400, 900)) == 0  # the photo has none of its own
    photo = store(jpeg(image), focal=focal)

    renditions.make_renditions(photo)

    made = list(photo.renditions.filter(format="jpeg"))
    assert {r.shape for r in made} == {"16x9", "4x3", "1x1", "free"}
    for rendition in made:
        assert magenta_pixels(opened(rendition)) > 0, rendition
    centred = renditions.crop_box(1400, 900, 1.0, 0.5, 0.5)
    assert not centred[0] <= cx < centred[2]  # a centred square would have lost it


@pytest.mark.django_db
def test_sizes_shapes_and_formats_without_upscaling():
    photo = store(jpeg(real_photo(1000, 750)))

    renditions.make_renditions(photo)

    widths = {(r.shape, r.width) for r in photo.renditions.all()}
    # Standard widths up to the crop's, then the crop's own: never wider than the photo.
    assert widths == {(shape, w) for shape in ("16x9", "4x3", "free")
                      for w in (320, 640, 960, 1000)} | {("1x1", w) for w in (320, 640, 750)}
    for rendition in photo.renditions.all():
        image = opened(rendition)
        assert image.format == {"jpeg": "JPEG", "webp": "WEBP", "avif": "AVIF"}[rendition.format]
        assert image.size == (rendition.width, rendition.height)
        assert rendition.width <= 1000 and rendition.height <= 750
        ratio = {"16x9": 16 / 9, "4x3": 4 / 3, "1x1": 1.0, "free": 4 / 3}[rendition.shape]
        assert abs(rendition.width / rendition.height - ratio) < 0.01
        assert rendition.size == len(storage_bytes(rendition))
        name = pathlib.PurePosixPath(rendition.file.name)
        assert name.parts[:2] == ("pictures", name.stem[:2])
        assert name.stem.endswith(f"-{rendition.width}x{rendition.height}")
        if rendition.format == "jpeg":
            assert image.info.get("progressive") or image.info.get("progression")


def storage_bytes(rendition: Rendition) -> bytes:
    from django.core.files.storage import storages

    with storages["default"].open(rendition.file.name, "rb") as handle:
        return handle.read()


@pytest.mark.django_db
def test_a_photo_narrower_than_every_width_gets_its_own_width_only():
    photo = store(jpeg(real_photo(300, 200)))
    renditions.make_renditions(photo)
    assert {r.width for r in photo.renditions.all()} <= {300, 267, 200}
    assert max(r.width for r in photo.renditions.all()) == 300


@pytest.mark.django_db
def test_no_exif_gps_or_xmp_reaches_an_output_and_orientation_is_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, to be shown rotated a quarter turn: portrait
    exif[0x010F] = "Camera maker"
    gps = exif.get_ifd(0x8825)
    gps[2] = (51.0, 30.0, 0.0)  # GPSLatitude
    gps[1] = "N"
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><secret>where we met</secret></x:xmpmeta>'
    data = jpeg(real_photo(1200, 800), exif=exif, xmp=xmp)
    with Image.open(io.BytesIO(data)) as check:
        assert check.getexif().get_ifd(0x8825)  # the original really carries GPS
    photo = store(data)

    renditions.make_renditions(photo)

    free = max(photo.renditions.filter(shape="free"), key=lambda r: r.width)
    assert free.height > free.width  # turned upright
    for rendition in photo.renditions.all():
        image = opened(rendition)
        assert not image.getexif(), rendition
        assert "xmp" not in image.info and "icc_profile" not in image.info
        assert b"where we met" not in storage_bytes(rendition)
        assert b"Camera maker" not in storage_bytes(rendition)


def swapped_red_blue_profile() -> bytes:
    """sRGB with its red and blue primaries exchanged: a tagged red pixel is really blue."""
    icc = bytearray((pathlib.Path(weasyprint.__file__).parent / "pdf" / "sRGB2014.icc")
                    .read_bytes())
    tags = {bytes(icc[132 + 12 * i:136 + 12 * i]): 132 + 12 * i
            for i in range(struct.unpack(">I", icc[128:132])[0])}
    red, blue = tags[b"rXYZ"], tags[b"bXYZ"]
    icc[red + 4:red + 12], icc[blue + 4:blue + 12] = icc[blue + 4:blue + 12], icc[red + 4:red + 12]
    return bytes(icc)


def test_an_icc_profile_is_converted_to_srgb():
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (255, 0, 0)).save(out, "PNG",
                                                   icc_profile=swapped_red_blue_profile())
    result = renditions.open_upright(out.getvalue())
    red, _green, blue = result.getpixel((10, 10))
    assert blue > 200 and red < 50


def test_cmyk_and_16_bit_input_come_out_as_8_bit_rgb():
    cmyk = io.BytesIO()
    real_photo(400, 300).convert("CMYK").save(cmyk, "JPEG", quality=90)
    from_cmyk = renditions.open_upright(cmyk.getvalue())
    assert from_cmyk.mode == "RGB"
    reference = real_photo(400, 300).getpixel((200, 150))
    got = from_cmyk.getpixel((200, 150))
    assert all(abs(a - b) < 40 for a, b in zip(got, reference, strict=True))

    grey16 = Image.new("I;16", (256, 10))
    grey16.putdata([x * 256 for x in range(256)] * 10)  # a ramp over the whole 16-bit range
    png = io.BytesIO()
    grey16.save(png, "PNG")
    from_16 = renditions.open_upright(png.getvalue())
    assert from_16.mode == "RGB"
    assert from_16.getpixel((0, 0))[0] < 5 and from_16.getpixel((128, 0))[0] in range(120, 136)
    assert from_16.getpixel((255, 0))[0] > 250  # not clipped to white half-way


@pytest.mark.django_db(transaction=True)
def test_the_worker_makes_all_renditions_when_a_photo_is_stored():
    photo = store(jpeg(real_photo(1400, 900)))
    assert not photo.renditions.exists()

    photo_stored.send(sender=type(photo), photo=photo)
    run_worker()

    expected = renditions.plan(1400, 900, 0.5, 0.5)
    assert photo.renditions.count() == len(expected) * 3
    assert {r.format for r in photo.renditions.all()} == {"avif", "webp", "jpeg"}


@pytest.mark.django_db(transaction=True)
def test_moving_the_focal_point_makes_new_crops_in_the_background():
    photo = store(jpeg(real_photo(1400, 900)))
    renditions.make_renditions(photo)
    before = {(r.shape, r.format, r.width): r.file.name for r in photo.renditions.all()}

    photo.focal_x, photo.focal_y = 0.95, 0.5
    photo.save()
    run_worker()

    after = {(r.shape, r.format, r.width): r for r in photo.renditions.all()}
    assert after.keys() == before.keys()
    for key, rendition in after.items():
        if key[0] == "1x1":
            assert rendition.file.name != before[key]  # cut again around the new point
            assert (rendition.focal_x, rendition.focal_y) == (0.95, 0.5)
        if key[0] == "free":
            assert rendition.file.name == before[key]  # nothing to crop: kept as it was


@pytest.mark.django_db(transaction=True)
def test_a_broken_file_is_reported_and_the_worker_carries_on():
    broken = store(jpeg(real_photo(800, 600)))
    broken.original.save("broken.jpeg", io.BytesIO(b"\xff\xd8\xff\xe0 not a photo"), save=True)
    healthy = store(jpeg(real_photo(700, 500)))

    make_renditions.enqueue(broken.pk)
    make_renditions.enqueue(healthy.pk)
    run_worker()

    assert not broken.renditions.exists()
    assert healthy.renditions.exists()
    results = {r.args_kwargs["args"][0]: r for r in DBTaskResult.objects.all()}
    assert results[broken.pk].return_value["error"]
    assert results[healthy.pk].return_value["made"] > 0


def test_a_large_jpeg_is_decoded_at_a_fraction_and_still_cut_to_exact_sizes():
    data = jpeg(real_photo(4400, 4400))
    assert renditions.open_upright(data, need=0.47).size == (2200, 2200)  # decoded at a half

    made = [(cut.shape, image_size(encoded)) for cut, _, encoded in
            renditions.render(data, 0.5, 0.5, formats=("jpeg",))]

    assert ("1x1", (2048, 2048)) in made and ("16x9", (2048, 1152)) in made
    assert all(size[0] <= 2048 for _, size in made)


def image_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size

"""add_photo: a file checked, described by its metadata, stored once, and announced."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dateline.newsroom.models import Tag
from dateline.pictures.library import PhotoRefused, add_photo
from dateline.pictures.models import Photo
from dateline.pictures.signals import photo_stored
from tests.conftest import require_shared

IPTC = "corpus/photos/IPTC-PhotometadataRef-Std2017.1.jpg"


def _jpeg(size=(60, 40), exif=None) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG", **({"exif": exif} if exif else {}))
    return out.getvalue()


def test_a_photo_is_stored_with_its_metadata_as_topic_tags_and_by_whom(db, make_user):
    editor = make_user("Editor")
    Tag.objects.create(name="KEYWORD1REF2017.1", kind=Tag.Kind.TOPIC)
    data = require_shared(IPTC).read_bytes()

    photo, created = add_photo(SimpleUploadedFile("iptc.jpg", data), user=editor)

    assert created
    photo.refresh_from_db()
    assert (photo.format, photo.width, photo.height, photo.size) == ("jpeg", 1000, 500, len(data))
    assert photo.original_name == "iptc.jpg"
    assert photo.uploaded_by == editor and photo.origin == Photo.Origin.UPLOAD
    assert photo.caption == "The description aka caption (ref2017.1)"
    assert photo.credit == "Credit Line (ref2017.1)"
    assert photo.instructions == "An Instruction (ref2017.1)"  # IPTC's, for the desk
    assert photo.original.name.endswith(f"{photo.sha256}.jpeg")
    with photo.original.open("rb") as stored:
        assert stored.read() == data  # the original as uploaded, metadata and all
    # An existing topic is matched whatever its case; the others are made.
    assert sorted(t.name for t in photo.tags.all()) == [
        "KEYWORD1REF2017.1", "Keyword2ref2017.1", "Keyword3ref2017.1"]
    assert Tag.objects.filter(kind=Tag.Kind.TOPIC).count() == 3


def test_the_same_file_twice_is_one_photo(db):
    first, created = add_photo(io.BytesIO(_jpeg()), name="a.jpg")
    again, created_again = add_photo(SimpleUploadedFile("b.jpg", _jpeg()))
    assert created and not created_again
    assert again.pk == first.pk and Photo.objects.count() == 1


def test_fields_given_win_over_the_files_own(db):
    data = require_shared(IPTC).read_bytes()
    photo, _ = add_photo(io.BytesIO(data), name="x.jpg", origin=Photo.Origin.IMPORT,
                         fields={"caption": "Our caption", "alt_text": "A test card"})
    assert photo.caption == "Our caption" and photo.alt_text == "A test card"
    assert photo.creator == "Creator1 (ref2017.1), Creator2 (ref2017.1)"
    assert photo.origin == Photo.Origin.IMPORT


def test_a_sideways_portrait_is_stored_as_portrait(db):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° when shown
    photo, _ = add_photo(io.BytesIO(_jpeg((80, 50), exif.tobytes())), name="p.jpg")
    assert (photo.width, photo.height) == (50, 80)


def test_stored_is_announced_on_commit(db, django_capture_on_commit_callbacks):
    heard = []

    def listener(sender, photo, **kwargs):
        heard.append(photo.pk)

    photo_stored.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            photo, _ = add_photo(io.BytesIO(_jpeg()), name="a.jpg")
            assert heard == []  # not before the transaction commits
        assert heard == [photo.pk]
    finally:
        photo_stored.disconnect(listener)


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read(db, settings):
    settings.DATELINE_PHOTO_MAX_BYTES = 1000
    with pytest.raises(PhotoRefused, match="larger than 1000"):
        add_photo(io.BytesIO(_jpeg((400, 400)) + b"\0" * 2000), name="big.jpg")
    with pytest.raises(PhotoRefused, match="empty"):
        add_photo(io.BytesIO(b""), name="none.jpg")
    assert not Photo.objects.exists()


def test_refused_is_a_value_error():
    assert issubclass(PhotoRefused, ValueError)


@pytest.mark.parametrize("name", ["astronaut.png", "chelsea.png", "coffee.png",
                                  "hubble_deep_field.jpg", "rocket.jpg"])
def test_every_sample_photo_is_accepted_at_its_size(db, name):
    path = require_shared(f"corpus/photos/{name}")
    with Image.open(path) as image:
        size = image.size
    with path.open("rb") as handle:
        photo, created = add_photo(handle, name=name)
    assert created and (photo.width, photo.height) == size


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "AVIF", "TIFF"])
def test_every_accepted_format_is_kept_under_its_own_name(db, fmt):
    out = io.BytesIO()
    Image.new("RGB", (24, 16), "navy").save(out, fmt)
    photo, created = add_photo(out, name=f"x.{fmt.lower()}")
    assert created and photo.format == fmt.lower() and (photo.width, photo.height) == (24, 16)


def test_a_storage_that_cannot_keep_the_file_is_a_refusal_in_words(db, tmp_path, monkeypatch):
    """A real folder that cannot be made (its parent is a file: the same OSError as a full or
    read-only disk), not a 500; no row is left."""
    from django.core.files.storage import FileSystemStorage

    (tmp_path / "not-a-folder").write_text("a file where the folder should be")
    broken = FileSystemStorage(location=tmp_path / "not-a-folder" / "originals")
    monkeypatch.setattr(Photo._meta.get_field("original"), "storage", broken)

    with pytest.raises(PhotoRefused) as refused:
        add_photo(SimpleUploadedFile("flood.jpg", _jpeg()))

    assert str(refused.value) == (
        "“flood.jpg” could not be stored: the photo library's storage failed (Not a "
        "directory). Nothing was added. Try again later, or tell whoever runs the site.")
    assert not Photo.objects.exists()


def test_a_photo_whose_time_falls_off_the_calendar_is_stored_without_it(db, make_user):
    """IIM's 0001-01-01 at +05:00 is before year 1 in UTC: saving it failed (a 500)."""
    from .test_metadata import _iim

    data = _jpeg()
    data = data[:2] + _iim((2, 55, b"00010101"), (2, 60, b"000000+0500")) + data[2:]
    photo, created = add_photo(SimpleUploadedFile("old.jpg", data), user=make_user("Editor"))
    photo.refresh_from_db()
    assert created and photo.taken_at is None


def test_a_deleted_photo_takes_its_original_and_renditions_with_it(
        db, django_capture_on_commit_callbacks):
    """Deleted in the desk, a photo's renditions were still served (cached for a year) and its
    original, GPS and all, stayed in the private store: a rights take-down took nothing down."""
    from dateline.pictures.models import Rendition
    from dateline.pictures.tasks import make_renditions

    photo, _ = add_photo(io.BytesIO(_jpeg((640, 480))), name="taken-down.jpg")
    make_renditions.call(photo.pk)
    original = (photo.original.storage, photo.original.name)
    files = [(r.file.storage, r.file.name) for r in Rendition.objects.filter(photo=photo)]
    assert files and all(storage.exists(name) for storage, name in [original, *files])
    with django_capture_on_commit_callbacks(execute=True):
        Photo.objects.get(pk=photo.pk).delete()
    assert not any(storage.exists(name) for storage, name in [original, *files])

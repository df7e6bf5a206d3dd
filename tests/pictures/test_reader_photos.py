"""An accepted reader's report: its photos go into the library, the first leads the draft."""

import io

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from dateline.newsroom.actions import TRANSITIONS, ActionRefused
from dateline.pictures.models import Photo, StoryPhoto
from dateline.pictures.stories import credit_of, lead_photo
from dateline.submissions import moderation
from dateline.submissions.models import Submission, SubmissionPhoto

pytestmark = pytest.mark.django_db


def report_with_photos(*colours, name: str = "Maria Ivanova") -> Submission:
    report = Submission.objects.create(
        headline="Flood on Vitosha Boulevard", name=name, email="maria@example.org",
        text="The water is knee-deep.\n\nShops closed.", consented_at=timezone.now())
    for colour in colours:
        out = io.BytesIO()
        Image.new("RGB", (320, 240), colour).save(out, "JPEG")
        photo = SubmissionPhoto(submission=report, format="jpeg", width=320, height=240,
                                size=len(out.getvalue()), original_name="IMG_0001.jpg")
        photo.image.save("x.jpeg", ContentFile(out.getvalue()), save=False)
        photo.save()
    return report


def test_the_reports_photos_go_into_the_library_credited_to_the_reader(
        make_user, make_section):
    editor = make_user("Editor")
    report = report_with_photos((200, 30, 30), (30, 200, 30),
                                name="Maria\tIvanova")  # a tab, as a form may send it
    article = moderation.accept(editor, report, make_section("City"))

    photos = list(Photo.objects.order_by("pk"))
    assert len(photos) == 2
    for photo in photos:
        assert (photo.origin, photo.credit, photo.source, photo.alt_text, photo.uploaded_by) == (
            Photo.Origin.READER, "Reader report by Maria Ivanova", "Reader report", "", editor)
    lead = lead_photo(article)
    assert lead.photo == photos[0]
    assert credit_of(lead) == "Reader report by Maria Ivanova"
    body = StoryPhoto.objects.get(article=article, role=StoryPhoto.Role.BODY)
    assert body.photo == photos[1]


def test_the_draft_waits_for_the_editors_alt_text(make_user, make_section):
    editor = make_user("Editor")
    article = moderation.accept(editor, report_with_photos((10, 10, 200)), make_section("City"))
    with pytest.raises(ActionRefused, match="lead photo has no alt text"):
        TRANSITIONS["publish"].execute(editor, article)
    Photo.objects.update(alt_text="Cars in knee-deep water on Vitosha Boulevard.")
    assert TRANSITIONS["publish"].execute(editor, article).status == "published"


def test_a_photo_the_library_refuses_is_noted_and_the_report_still_accepted(
        make_user, make_section):
    editor = make_user("Editor")
    report = report_with_photos((1, 2, 3))
    broken = report.photos.get()
    broken.image.save("y.jpeg", ContentFile(b"\xff\xd8 not really a jpeg"), save=True)
    article = moderation.accept(editor, report, make_section("City"))
    assert article.pk and not StoryPhoto.objects.filter(article=article).exists()
    note = report.log.get(action=Submission.Status.ACCEPTED).note
    assert note.startswith(f"Draft article {article.pk}") and "Photo 1:" in note


def test_a_photo_whose_file_is_gone_is_noted_and_the_report_still_accepted(
        make_user, make_section):
    """A file lost from the store (a restore, a clean-up by hand) made Accept a 500, every
    time: the report could never be accepted."""
    report = report_with_photos((1, 2, 3), (40, 50, 60))
    first = report.photos.order_by("pk").first()
    first.image.storage.delete(first.image.name)
    article = moderation.accept(make_user("Editor"), report, make_section("City"))
    assert StoryPhoto.objects.filter(article=article).count() == 1  # the other one
    note = report.log.get(action=Submission.Status.ACCEPTED).note
    assert "Photo 1: its file is missing from the store" in note


def test_a_photo_two_readers_sent_is_credited_to_each_ones_own_reader(
        make_user, make_section):
    """A picture forwarded on is the same file: the second reader's story read "Photo:
    Reader report by" the first reader."""
    editor, city = make_user("Editor"), make_section("City")
    first = moderation.accept(editor, report_with_photos((9, 9, 9), name="Alice Original"), city)
    second = moderation.accept(editor, report_with_photos((9, 9, 9), name="Bob Forwarder"),
                               city)
    assert Photo.objects.count() == 1  # one photo in the library, used twice
    assert credit_of(lead_photo(first)) == "Reader report by Alice Original"
    assert credit_of(lead_photo(second)) == "Reader report by Bob Forwarder"


def test_a_report_without_photos_is_accepted_as_before(make_user, make_section):
    article = moderation.accept(make_user("Editor"), report_with_photos(), make_section("City"))
    assert lead_photo(article) is None

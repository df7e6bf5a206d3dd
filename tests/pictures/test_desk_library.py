"""The photo library in the desk: upload (JSON and plain form), the list, a photo's screen, and
deleting what a story uses. Real photos from ../shared/corpus/photos; hostile ones made here."""

import hashlib
import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dateline.newsroom.models import Article, Tag
from dateline.pictures.models import Photo, Rendition, StoryPhoto

from ..conftest import require_shared

LIST = "/desk/pictures/photo/"
UPLOAD = LIST + "upload/"
ENDPOINT = LIST + "upload.json"
IPTC = "corpus/photos/IPTC-PhotometadataRef-Std2017.1.jpg"


def real(name: str) -> SimpleUploadedFile:
    path = require_shared(f"corpus/photos/{name}")
    return SimpleUploadedFile(name, path.read_bytes(), content_type="image/jpeg")


@pytest.fixture
def desk(client, make_user):
    client.force_login(make_user("Reporter", "rita"))
    return client


def make_photo(title="", **fields) -> Photo:
    key = hashlib.sha256((title + json.dumps(fields, default=str)).encode()).hexdigest()
    tags = fields.pop("tags", [])
    photo = Photo.objects.create(sha256=key, format="jpeg", width=1200, height=800, size=1000,
                                 original=f"originals/{key}.jpeg", title=title, **fields)
    photo.tags.set(tags)
    return photo


# ---- The upload endpoint ----------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_a_real_jpeg_becomes_a_photo_described_by_its_own_metadata(desk):
    answer = desk.post(ENDPOINT, {"file": real(IPTC.rsplit("/", 1)[1])})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["ok"] and body["created"] and body["message"] == "Added to the library."
    photo = Photo.objects.get(pk=body["id"])
    assert body["url"] == f"{LIST}{photo.pk}/change/"
    assert (photo.width, photo.height, photo.format) == (1000, 500, "jpeg")
    # IPTC's reference image names each field in its value.
    assert "Creator" in photo.creator and "Credit" in photo.credit
    assert "Copyright" in photo.copyright_notice
    assert photo.uploaded_by.username == "rita" and photo.origin == Photo.Origin.UPLOAD


@pytest.mark.django_db(transaction=True)
def test_the_same_file_twice_is_already_in_the_library_with_a_link(desk):
    first = desk.post(ENDPOINT, {"file": real("rocket.jpg")}).json()
    again = desk.post(ENDPOINT, {"file": real("rocket.jpg")})
    assert again.status_code == 200
    assert again.json()["message"] == "Already in the library."
    assert again.json()["url"] == first["url"] and not again.json()["created"]
    assert Photo.objects.count() == 1


@pytest.mark.django_db
def test_a_file_that_is_no_photo_is_refused_in_json_with_the_reason(desk):
    fake = SimpleUploadedFile("holiday.jpg", b"<html>not a photo</html>" * 40)
    answer = desk.post(ENDPOINT, {"file": fake})
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/json"
    body = answer.json()
    assert body["ok"] is False and body["name"] == "holiday.jpg" and len(body["error"]) > 10
    assert not Photo.objects.exists()
    # The upload screen names the formats the refusal names (it said "JPEG, PNG or WebP").
    formats = body["error"].rsplit("holds no ", 1)[1].split(" image")[0]
    help_text = desk.get(UPLOAD).content.decode().split('id="photo-drop-help">')[1]
    assert help_text.startswith(f"Drop photos here, or choose them: {formats}, up to")


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused_before_it_is_read(desk, settings):
    settings.DATELINE_PHOTO_MAX_BYTES = 10_000
    answer = desk.post(ENDPOINT, {"file": SimpleUploadedFile("big.jpg", b"x" * 200_000)})
    assert answer.status_code == 413
    assert "larger than" in answer.json()["error"]


@pytest.mark.django_db
def test_the_endpoint_wants_post_one_file_and_the_permission(desk, client, make_user):
    assert desk.get(ENDPOINT).status_code == 405
    assert desk.post(ENDPOINT, {}).status_code == 400
    two = {"file": [SimpleUploadedFile("a.jpg", b"a"), SimpleUploadedFile("b.jpg", b"b")]}
    assert desk.post(ENDPOINT, two).json()["error"].startswith("Send exactly one file")
    client.force_login(make_user(None, "nobody"))  # staff, but no role
    refused = client.post(ENDPOINT, {"file": SimpleUploadedFile("a.jpg", b"a")})
    assert refused.status_code == 403 and "role" in refused.json()["error"]


@pytest.mark.django_db
def test_a_post_without_the_security_token_is_refused(make_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user("Reporter"))
    answer = browser.post(ENDPOINT, {"file": SimpleUploadedFile("a.jpg", b"a")})
    assert answer.status_code == 403 and "security token" in answer.json()["error"]


@pytest.mark.django_db
def test_an_upload_after_the_session_ended_says_so_in_json(client):
    """The page shows each file's answer: "You are logged out…", not "The upload failed"."""
    answer = client.post(ENDPOINT, {"file": SimpleUploadedFile("a.jpg", b"a")})
    assert answer.status_code == 401 and "logged out" in answer.json()["error"]
    assert not Photo.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_plain_form_takes_several_files_and_lists_each_result(desk):
    answer = desk.post(UPLOAD, {"file": [real("rocket.jpg"), real("hubble_deep_field.jpg"),
                                         SimpleUploadedFile("notes.jpg", b"just text")]})
    assert answer.status_code == 400  # one of three refused
    page = answer.content.decode()
    assert page.count("Added to the library.") == 2
    assert "notes.jpg" in page and "photo-upload-refused" in page
    assert Photo.objects.count() == 2


@pytest.mark.django_db
def test_the_plain_form_is_bounded_in_all_before_it_is_read(desk, settings):
    settings.DATELINE_PHOTO_MAX_BYTES = 10_000
    files = [SimpleUploadedFile(f"{n}.jpg", b"x" * 9_000) for n in range(3)]
    answer = desk.post(UPLOAD, {"file": files})
    assert answer.status_code == 413
    assert "send fewer at once" in answer.content.decode()
    assert not Photo.objects.exists()


# ---- The list ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_list_searches_words_and_credits_and_filters_by_tag_origin_and_credit(desk):
    storm = Tag.objects.create(name="Storm", slug="storm")
    make_photo("Harbour at dawn", caption="Fishing boats", credit="Reuters/Ann Lee",
               alt_text="Boats", tags=[storm])
    make_photo("Parliament", creator="Ivan Petrov", source="BTA", origin=Photo.Origin.IMPORT)
    make_photo("Flooded street", credit="Reader", origin=Photo.Origin.READER)

    def titles(query: str) -> set[str]:
        page = desk.get(LIST + query)
        assert page.status_code == 200
        return {p.title for p in page.context["cl"].result_list}

    assert titles("?q=fishing") == {"Harbour at dawn"}
    assert titles("?q=Ann+Lee") == {"Harbour at dawn"}
    assert titles("?q=Petrov") == {"Parliament"}
    assert titles("?q=BTA") == {"Parliament"}
    assert titles(f"?tags__id__exact={storm.pk}") == {"Harbour at dawn"}
    assert titles("?origin__exact=reader") == {"Flooded street"}
    assert titles("?credit=BTA") == {"Parliament"}
    assert titles("?credit=Reuters%2FAnn+Lee") == {"Harbour at dawn"}
    assert titles("?created_at__gte=2000-01-01T00:00%2B00:00") == {"Harbour at dawn", "Parliament",
                                                     "Flooded street"}
    assert titles("?created_at__lt=2000-01-01T00:00%2B00:00") == set()
    page = desk.get(LIST).content.decode()
    # Two of three have no alt text: a story with them cannot be published yet.
    assert page.count("alt text missing") == 2
    assert "/originals/" not in page  # never the private original


# ---- A photo's screen -------------------------------------------------------------------

def _form(photo: Photo, **changes) -> dict:
    data = {"title": photo.title, "caption": photo.caption, "alt_text": photo.alt_text,
            "credit": photo.credit, "creator": photo.creator, "source": photo.source,
            "copyright_notice": "", "usage_terms": "", "taken_at_0": "", "taken_at_1": "",
            "focal_x": photo.focal_x, "focal_y": photo.focal_y, "origin": photo.origin}
    return {**data, **changes}


@pytest.mark.django_db
def test_the_focal_point_and_words_are_saved_from_the_form(
    desk, make_article, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    photo = make_photo("Harbour")
    Rendition.objects.create(photo=photo, shape="16x9", format="jpeg", width=320, height=180,
                             file="r/a.jpg", size=10, focal_x=0.5, focal_y=0.5)
    # Rita's own draft: she may change what the photo says under it.
    story = make_article("Boats return to the harbour", status=Article.Status.DRAFT,
                         published_at=None, created_by=User.objects.get(username="rita"))
    StoryPhoto.objects.create(article=story, photo=photo)
    page = desk.get(f"{LIST}{photo.pk}/change/").content.decode()
    assert "data-focal" in page and 'data-ratio="1200/800"' in page
    assert "Boats return to the harbour" in page  # used in
    with django_capture_on_commit_callbacks(execute=True):
        answer = desk.post(f"{LIST}{photo.pk}/change/",
                           _form(photo, focal_x="0.25", focal_y="0.8", alt_text="Boats at dawn"))
    assert answer.status_code == 302, answer.context["adminform"].form.errors
    photo.refresh_from_db()
    assert (photo.focal_x, photo.focal_y, photo.alt_text) == (0.25, 0.8, "Boats at dawn")
    # The crops were cut for the old focal point: the worker is asked for new ones.
    queued = DBTaskResult.objects.filter(task_path__endswith="make_renditions")
    assert [r.args_kwargs["args"] for r in queued] == [[photo.pk]]
    wrong = desk.post(f"{LIST}{photo.pk}/change/", _form(photo, focal_x="1.5"))
    assert wrong.status_code == 200 and "focal_x" in wrong.context["adminform"].form.errors


@pytest.mark.django_db
def test_the_blank_add_form_leads_to_the_upload_screen(desk):
    answer = desk.get(LIST + "add/")
    assert answer.status_code == 302 and answer["Location"] == UPLOAD


@pytest.mark.django_db
def test_a_photo_under_a_story_one_may_not_change_is_read_only_and_its_stories_discreet(
    client, make_user, make_article
):
    """A contributor rewrote the caption and credit under a published story (readers and
    partners had it at once, with nothing in the story's log), and the photo's page named
    other desks' draft headlines."""
    photo = make_photo("Harbour", caption="Boats at dawn", alt_text="Boats at dawn")
    StoryPhoto.objects.create(article=make_article("Boats return"), photo=photo)
    secret = make_article("Merger talks, not yet out", status=Article.Status.DRAFT,
                          published_at=None)
    StoryPhoto.objects.create(article=secret, photo=photo, role="body", after_paragraph=1)
    client.force_login(make_user("Contributor", "con"))
    page = client.get(f"{LIST}{photo.pk}/change/").content.decode()
    assert "Boats return" in page and "Merger talks" not in page
    assert "and 1 other story not yours to see" in page
    refused = client.post(f"{LIST}{photo.pk}/change/", _form(photo, caption="Fake caption"))
    assert refused.status_code == 403
    photo.refresh_from_db()
    assert photo.caption == "Boats at dawn"


@pytest.mark.django_db
def test_the_alt_text_of_a_photo_a_published_story_shows_is_not_cleared(
    client, make_user, make_article
):
    photo = make_photo("Harbour", alt_text="Boats at dawn")
    StoryPhoto.objects.create(article=make_article("Boats return"), photo=photo)
    client.force_login(make_user("Editor"))
    answer = client.post(f"{LIST}{photo.pk}/change/", _form(photo, alt_text=" "))
    assert answer.status_code == 200
    assert "“Boats return” is published with this photo" in answer.content.decode()
    photo.refresh_from_db()
    assert photo.alt_text == "Boats at dawn"


@pytest.mark.django_db
def test_a_photo_of_a_scheduled_story_keeps_its_alt_text_and_a_credit_naming_someone(
    client, make_user, make_article
):
    """Checked when it was scheduled, and not again at its release (the worker never holds a
    booked story back): cleared meanwhile, the story went out with alt="" and "Photo: -"."""
    from datetime import timedelta

    from django.utils import timezone

    photo = make_photo("Harbour", alt_text="Boats at dawn", credit="Ann Lee")
    booked = make_article("Boats return", status=Article.Status.SCHEDULED, published_at=None,
                          scheduled_for=timezone.now() + timedelta(hours=1))
    StoryPhoto.objects.create(article=booked, photo=photo)
    client.force_login(make_user("Editor"))
    for field, value, said in (("alt_text", " ", "no alt text"),
                               ("credit", "-", "its credit would name no one")):
        answer = client.post(f"{LIST}{photo.pk}/change/", _form(photo, **{field: value}))
        assert answer.status_code == 200
        page = answer.content.decode()
        assert "“Boats return” is scheduled with this photo" in page and said in page
    photo.refresh_from_db()
    assert (photo.alt_text, photo.credit) == ("Boats at dawn", "Ann Lee")


# ---- Deleting ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_deleting_a_photo_a_published_story_uses_is_refused_naming_the_story(
    client, make_user, make_article
):
    client.force_login(make_user("Editor"))
    used, free = make_photo("Used"), make_photo("Free")
    story = make_article("Kremlin agrees to new talks", status=Article.Status.PUBLISHED)
    StoryPhoto.objects.create(article=story, photo=used)
    page = client.post(f"{LIST}{used.pk}/delete/", {"post": "yes"})
    assert page.status_code == 200
    assert "“Kremlin agrees to new talks” (published) uses “Used”" in page.content.decode()
    bulk = client.post(LIST, {"action": "delete_selected", "post": "yes",
                              "_selected_action": [used.pk, free.pk]})
    assert bulk.status_code == 200
    assert "Kremlin agrees to new talks" in bulk.content.decode()
    assert set(Photo.objects.values_list("title", flat=True)) == {"Used", "Free"}
    # A photo no story uses goes.
    assert client.post(f"{LIST}{free.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Photo.objects.filter(pk=free.pk).exists()


# ---- Who sees what ----------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("role", ["Contributor", "Reporter", "Editor", "Chief editor"])
def test_every_role_that_writes_opens_the_library(client, make_user, role):
    client.force_login(make_user(role))
    photo = make_photo("Harbour")
    for path in [LIST, UPLOAD, f"{LIST}{photo.pk}/change/", "/desk/"]:
        answer = client.get(path)
        assert answer.status_code == 200, (role, path)
    assert "Pictures" in client.get("/desk/").content.decode()


@pytest.mark.django_db
def test_an_account_without_a_role_cannot_open_it(client, make_user):
    client.force_login(make_user(None))
    assert client.get(LIST).status_code == 403
    assert client.get(UPLOAD).status_code == 403


# ---- The demo's photos ------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_demo_adds_the_six_real_photos_with_their_real_credits(make_article):
    from django.core.management import call_command

    folder = require_shared("corpus/photos")
    story = make_article("A story without a photo")
    call_command("add_photos", str(folder), stdout=io.StringIO())
    photos = {p.original_name: p for p in Photo.objects.all()}
    assert len(photos) == 6
    assert photos["rocket.jpg"].credit == "SpaceX"
    assert photos["astronaut.png"].credit == photos["hubble_deep_field.jpg"].credit == "NASA"
    assert photos["chelsea.png"].credit == "Stefan van der Walt"
    assert photos["coffee.png"].usage_terms == "CC0 (Rachel Michetti)"
    assert photos["rocket.jpg"].alt_text == "DSCOVR launch on Falcon 9"
    # IPTC's reference photo keeps the credit written in the file.
    assert "Credit" in photos["IPTC-PhotometadataRef-Std2017.1.jpg"].credit
    assert all(p.origin == Photo.Origin.IMPORT for p in photos.values())
    call_command("add_photos", str(folder), stdout=io.StringIO())
    assert Photo.objects.count() == 6
    assert not StoryPhoto.objects.filter(article=story).exists()  # no story gets a photo


@pytest.mark.django_db
def test_a_caption_sent_with_bytes_that_are_not_utf8_is_refused(client, make_user):
    """The library stored "Bad" and two replacement marks as the caption readers see."""
    photo = make_photo("Harbour", alt_text="Boats at dawn")
    client.force_login(make_user("Editor"))
    answer = client.post(f"{LIST}{photo.pk}/change/",
                         _form(photo, caption="Bad\ufffd\ufffdcaption", credit="A\ufffd"))
    assert answer.status_code == 200
    assert answer.content.decode().count("Some characters could not be read") == 2
    photo.refresh_from_db()
    assert "\ufffd" not in photo.caption + photo.credit


@pytest.mark.django_db
def test_a_photo_s_words_are_cleaned_as_a_story_s_are(make_article):
    """A bell in a caption reached the page and the wire; an open right-to-left override in a
    credit turned the page's "Photo:" around beside it."""
    photo = make_photo("Launch\x07", caption="Lift\x1b-off \u202eover the bay",
                       credit="\u202eSPACEX", alt_text="Rocket\x00 rising")
    photo.refresh_from_db()
    assert (photo.title, photo.caption, photo.credit, photo.alt_text) == (
        "Launch", "Lift-off over the bay", "SPACEX", "Rocket rising")
    use = StoryPhoto.objects.create(article=make_article(), photo=photo,
                                    caption="Its own \u202ewords\x07", credit="AP\x1b")
    use.refresh_from_db()
    assert (use.caption, use.credit) == ("Its own words", "AP")


@pytest.mark.django_db
def test_a_file_name_too_long_to_read_is_refused_in_json(desk):
    """Django refuses a part's headers past its limit before the view runs: the drop zone,
    which reads {"ok", "error"}, got a plain-text page and said nothing."""
    body = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
            + b"A" * 1000 + b".jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff\r\n--b--\r\n")
    answer = desk.generic("POST", ENDPOINT, body, content_type="multipart/form-data; boundary=b")
    assert answer.status_code == 400 and answer["Content-Type"] == "application/json"
    assert answer.json()["ok"] is False and "could not be read" in answer.json()["error"]

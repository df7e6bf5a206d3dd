"""A story's lead photo changed outside the desk goes to partners again: a caption corrected
in the photo library, renditions made after the story went out. Before, the site's pages
changed and a partner that had taken the story never heard of it: the story was not on the
changes feed again, and its version, which Superdesk's ingest compares, had not grown."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.models import Article
from dateline.pictures.models import Photo, Rendition, StoryPhoto
from dateline.pictures.signals import renditions_made
from dateline.pictures.tasks import make_renditions

from ..pictures.test_desk_library import LIST, _form
from ..pictures.test_story_photos import change_form_data
from .ninjs_schema import errors
from .test_api import api, make_key, token  # noqa: F401 - the partner's fixtures
from .test_changes import CHANGES, settled_at_once  # noqa: F401
from .test_feed_pictures import library_photo  # noqa: F401 - the fixture
from .test_superdesk import superdesk_reads, superdesk_takes_again, went_out_earlier

pytestmark = pytest.mark.django_db


def changes_since(api, moment, version="1.6") -> list[dict]:  # noqa: F811
    response = api(f"{CHANGES}?since={moment:%Y-%m-%dT%H:%M:%S.%fZ}&version={version}")
    assert response.status_code == 200, response.content
    return json.loads(response.content)["items"]


@pytest.fixture
def taken(make_article, library_photo):  # noqa: F811
    """A live story leading with the library's photo, as a partner already holds it."""
    story = make_article("Harbour reopens after the storm")
    StoryPhoto.objects.create(article=story, photo=library_photo)
    went_out_earlier(story)
    return story, library_photo


def test_a_caption_corrected_in_the_library_goes_to_partners_as_a_new_version(
        api, client, make_user, taken, settled_at_once, django_capture_on_commit_callbacks):  # noqa: F811
    story, photo = taken
    held = changes_since(api, story.wire_changed_at - timedelta(seconds=1))
    assert [int(i["version"]) for i in held] == [story.version]
    since = timezone.now()
    assert changes_since(api, since) == []

    # Through the library's own screen, as the photo desk corrects it (an editor: the words
    # of a photo a published story carries are for those who may change that story).
    client.force_login(make_user("Editor", "eddie"))
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"{LIST}{photo.pk}/change/",
                             _form(photo, caption="Fishing boats at the harbour wall."))
    assert answer.status_code == 302, answer.context["adminform"].form.errors

    again = changes_since(api, since)
    assert [i["uri"] for i in again] == [held[0]["uri"]]
    assert errors(again[0], "1.6") == []
    assert superdesk_takes_again(again[0], held[0])
    assert superdesk_reads(again[0])["guid"] == superdesk_reads(held[0])["guid"]
    assert again[0]["associations"]["featuremedia"]["description_text"] == (
        "Fishing boats at the harbour wall.")
    story.refresh_from_db()
    assert story.version == 1 and story.resent == 1 and again[0]["version"] == "2"
    # Every version of the wire gives the same number.
    for version in ("1.5", "2.1", "3.1"):
        assert changes_since(api, since, version)[0]["version"] == "2"


def test_a_body_photos_caption_corrected_in_the_library_goes_to_partners_too(
        api, make_article, library_photo, settled_at_once,  # noqa: F811
        django_capture_on_commit_callbacks):
    """The wire prints body photos too: only stories leading with the photo went again."""
    story = make_article("Harbour reopens after the storm", body="<p>One.</p><p>Two.</p>")
    StoryPhoto.objects.create(article=story, photo=library_photo, role=StoryPhoto.Role.BODY,
                              after_paragraph=1)
    went_out_earlier(story)
    since = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        library_photo.caption = "Fishing boats at the harbour wall."
        library_photo.save()
    again = changes_since(api, since)
    assert [i["version"] for i in again] == ["2"]
    assert again[0]["associations"]["picture-1"]["description_text"] == (
        "Fishing boats at the harbour wall.")


def test_a_save_that_changes_no_word_partners_print_sends_nothing(
        api, taken, settled_at_once):  # noqa: F811
    story, photo = taken
    since = timezone.now()
    photo.focal_x = 0.3  # the new crops come from the worker, and with them the story
    photo.save()
    photo.save(update_fields=["focal_y"])
    assert changes_since(api, since) == []
    story.refresh_from_db()
    assert story.resent == 0


def test_an_editor_with_the_story_open_saves_without_a_conflict_and_the_version_grows(
        api, desk_client, make_user, taken, settled_at_once):  # noqa: F811
    story, photo = taken
    client = desk_client(make_user("Chief editor", "chief"))
    form = change_form_data(client, story)  # the desk's form, open before the correction
    stale = Article.objects.get(pk=story.pk)
    photo.caption = "Corrected in the library."
    photo.save()
    since = timezone.now()

    form["headline"] = "Harbour reopens after the storm, boats return"
    answer = client.post(f"/desk/newsroom/article/{story.pk}/change/", form)
    assert answer.status_code == 302, answer.context["errors"] if answer.context else ""
    story.refresh_from_db()
    assert (story.version, story.resent) == (2, 1)
    item = changes_since(api, since)[0]
    assert (item["headline"], item["version"]) == (
        "Harbour reopens after the storm, boats return", "3")

    # A save from a copy read before the correction never writes its stale count back.
    stale.standfirst = "Boats return."
    stale.save()
    story.refresh_from_db()
    assert story.resent == 1


def test_stories_not_live_are_not_sent(
        api, make_article, make_user, library_photo, settled_at_once):  # noqa: F811
    draft = make_article("A draft", status=Article.Status.DRAFT, published_at=None)
    withdrawn = make_article("Withdrawn")
    TRANSITIONS["unpublish"].execute(make_user("Chief editor", "chief"), withdrawn, note="Legal.")
    for story in (draft, withdrawn):
        StoryPhoto.objects.create(article=story, photo=library_photo)
    since = timezone.now()
    counted = dict(Article.objects.values_list("pk", "resent"))
    library_photo.caption = "A new caption."
    library_photo.save()
    assert changes_since(api, since) == []
    assert dict(Article.objects.values_list("pk", "resent")) == counted


def test_a_story_out_before_its_photo_was_cut_goes_again_with_its_picture(
        api, make_article, library_photo, settled_at_once,  # noqa: F811
        django_capture_on_commit_callbacks):
    story = make_article("Storm closes the harbour")
    StoryPhoto.objects.create(article=story, photo=library_photo)
    Rendition.objects.filter(photo=library_photo).delete()  # as before the worker ran
    went_out_earlier(story)
    before = changes_since(api, story.wire_changed_at - timedelta(seconds=1))
    assert [i["headline"] for i in before] == ["Storm closes the harbour"]
    assert "associations" not in before[0]
    since = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        assert make_renditions.call(library_photo.pk)["made"] > 0
    after = changes_since(api, since)
    assert [i["uri"] for i in after] == [before[0]["uri"]]
    assert superdesk_takes_again(after[0], before[0])
    assert after[0]["associations"]["featuremedia"]["renditions"]["viewImage"]["href"]
    # Made already: nothing new to send.
    assert make_renditions.call(library_photo.pk)["made"] == 0
    assert len(changes_since(api, since)) == 1


def test_an_item_a_poll_stored_before_it_was_sent_again_is_not_served(
        api, taken, settled_at_once, django_capture_on_commit_callbacks):  # noqa: F811
    # The worker saves renditions one by one, each renewing the story's pages and items; a
    # poll between the last and the sending again stores the item under the old version.
    story, photo = taken
    since = story.wire_changed_at - timedelta(seconds=1)
    assert changes_since(api, since)[0]["version"] == "1"  # formatted and stored
    with django_capture_on_commit_callbacks(execute=True):
        renditions_made.send(sender=Photo, photo=photo, made=1)
    assert changes_since(api, since)[0]["version"] == "2"


def test_an_archives_story_is_not_announced_by_its_photos_cuts(
        api, make_article, library_photo, settled_at_once):  # noqa: F811
    # An archive's import stamps a story at its old publication time: no news to partners.
    old = make_article("From the archive", age=timedelta(days=400))
    Article.objects.filter(pk=old.pk).update(wire_changed_at=old.published_at,
                                             modified_at=timezone.now())
    StoryPhoto.objects.create(article=old, photo=library_photo)
    Rendition.objects.filter(photo=library_photo).delete()
    since = timezone.now()
    assert make_renditions.call(library_photo.pk)["made"] > 0
    assert changes_since(api, since) == []
    # A correction of its words is news, as a desk edit of an old story is.
    library_photo.credit = "IPTC/Corrected"
    library_photo.save()
    assert [i["headline"] for i in changes_since(api, since)] == ["From the archive"]


def test_a_story_deleted_after_it_was_sent_again_is_canceled_as_a_newer_version(
        api, taken, settled_at_once):  # noqa: F811
    story, photo = taken
    photo.caption = "Corrected."
    photo.save()
    since = timezone.now()
    Article.objects.get(pk=story.pk).delete()
    canceled = changes_since(api, since)
    assert [(i["pubstatus"], i["version"]) for i in canceled] == [("canceled", "3")]

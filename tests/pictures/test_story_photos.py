"""Photos in stories: alt text before publishing, and the article editor's photo inlines."""

import hashlib
import html
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from dateline.newsroom.actions import TRANSITIONS, ActionRefused
from dateline.newsroom.models import Article
from dateline.pictures.models import Photo, StoryPhoto

pytestmark = pytest.mark.django_db

ARTICLES = "/desk/newsroom/article/"
INLINE = "photos"  # the StoryPhoto formset's prefix: the related name


def library_photo(alt: str = "", title: str = "Harbour", credit: str = "Dateline/Staff"
                  ) -> Photo:
    """A library row as add_photo leaves it (no file is read by what these tests check)."""
    digest = hashlib.sha256(f"{title}{alt}{Photo.objects.count()}".encode()).hexdigest()
    return Photo.objects.create(original=f"originals/{digest[:2]}/{digest}.jpeg", sha256=digest,
                                format="jpeg", width=1200, height=800, size=1000, title=title,
                                alt_text=alt, credit=credit)


def jpeg(width: int = 64, height: int = 48, colour=(30, 90, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def draft(make_article):
    return make_article("Storm reaches the coast", status=Article.Status.DRAFT,
                        published_at=None, body="<p>One.</p><p>Two.</p><p>Three.</p>")


@pytest.fixture
def editor(make_user):
    return make_user("Editor")


# The publish check ------------------------------------------------------------------------

def test_publishing_is_refused_while_the_lead_photo_has_no_alt_text(draft, editor):
    photo = library_photo()
    StoryPhoto.objects.create(article=draft, photo=photo, role=StoryPhoto.Role.LEAD)
    with pytest.raises(ActionRefused, match="The lead photo has no alt text"):
        TRANSITIONS["publish"].execute(editor, draft)
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT

    photo.alt_text = "Waves break over the harbour wall at Varna."
    photo.save()
    TRANSITIONS["publish"].execute(editor, draft)
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED


def test_a_photo_that_credits_no_one_is_not_published(draft, editor):
    """A photo whose file said "-" for its credit went out under a story with no credit line."""
    photo = library_photo("Waves break over the harbour wall at Varna.", credit="-")
    use = StoryPhoto.objects.create(article=draft, photo=photo, role=StoryPhoto.Role.LEAD)
    with pytest.raises(ActionRefused, match="The lead photo has no credit"):
        TRANSITIONS["publish"].execute(editor, draft)
    use.credit = "Reuters/Ann Lee"  # this story's own credit line for it is enough
    use.save()
    TRANSITIONS["publish"].execute(editor, draft)
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED


def test_a_body_photo_without_alt_text_holds_back_schedule_and_embargo_too(draft, editor):
    StoryPhoto.objects.create(article=draft, photo=library_photo("A lifeboat"), role="lead")
    body = library_photo(title="Pier")
    StoryPhoto.objects.create(article=draft, photo=body, role="body", after_paragraph=2)
    later = timezone.now() + timedelta(hours=2)
    for action in ("schedule", "embargo", "publish"):
        with pytest.raises(ActionRefused, match="“Pier” in the body has no alt text"):
            TRANSITIONS[action].execute(editor, draft, at=later)
    draft.refresh_from_db()
    assert (draft.status, draft.scheduled_for, draft.embargo_until) == (
        Article.Status.DRAFT, None, None)

    body.alt_text = "The pier under water."
    body.save()
    TRANSITIONS["schedule"].execute(editor, draft, at=later)
    draft.refresh_from_db()
    assert draft.status == Article.Status.SCHEDULED


def test_a_story_without_photos_publishes_as_before(draft, editor):
    TRANSITIONS["publish"].execute(editor, draft)
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED


def test_the_desk_shows_the_refusal_in_words(draft, editor, desk_client):
    StoryPhoto.objects.create(article=draft, photo=library_photo(), role="lead")
    client = desk_client(editor)
    response = client.post(f"{ARTICLES}{draft.pk}/workflow/publish/",
                           {"note": "", "seen_status": draft.status}, follow=True)
    said = html.unescape(response.content.decode())
    assert "The lead photo has no alt text: add it in the photo library" in said
    # ...and where, from this page: the photo's row opens it in the library.
    assert "(“Open the photo in the library” in its row under Photos, below the story)" in said
    assert "Open the photo in the library" in said
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


# The article editor's inlines -------------------------------------------------------------

def change_form_data(client, article: Article) -> dict:
    """What the browser would send back: every field of the change form as it was rendered."""
    response = client.get(f"{ARTICLES}{article.pk}/change/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if hasattr(value, "all"):
            value = [item.pk for item in value.all()]
        elif hasattr(value, "pk"):
            value = value.pk
        elif isinstance(value, (list, tuple)):
            value = [getattr(item, "pk", item) for item in value]
        data[name] = value
    formset = next(f.formset for f in response.context["inline_admin_formsets"]
                   if f.formset.prefix == INLINE)
    data.update({f"{INLINE}-TOTAL_FORMS": "0", f"{INLINE}-INITIAL_FORMS": "0",
                 f"{INLINE}-MIN_NUM_FORMS": "0", f"{INLINE}-MAX_NUM_FORMS": "1000"})
    for index, use in enumerate(formset.queryset):
        data.update({f"{INLINE}-{index}-seen_state":
                     formset.forms[index]["seen_state"].value()})
        data.update({f"{INLINE}-{index}-id": use.pk, f"{INLINE}-{index}-article": article.pk,
                     f"{INLINE}-{index}-photo": use.photo_id,
                     f"{INLINE}-{index}-role": use.role,
                     f"{INLINE}-{index}-after_paragraph": use.after_paragraph,
                     f"{INLINE}-{index}-caption": use.caption,
                     f"{INLINE}-{index}-credit": use.credit})
    count = len(formset.queryset)
    data[f"{INLINE}-TOTAL_FORMS"] = data[f"{INLINE}-INITIAL_FORMS"] = str(count)
    return data


def add_row(data: dict, **row) -> None:
    index = int(data[f"{INLINE}-TOTAL_FORMS"])
    for key, value in row.items():
        data[f"{INLINE}-{index}-{key}"] = value
    data[f"{INLINE}-TOTAL_FORMS"] = str(index + 1)


def test_the_editor_saves_a_lead_and_a_body_photo_with_this_storys_words(
        draft, editor, desk_client):
    client = desk_client(editor)
    lead, body = library_photo("Waves", "Harbour"), library_photo("Pier", "Pier")
    data = change_form_data(client, draft)
    add_row(data, photo=lead.pk, role="lead", after_paragraph=0, caption="", credit="")
    add_row(data, photo=body.pk, role="body", after_paragraph=2,
            caption="The pier at noon", credit="Staff/Ann Lee")
    response = client.post(f"{ARTICLES}{draft.pk}/change/", data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    uses = {u.role: u for u in StoryPhoto.objects.filter(article=draft)}
    assert uses["lead"].photo == lead
    assert (uses["body"].photo, uses["body"].after_paragraph, uses["body"].caption,
            uses["body"].credit) == (body, 2, "The pier at noon", "Staff/Ann Lee")

    # Changed on a later save: the caption of this story only, not the library's.
    data = change_form_data(client, draft)
    row = next(k[: -len("-role")] for k, v in data.items() if k.endswith("-role") and v == "body")
    data[f"{row}-caption"] = "The pier, under water"
    assert client.post(f"{ARTICLES}{draft.pk}/change/", data).status_code == 302
    assert StoryPhoto.objects.get(article=draft, role="body").caption == "The pier, under water"
    body.refresh_from_db()
    assert body.caption == ""


def test_a_second_lead_photo_is_refused_with_words(draft, editor, desk_client):
    client = desk_client(editor)
    data = change_form_data(client, draft)
    add_row(data, photo=library_photo("A").pk, role="lead", after_paragraph=0)
    add_row(data, photo=library_photo("B", "Other").pk, role="lead", after_paragraph=0)
    response = client.post(f"{ARTICLES}{draft.pk}/change/", data)
    assert response.status_code == 200
    assert "A story has one lead photo" in response.content.decode()
    assert not StoryPhoto.objects.filter(article=draft).exists()


def test_a_lead_photo_a_colleague_gave_meanwhile_is_named_not_a_server_error(
        draft, editor, desk_client):
    """Two editors each gave the story a lead photo; the second save (past the merge panel,
    whose page never showed the first's row) was a 500 on the one-lead constraint."""
    client = desk_client(editor)
    data = change_form_data(client, draft)
    theirs = StoryPhoto.objects.create(article=draft, photo=library_photo("Waves", "Harbour"),
                                       role="lead")
    add_row(data, photo=library_photo("Pier", "Pier").pk, role="lead", after_paragraph=0)
    response = client.post(f"{ARTICLES}{draft.pk}/change/", data)
    assert response.status_code == 200
    assert "Someone else gave this story a lead photo (“Harbour”)" in html.unescape(
        response.content.decode())
    assert list(StoryPhoto.objects.filter(article=draft)) == [theirs]
    # Put in the body, it joins theirs.
    data[f"{INLINE}-0-role"], data[f"{INLINE}-0-after_paragraph"] = "body", 1
    assert client.post(f"{ARTICLES}{draft.pk}/change/", data).status_code == 302
    assert StoryPhoto.objects.filter(article=draft).count() == 2


def test_a_colleague_s_new_lead_photo_and_caption_stay_through_a_save_that_never_showed_them(
        draft, editor, desk_client):
    """Ben swapped the lead photo and wrote its caption; Ann, whose page showed the old one,
    saved her body change (past the merge panel): the old photo came back, captionless."""
    old, new = library_photo("Waves", "Harbour"), library_photo("Pier", "Pier")
    use = StoryPhoto.objects.create(article=draft, photo=old, role="lead")
    client = desk_client(editor)
    data = change_form_data(client, draft)
    StoryPhoto.objects.filter(pk=use.pk).update(photo=new, caption="The pier at noon")
    response = client.post(f"{ARTICLES}{draft.pk}/change/",
                           {**data, "body": "<p>One.</p><p>Two, changed.</p><p>Three.</p>"})
    assert response.status_code == 302
    use.refresh_from_db()
    assert (use.photo, use.caption) == (new, "The pier at noon")
    assert "changed" in Article.objects.get(pk=draft.pk).body


def test_a_photo_a_colleague_put_in_meanwhile_is_not_put_in_twice(draft, editor, desk_client):
    client = desk_client(editor)
    data = change_form_data(client, draft)
    pier = library_photo("Pier", "Pier")
    StoryPhoto.objects.create(article=draft, photo=pier, role="body", after_paragraph=1)
    add_row(data, photo=pier.pk, role="body", after_paragraph=2)
    response = client.post(f"{ARTICLES}{draft.pk}/change/", data)
    assert response.status_code == 200
    assert "Someone else put “Pier” in this story" in html.unescape(response.content.decode())
    assert StoryPhoto.objects.filter(article=draft).count() == 1


def test_a_photo_a_colleague_took_off_meanwhile_is_said_not_a_silent_error(
        draft, editor, desk_client):
    """Every Save answered "Please correct the errors below." with no error shown."""
    client = desk_client(editor)
    StoryPhoto.objects.create(article=draft, photo=library_photo("Pier", "Pier"), role="body")
    data = change_form_data(client, draft)
    StoryPhoto.objects.filter(article=draft).delete()
    response = client.post(f"{ARTICLES}{draft.pk}/change/", {**data, "headline": "Storm"})
    assert response.status_code == 200
    assert "A photo of this story was taken off by someone else" in response.content.decode()


def test_a_published_story_takes_no_new_photo_without_alt_text(editor, desk_client,
                                                              make_article):
    """Publishing waited for alt text; a photo put on a story already out went live with none."""
    client = desk_client(editor)
    story = make_article("Storm reaches the coast", body="<p>One.</p><p>Two.</p>")
    described = library_photo("Waves over the harbour wall", "Harbour")
    data = change_form_data(client, story)
    add_row(data, photo=described.pk, role="lead", after_paragraph=0, caption="", credit="")
    assert client.post(f"{ARTICLES}{story.pk}/change/", data).status_code == 302
    bare = library_photo("", "Pier")
    data = change_form_data(client, story)
    add_row(data, photo=bare.pk, role="body", after_paragraph=1, caption="", credit="")
    refused = client.post(f"{ARTICLES}{story.pk}/change/", data)
    assert refused.status_code == 200
    # Linked to the photo's page, where the alt text is written (the name alone left the
    # editor searching the library for it).
    assert (f'This story is published: readers would see “<a href="/desk/pictures/photo/'
            f'{bare.pk}/change/" target="_blank" rel="noopener">Pier</a>” at once, with no alt '
            "text." in refused.content.decode())
    assert list(StoryPhoto.objects.filter(article=story).values_list("photo", flat=True)) == [
        described.pk]
    # A photo already on the story that lacks it never holds up a save of the story's text.
    Photo.objects.filter(pk=described.pk).update(alt_text="")
    data = change_form_data(client, story)
    data["headline"] = "Storm reaches the north coast"
    assert client.post(f"{ARTICLES}{story.pk}/change/", data).status_code == 302


def test_the_photo_field_picks_from_the_library_by_typing(draft, editor, desk_client):
    client = desk_client(editor)
    page = client.get(f"{ARTICLES}{draft.pk}/change/").content.decode()
    assert 'data-model-name="photo"' in page or "admin-autocomplete" in page
    library_photo("Waves", "Harbour at dawn")
    # The autocomplete is asked for the inline's field on StoryPhoto.
    found = client.get("/desk/autocomplete/", {"term": "harbour", "app_label": "pictures",
                                               "model_name": "storyphoto",
                                               "field_name": "photo"})
    assert found.status_code == 200
    assert [r["text"] for r in found.json()["results"]] == ["Harbour at dawn"]
    # A photo with no title is listed by its file's name, and found by it.
    untitled = library_photo("Pier", title="")
    Photo.objects.filter(pk=untitled.pk).update(original_name="pier-at-night.jpg")
    found = client.get("/desk/autocomplete/", {"term": "pier-at", "app_label": "pictures",
                                               "model_name": "storyphoto",
                                               "field_name": "photo"})
    assert [r["text"] for r in found.json()["results"]] == ["pier-at-night.jpg"]


def test_an_upload_from_the_story_screen_goes_to_the_library_and_into_the_story(
        draft, editor, desk_client):
    client = desk_client(editor)
    data = change_form_data(client, draft)
    add_row(data, photo="", role="lead", after_paragraph=0,
            upload=SimpleUploadedFile("harbour.jpg", jpeg(), content_type="image/jpeg"))
    response = client.post(f"{ARTICLES}{draft.pk}/change/", data)
    assert response.status_code == 302
    use = StoryPhoto.objects.select_related("photo").get(article=draft)
    assert use.role == "lead"
    assert (use.photo.origin, use.photo.uploaded_by, use.photo.width) == (
        Photo.Origin.UPLOAD, editor, 64)
    assert use.photo.alt_text == ""  # the editor writes it in the library before publishing


def test_an_upload_comes_back_chosen_when_the_story_is_refused_for_something_else(
        draft, editor, desk_client):
    """The page came back for an empty headline with the photo's row empty ("No file
    chosen"), and nothing said the upload had to be made again."""
    client = desk_client(editor)
    data = change_form_data(client, draft)
    data["headline"] = ""
    add_row(data, photo="", role="lead", after_paragraph=0,
            upload=SimpleUploadedFile("harbour.jpg", jpeg(), content_type="image/jpeg"))
    response = client.post(f"{ARTICLES}{draft.pk}/change/", data)
    assert response.status_code == 200 and not StoryPhoto.objects.exists()
    photo = Photo.objects.get()  # in the library, as an upload goes there
    row = next(f for f in response.context["inline_admin_formsets"]
               if f.formset.prefix == INLINE).formset.forms[-1]
    assert row["photo"].value() == str(photo.pk)
    assert f'<option value="{photo.pk}" selected>' in str(row["photo"])
    data.pop(f"{INLINE}-0-upload")
    data.update({"headline": "Harbour reopens", f"{INLINE}-0-photo": photo.pk})
    assert client.post(f"{ARTICLES}{draft.pk}/change/", data).status_code == 302
    assert StoryPhoto.objects.get(article=draft).photo == photo


def test_a_save_without_the_photos_rows_leaves_the_photos_as_they_are(
        draft, editor, desk_client):
    client = desk_client(editor)
    use = StoryPhoto.objects.create(article=draft, photo=library_photo("Waves"), role="lead")
    data = {k: v for k, v in change_form_data(client, draft).items()
            if not k.startswith(f"{INLINE}-")}
    data["headline"] = "Storm reaches the coast at dawn"
    assert client.post(f"{ARTICLES}{draft.pk}/change/", data).status_code == 302
    draft.refresh_from_db()
    assert draft.headline == "Storm reaches the coast at dawn"
    assert list(StoryPhoto.objects.filter(article=draft)) == [use]


def test_the_lead_and_a_body_photo_swap_places_in_one_save(draft, editor, desk_client):
    client = desk_client(editor)
    first, second = library_photo("First", "First"), library_photo("Second", "Second")
    StoryPhoto.objects.create(article=draft, photo=first, role="lead")
    StoryPhoto.objects.create(article=draft, photo=second, role="body", after_paragraph=1)
    data = change_form_data(client, draft)
    for key, value in list(data.items()):
        if key.endswith("-role"):
            data[key] = "body" if value == "lead" else "lead"
    assert client.post(f"{ARTICLES}{draft.pk}/change/", data).status_code == 302
    roles = dict(StoryPhoto.objects.filter(article=draft).values_list("photo__title", "role"))
    assert roles == {"First": "body", "Second": "lead"}


def test_the_editor_lists_the_lead_photo_first(draft, editor, desk_client):
    # Stored body first: by role's name alone "body" would come before "lead".
    StoryPhoto.objects.create(article=draft, photo=library_photo("A pier", "Pier"), role="body",
                              after_paragraph=1)
    StoryPhoto.objects.create(article=draft, photo=library_photo("A boat", "Boat"), role="lead")
    response = desk_client(editor).get(f"{ARTICLES}{draft.pk}/change/")
    formset = next(f.formset for f in response.context["inline_admin_formsets"]
                   if f.formset.prefix == INLINE)
    assert [use.role for use in formset.queryset] == ["lead", "body"]


def test_the_suppliers_instructions_show_on_the_desk_and_nowhere_public(
        make_article, editor, desk_client, client):
    """IPTC's "Instructions" ("no sales", an embargo) was not read: the desk never saw it."""
    import json

    from dateline.syndication.formatters import registry

    story = make_article("Storm reaches the coast")
    photo = library_photo("Waves at the pier.")
    Photo.objects.filter(pk=photo.pk).update(instructions="NO SALES. Mandatory credit.")
    StoryPhoto.objects.create(article=story, photo=photo, role=StoryPhoto.Role.LEAD)
    desk = desk_client(editor).get(f"{ARTICLES}{story.pk}/change/").text
    assert "<strong>Instructions:</strong> NO SALES. Mandatory credit." in desk
    assert "NO SALES" not in client.get(story.get_absolute_url()).text
    for name in ("ninjs15", "ninjs31"):
        item = registry.get(name)(base_url="https://news.example/").format_all([story])[0]
        assert "NO SALES" not in json.dumps(item)

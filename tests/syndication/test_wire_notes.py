"""Corrections and updates reach partners: the story goes again as a new version, its notes
in the item's editorial note (ninjs `edNote`, `ednote` before 3.0), which Superdesk's ingest
copies. Before, the note showed on the site alone: the item carried none, and its version had
not grown, so a partner's system that had the story kept its copy as it was."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from dateline.newsroom.actions.notes import add_note
from dateline.newsroom.models import ArticleNote

from .ninjs_schema import errors
from .test_api import api, make_key, token  # noqa: F401 - the partner's fixtures
from .test_changes import settled_at_once  # noqa: F401
from .test_ninjs_versions import VERSIONS
from .test_resending import changes_since
from .test_superdesk import superdesk_reads, superdesk_takes_again, went_out_earlier

pytestmark = pytest.mark.django_db
NOTE = {"1.5": "ednote", "1.6": "ednote", "2.1": "ednote", "3.1": "edNote"}


def stamp(note: ArticleNote) -> str:
    return f"{note.created_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


@pytest.mark.parametrize("version", VERSIONS)
def test_a_correction_goes_to_partners_in_a_new_version_with_its_note(
        api, client, make_user, make_article, version, settled_at_once,  # noqa: F811
        django_capture_on_commit_callbacks):
    story = make_article("Minister resigns", age=timedelta(hours=3))
    went_out_earlier(story)
    held = changes_since(api, story.wire_changed_at - timedelta(seconds=1), version)
    assert NOTE[version] not in held[0]
    since = timezone.now()

    # Through the desk's own page, as the chief editor adds it.
    client.force_login(make_user("Chief editor", "chief"))
    for kind, text in (("correction", "An earlier version misspelt the minister's name."),
                       ("update", "The prime minister has accepted the resignation.")):
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(f"/desk/newsroom/article/{story.pk}/notes/",
                                 {"kind": kind, "text": text})
        assert answer.status_code == 302
    correction, update = ArticleNote.objects.filter(article=story).order_by("created_at", "pk")

    again = changes_since(api, since, version)
    assert [i["uri"] for i in again] == [held[0]["uri"]]
    item = again[0]
    assert errors(item, version) == []
    assert item[NOTE[version]] == (
        f"Correction, {stamp(correction)}: An earlier version misspelt the minister's name.\n"
        f"Update, {stamp(update)}: The prime minister has accepted the resignation.")
    assert int(item["version"]) == int(held[0]["version"]) + 2  # each note a version
    if version.startswith("1."):
        assert superdesk_takes_again(item, held[0])
        assert superdesk_reads(item)["ednote"] == item["ednote"]
    # The story's own item says the same.
    detail = api(f"/api/ninjs/{story.pk}?version={version}").json()
    assert detail[NOTE[version]] == item[NOTE[version]]


def test_each_story_of_a_page_carries_its_own_notes_and_one_without_has_none(
        api, make_article, make_user):  # noqa: F811
    make_article("Nothing to correct")
    noted = [make_article(f"Corrected story {n}") for n in range(3)]
    editor = make_user("Chief editor", "chief")
    for story in noted:
        add_note(editor, story, "correction", f"Corrects the figure in story {story.pk}.")
    items = {i["headlines"][0]["value"]: i for i in api("/api/ninjs/").json()["items"]}
    assert "edNote" not in items["Nothing to correct"]
    for story in noted:
        assert items[story.headline]["edNote"].endswith(
            f"UTC: Corrects the figure in story {story.pk}.")

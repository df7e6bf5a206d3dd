"""A story deleted after it reached the wire is a canceled item on the changes feed, once, as
Unpublish gives: before, its row went and a partner that had taken it heard nothing and went
on publishing it. Stories are deleted the ways the desk deletes them (the admin's delete and
its bulk action both come to Django's deletion collector, as model.delete() does)."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.models import Article
from dateline.syndication.api import changes, params
from dateline.syndication.deletions import owed
from dateline.syndication.models import DeletedStory

from .ninjs_schema import errors
from .test_api import api, make_key, token  # noqa: F401 - the partner's fixtures
from .test_changes import CHANGES, headline, poll, settled_at_once  # noqa: F401
from .test_ninjs_versions import VERSIONS

pytestmark = pytest.mark.django_db


def since(moment) -> str:
    return f"{CHANGES}?since={moment:%Y-%m-%dT%H:%M:%S.%fZ}"


def story_id(item: dict) -> int:
    return int(item["uri"].rstrip("/").rsplit("/", 1)[1])


def status(item: dict) -> str:
    return item.get("pubStatus") or item["pubstatus"]


def test_a_deleted_live_story_is_canceled_for_a_partner_that_took_it(
        api, make_article, settled_at_once):  # noqa: F811
    before = timezone.now()
    story = make_article("Taken by partners", body="<p>Words the partner must take down.</p>")
    taken, following = poll(api, since(before))
    assert [(headline(i), status(i)) for i in taken["items"]] == [
        ("Taken by partners", "usable")]

    Article.objects.filter(pk=story.pk).delete()  # the admin's bulk action
    page, following = poll(api, following)
    [canceled] = page["items"]
    assert canceled["uri"] == taken["items"][0]["uri"]
    assert status(canceled) == "canceled"
    # A version after the one the partner holds, so that its copy is not taken for newer.
    assert int(canceled["version"]) == int(taken["items"][0]["version"]) + 1
    assert headline(canceled) == "Taken by partners"
    assert "Words the partner" not in json.dumps(canceled)
    assert poll(api, following)[0]["items"] == []  # once


@pytest.mark.parametrize("version", VERSIONS)
def test_a_deleted_storys_item_is_valid_in_every_version(
        api, make_article, settled_at_once, version):  # noqa: F811
    before = timezone.now()
    story = make_article("Deleted after it went out")
    story.delete()
    page, _ = poll(api, f"{since(before)}&version={version}")
    assert [status(item) for item in page["items"]] == ["canceled"]
    assert errors(page["items"][0], version) == []


def test_a_withdrawn_story_deleted_is_told_once_at_its_withdrawal(
        api, make_article, make_user, settled_at_once):  # noqa: F811
    """Its canceled item stays where the withdrawal put it: a partner already past it is not
    told again, and one that has not polled since is still told."""
    chief = make_user("Chief editor", "chief")
    before = timezone.now()
    story = make_article("Killed, then deleted")
    TRANSITIONS["unpublish"].execute(chief, story, note="Legal.")
    story.refresh_from_db()
    heard, past_it = poll(api, since(before))
    assert [(headline(i), status(i)) for i in heard["items"]] == [
        ("Killed, then deleted", "canceled")]

    story.delete()
    assert poll(api, past_it)[0]["items"] == []
    late = poll(api, since(before))[0]["items"]
    assert late == heard["items"]  # the same item, as it was


def test_a_story_that_never_came_out_owes_partners_nothing(
        api, make_article, settled_at_once):  # noqa: F811
    before = timezone.now()
    drafts = [
        make_article("A draft", status=Article.Status.DRAFT, published_at=None),
        make_article("Under embargo", embargo_until=timezone.now() + timedelta(hours=1)),
        make_article("Due tomorrow", published_at=timezone.now() + timedelta(days=1)),
    ]
    for story in drafts:
        story.delete()
    assert DeletedStory.objects.count() == 0
    assert poll(api, since(before))[0]["items"] == []


def test_a_story_withheld_by_an_embargo_then_deleted_is_canceled(
        api, make_article, make_user, settled_at_once):  # noqa: F811
    """Partners told to hold it must hear that it is gone for good."""
    story = make_article("Court names the minister", age=timedelta(minutes=5))
    before = timezone.now()
    TRANSITIONS["embargo"].execute(make_user("Chief editor", "chief"), story,
                                   at=timezone.now() + timedelta(hours=3))
    story.delete()
    told = [status(item) for item in poll(api, since(before))[0]["items"]]
    assert told == ["canceled"]  # the withholding is told by its later change
    assert DeletedStory.objects.count() == 1


def test_a_deletion_rolled_back_leaves_nothing_owed(make_article):
    pk = make_article("Nearly deleted").pk
    with pytest.raises(RuntimeError), transaction.atomic():
        Article.objects.get(pk=pk).delete()
        assert DeletedStory.objects.filter(article_id=pk).exists()
        raise RuntimeError("the deletion fails later in its transaction")
    assert Article.objects.filter(pk=pk).exists()
    assert DeletedStory.objects.count() == 0


def test_pages_merge_deletions_and_stories_in_order_without_gaps_or_repeats(
        api, make_article, settled_at_once):  # noqa: F811
    before = timezone.now()
    stories = [make_article(f"Story {n}").pk for n in range(6)]
    for pk in stories[1::2]:
        Article.objects.get(pk=pk).delete()
    extra = make_article("After the deletions")
    seen, url = [], f"{since(before)}&limit=2"
    for _ in range(6):
        page, url = poll(api, url)
        seen += [(story_id(item), status(item)) for item in page["items"]]
    assert seen == [
        *((pk, "usable") for pk in stories[::2]),
        *((pk, "canceled") for pk in stories[1::2]),
        (extra.pk, "usable"),
    ]


def test_what_lies_past_the_feeds_reach_is_not_kept(make_article):
    old = DeletedStory.objects.create(
        article_id=10**9, headline="Long gone", slug="long-gone", version=2,
        withdrawn_at=timezone.now() - timedelta(days=params.CHANGES_KEPT_DAYS + 1),
        wire_changed_at=timezone.now() - timedelta(days=params.CHANGES_KEPT_DAYS + 1))
    make_article("Deleted today").delete()
    assert not DeletedStory.objects.filter(pk=old.pk).exists()
    assert list(DeletedStory.objects.values_list("headline", flat=True)) == ["Deleted today"]


def test_a_deletion_committed_late_still_reaches_a_partner_already_past_its_stamp(
        api, make_article, settled_at_once, monkeypatch,  # noqa: F811
        django_capture_on_commit_callbacks):
    import dateline.syndication.deletions as deletions

    real_now = timezone.now
    story = make_article("Deleted in a long transaction")
    monkeypatch.setattr(deletions.timezone, "now", lambda: real_now() - timedelta(seconds=10))
    with django_capture_on_commit_callbacks(execute=False) as on_commit:
        story.delete()
    monkeypatch.setattr(deletions.timezone, "now", real_now)
    partner_from = real_now() - timedelta(seconds=5)
    page, following = poll(api, since(partner_from))
    assert page["items"] == []
    for callback in on_commit:  # the commit, at last
        callback()
    assert [(headline(i), status(i)) for i in poll(api, following)[0]["items"]] == [
        ("Deleted in a long transaction", "canceled")]


def test_a_withdrawal_read_both_as_a_story_and_as_deleted_is_served_once(
        make_article, make_user):
    """A withdrawn story deleted between the feed's two reads (the stories', then the deleted
    ones') is found by both, at the same place: it is one change."""
    story = make_article("Killed while a partner polled")
    TRANSITIONS["unpublish"].execute(make_user("Chief editor", "chief"), story)
    story.refresh_from_db()
    owed(story, timezone.now()).save()  # as the deletion leaves it, the story still read
    position = changes.Position(story.wire_changed_at - timedelta(seconds=1), 0)
    found = changes.changed_after(position, timezone.now(), limit=10)
    assert [(pk, at) for pk, at, _ in found] == [(story.pk, story.wire_changed_at)]


def test_a_story_deleted_in_the_desk_reaches_the_partner_canceled(
        api, make_article, make_user, desk_client, settled_at_once):  # noqa: F811
    before = timezone.now()
    story = make_article("Deleted by the chief editor")
    client = desk_client(make_user("Chief editor", "chief"))
    response = client.post(f"/desk/newsroom/article/{story.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Article.objects.filter(pk=story.pk).exists()
    page, _ = poll(api, since(before))
    assert [(story_id(i), status(i)) for i in page["items"]] == [(story.pk, "canceled")]


def test_a_withdrawn_story_deleted_after_the_changes_were_read_is_still_served(
        make_article, make_user):
    """The changes are read first, their items after: a withdrawn story deleted in between is
    gone from the stories, so its item comes from what the deletion left, or the partner's
    next position would pass it unserved."""
    from dateline.syndication.formatters.ninjs import Ninjs31Formatter

    story = make_article("Killed, deleted mid-poll")
    TRANSITIONS["unpublish"].execute(make_user("Chief editor", "chief"), story)
    story.refresh_from_db()
    position = changes.Position(story.wire_changed_at - timedelta(seconds=1), 0)
    [(pk, _, status)] = changes.changed_after(position, timezone.now(), limit=10)
    assert (pk, status) == (story.pk, Article.Status.UNPUBLISHED)

    Article.objects.get(pk=pk).delete()
    items = changes.withdrawn_items(Ninjs31Formatter("https://news.example"), [pk])
    assert items[pk]["pubStatus"] == "canceled"
    assert items[pk]["uri"] == f"{settings.DATELINE_SITE_URL}/articles/{pk}/"

"""What the newsroom's changes tell readers: one event per change they should hear about,
written in the transaction of the change."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from dateline.live.models import LiveEntry, LiveEvent
from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.models import Article

pytestmark = pytest.mark.django_db


def kinds() -> list[str]:
    return list(LiveEvent.objects.order_by("id").values_list("kind", flat=True))


@pytest.fixture
def editor(make_user):
    return make_user("Editor")


@pytest.fixture
def draft(make_article):
    return make_article("Talks resume in Geneva", status=Article.Status.DRAFT,
                        published_at=None)


def test_publishing_announces_the_story_with_what_the_ticker_shows(editor, draft):
    TRANSITIONS["publish"].execute(editor, draft)
    event = LiveEvent.objects.get()
    assert event.kind == "published" and event.article_id == draft.pk
    assert event.payload["headline"] == "Talks resume in Geneva"
    assert event.payload["url"] == draft.get_absolute_url()
    assert event.payload["section"] == "World"
    assert event.payload["breaking"] is False
    assert event.payload["dateline"].count("//") == 1


def test_a_rolled_back_publication_announces_nothing(editor, draft):
    with pytest.raises(RuntimeError), transaction.atomic():
        TRANSITIONS["publish"].execute(editor, draft)
        assert kinds() == ["published"]  # inside the transaction, with the change
        raise RuntimeError("the desk's transaction fails")
    assert kinds() == []
    assert Article.objects.get(pk=draft.pk).status == Article.Status.DRAFT


def test_edits_to_drafts_are_silent_and_edits_to_live_stories_are_updates(editor, draft):
    draft.headline = "Talks to resume in Geneva"
    draft.save()
    assert kinds() == []
    TRANSITIONS["publish"].execute(editor, draft)
    story = Article.objects.get(pk=draft.pk)
    story.save()  # nothing a reader sees changed
    assert kinds() == ["published"]
    story.headline = "Talks resume in Geneva after a year"
    story.save()
    assert kinds() == ["published", "updated"]
    assert LiveEvent.objects.last().payload["headline"] == "Talks resume in Geneva after a year"


def test_breaking_news_on_and_off(editor, draft):
    TRANSITIONS["publish"].execute(editor, draft)
    story = Article.objects.get(pk=draft.pk)
    story.is_breaking = True
    story.save(update_fields=["is_breaking"])
    story.is_breaking = False
    story.save(update_fields=["is_breaking"])
    assert kinds() == ["published", "breaking", "updated"]
    assert LiveEvent.objects.last().payload["breaking"] is False


def test_a_story_published_as_breaking_is_one_breaking_event(editor, draft):
    draft.is_breaking = True
    draft.save()
    TRANSITIONS["publish"].execute(editor, draft)
    assert kinds() == ["breaking"]


def test_a_killed_breaking_story_published_again_is_no_breaking_news(editor, make_user, draft):
    """The kill took the banner down but left the story marked: published again, corrected
    the next day, it was a site-wide BREAKING banner, pushed to every open page."""
    draft.is_breaking = True
    draft.save()
    TRANSITIONS["publish"].execute(editor, draft)
    assert kinds() == ["breaking"]
    chief = make_user("Chief editor", "chief")
    TRANSITIONS["unpublish"].execute(chief, draft)
    assert not Article.objects.get(pk=draft.pk).is_breaking
    TRANSITIONS["publish"].execute(chief, Article.objects.get(pk=draft.pk))
    assert kinds()[-2:] == ["unpublished", "published"]
    assert LiveEvent.objects.last().payload["breaking"] is False


def test_stories_killed_before_the_rule_lose_their_breaking_flag_on_migrating(make_article):
    from importlib import import_module

    from django.apps import apps

    killed = make_article("Killed last week", status=Article.Status.UNPUBLISHED,
                          is_breaking=True)
    live = make_article("Still breaking", is_breaking=True)
    import_module("dateline.newsroom.migrations.0023_killed_stories_end_breaking") \
        .end_breaking(apps, None)
    assert not Article.objects.get(pk=killed.pk).is_breaking
    assert Article.objects.get(pk=live.pk).is_breaking


def test_unpublishing_and_deleting_take_the_story_away(editor, make_article):
    story = make_article("Withdrawn report")
    other = make_article("Deleted report")
    LiveEvent.objects.all().delete()
    TRANSITIONS["unpublish"].execute(editor, story)
    other.delete()
    events = list(LiveEvent.objects.order_by("id"))
    assert [(e.kind, e.payload) for e in events] == [
        ("unpublished", {"id": story.pk}), ("unpublished", {"id": events[1].article_id})]


@pytest.mark.django_db(transaction=True)  # the worker commits and closes
def test_a_scheduled_story_is_announced_when_it_goes_live(editor, draft):
    import time_machine

    from ..newsroom.test_scheduling import run_worker

    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        TRANSITIONS["schedule"].execute(editor, draft, at=start + timedelta(minutes=5))
        run_worker()
        assert kinds() == []
        clock.move_to(start + timedelta(minutes=5, seconds=1))
        run_worker()
    assert kinds() == ["published"]


@pytest.mark.django_db(transaction=True)  # the worker commits and closes
def test_an_embargoed_story_is_announced_when_the_embargo_ends(editor, make_article):
    import time_machine

    from ..newsroom.test_scheduling import run_worker

    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        story = make_article("Under embargo", age=timedelta(minutes=1))
        TRANSITIONS["embargo"].execute(editor, story, at=start + timedelta(minutes=30))
        # Embargoing a story readers had seen takes it away from them (and from replay)...
        assert kinds() == ["unpublished"]
        clock.move_to(start + timedelta(minutes=31))
        run_worker()
    # ...and its end brings it back.
    assert kinds() == ["unpublished", "published"]
    assert LiveEvent.objects.last().payload["headline"] == "Under embargo"


def test_live_entries_go_out_sanitised_and_only_for_live_stories(editor, draft, make_user):
    LiveEntry.objects.create(article=draft, body="<p>Not yet</p>", author=editor)
    assert kinds() == []
    TRANSITIONS["publish"].execute(editor, draft)
    entry = LiveEntry.objects.create(
        article=draft, author=editor,
        body='<p onclick="steal()">Delegates arrive<script>alert(1)</script></p>'
             '<a href="javascript:alert(1)">link</a>')
    event = LiveEvent.objects.last()
    assert event.kind == "entry" and event.payload["entry"] == entry.pk
    html = event.payload["html"]
    assert "Delegates arrive" in html
    assert "script" not in html and "onclick" not in html and "javascript:" not in html
    entry.delete()
    assert LiveEvent.objects.last().kind == "entry-removed"
    assert LiveEvent.objects.last().payload == {"article": draft.pk,
                                                "entry": event.payload["entry"]}
    # A removed entry's words are no longer replayed to a reader who asks from before it.
    assert not LiveEvent.objects.filter(kind="entry").exists()


def test_a_kill_or_delete_withdraws_the_story_s_earlier_events_from_replay(editor, draft,
                                                                           make_article):
    TRANSITIONS["publish"].execute(editor, draft)
    LiveEntry.objects.create(article=draft, body="<p>Named in court.</p>", author=editor)
    other = make_article("Deleted report")
    other_pk = other.pk
    TRANSITIONS["unpublish"].execute(editor, draft)
    other.delete()
    kept = [(e.kind, e.article_id) for e in LiveEvent.objects.order_by("id")]
    assert kept == [("unpublished", draft.pk), ("unpublished", other_pk)]


def test_event_ids_follow_the_order_of_commits(editor, make_article):
    stories = [make_article(f"Draft {i}", status=Article.Status.DRAFT, published_at=None)
               for i in range(5)]
    for story in stories:
        TRANSITIONS["publish"].execute(editor, story)
    events = list(LiveEvent.objects.order_by("id"))
    assert [e.article_id for e in events] == [s.pk for s in stories]


def test_old_events_are_pruned(editor, make_article):
    from dateline.live.events import prune

    old = LiveEvent.objects.create(kind="published", payload={}, article_id=1)
    LiveEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    recent = LiveEvent.objects.create(kind="published", payload={}, article_id=2)
    prune()
    assert list(LiveEvent.objects.values_list("pk", flat=True)) == [recent.pk]


def test_a_story_of_long_ago_marked_breaking_is_an_update(editor, draft, settings):
    """Not news on top of every reader's ticker: the banner shows a breaking story only for
    DATELINE_BREAKING_HOURS after its publication, and the stream says the same."""
    TRANSITIONS["publish"].execute(editor, draft)
    Article.objects.filter(pk=draft.pk).update(
        published_at=timezone.now() - timedelta(hours=settings.DATELINE_BREAKING_HOURS + 1))
    story = Article.objects.get(pk=draft.pk)
    before = LiveEvent.objects.count()
    story.is_breaking = True
    story.save(update_fields=["is_breaking"])
    assert list(LiveEvent.objects.order_by("pk")[before:].values_list("kind", flat=True)) == [
        "updated"]

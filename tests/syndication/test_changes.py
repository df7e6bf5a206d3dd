"""The changes feed (/api/ninjs/changes): a partner that polls it hears of every story
published, corrected, brought out by time (an embargo's end) or withdrawn since it last
looked, once each, oldest first; a withdrawn story as a "canceled" item IPTC's schema of
each version accepts. Stories are changed through the newsroom's own save and workflow."""

import json
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.models import Article
from dateline.syndication.api import params
from tests.query_plans import install_archive_statistics, plan_steps, sorting_everything

from .ninjs_schema import errors
from .test_api import api, make_key, token  # noqa: F401 - the partner's fixtures
from .test_ninjs_versions import VERSIONS

pytestmark = pytest.mark.django_db
CHANGES = "/api/ninjs/changes"


@pytest.fixture
def settled_at_once(monkeypatch):
    """Changes served as soon as made (the feed waits a few seconds for late commits)."""
    monkeypatch.setattr(params, "CHANGES_SETTLE_SECONDS", 0)


def poll(api, url):  # noqa: F811
    response = api(url)
    assert response.status_code == 200, response.content
    page = json.loads(response.content)
    assert response["Link"] == f'<{page["next"]}>; rel="next"'
    parts = urlsplit(page["next"])
    return page, f"{parts.path}?{parts.query}"


def headline(item: dict) -> str:
    return item["headlines"][0]["value"]


def test_a_partner_hears_of_each_change_once_in_order(
        api, make_article, make_user, settled_at_once):  # noqa: F811
    chief = make_user("Chief editor", "chief")
    taken = make_article("Taken yesterday", age=timedelta(days=1))
    doomed = make_article("Will be withdrawn", age=timedelta(days=1))
    # Saved before the partner looked; out only when its embargo ends, in a moment.
    due = make_article("Out shortly", embargo_until=timezone.now() + timedelta(seconds=1))
    make_article("A draft", status=Article.Status.DRAFT, published_at=None)
    since = timezone.now()

    make_article("Fresh story")
    taken.headline = "Taken yesterday, corrected"
    taken.save()
    TRANSITIONS["unpublish"].execute(chief, doomed, note="Legal.")
    page, following = poll(api, f"{CHANGES}?since={since.isoformat().replace('+', '%2B')}")
    assert [(headline(i), i["pubStatus"]) for i in page["items"]] == [
        ("Fresh story", "usable"), ("Taken yesterday, corrected", "usable"),
        ("Will be withdrawn", "canceled")]
    assert page["items"][1]["version"] == str(taken.version)
    assert "bodies" not in page["items"][2]

    # Nothing new: the same answer, which the partner already holds.
    again = api(following)
    assert json.loads(again.content) == {"items": [], "next": page["next"]}
    assert api(following, **{"If-None-Match": again["ETag"]}).status_code == 304

    # Time, not a save, brings the embargoed story out: it comes at its embargo's end.
    while timezone.now() <= due.embargo_until:
        time.sleep(0.1)
    TRANSITIONS["publish"].execute(chief, doomed)
    later, _ = poll(api, following)
    assert [(headline(i), i["pubStatus"]) for i in later["items"]] == [
        ("Out shortly", "usable"), ("Will be withdrawn", "usable")]


def test_pages_of_changes_follow_one_another_without_gaps_or_repeats(
        api, make_article, settled_at_once):  # noqa: F811
    since = timezone.now()
    made = [make_article(f"Story {n}").pk for n in range(7)]
    seen, url = [], f"{CHANGES}?since={since:%Y-%m-%dT%H:%M:%S.%fZ}&limit=3"
    for _ in range(4):
        page, url = poll(api, url)
        seen += [int(item["uri"].rstrip("/").rsplit("/", 1)[1]) for item in page["items"]]
    assert seen == made


@pytest.mark.parametrize("version", VERSIONS)
def test_a_withdrawn_story_is_a_canceled_item_valid_in_every_version(
        api, make_article, make_user, settled_at_once, version):  # noqa: F811
    since = timezone.now()
    story = make_article("Withdrawn", body="<p>What the partner must take down.</p>")
    TRANSITIONS["unpublish"].execute(make_user("Chief editor", "chief"), story)
    page, _ = poll(api, f"{CHANGES}?since={since:%Y-%m-%dT%H:%M:%S.%fZ}&version={version}")
    canceled = page["items"][-1]
    assert errors(canceled, version) == []
    assert (canceled.get("pubStatus") or canceled["pubstatus"]) == "canceled"
    assert canceled["uri"].endswith(f"/articles/{story.pk}/")
    assert "What the partner" not in json.dumps(canceled)


def test_a_change_is_served_once_it_has_settled(api, make_article):  # noqa: F811
    since = timezone.now() - timedelta(minutes=1)
    story = make_article("Just saved")
    url = f"{CHANGES}?since={since:%Y-%m-%dT%H:%M:%S.%fZ}"
    assert poll(api, url)[0]["items"] == []  # its transaction may not have committed
    # As if the seconds had passed.
    Article.objects.filter(pk=story.pk).update(
        wire_changed_at=timezone.now() - timedelta(seconds=params.CHANGES_SETTLE_SECONDS + 1))
    assert [headline(i) for i in poll(api, url)[0]["items"]] == ["Just saved"]


@pytest.mark.parametrize(("query", "words"), [
    ("", "Give since"),
    ("?since=yesterday", "ISO 8601"),
    ("?since=2020-01-01", "reaches back 31 days"),
    ("?since=2030-01-01&page=2", "Unknown parameter 'page'"),
    ("?cursor=abc", "not one the API gave out"),
    ("?since=2030-01-01&limit=0", "'limit' is a whole number"),
    ("?since=2030-01-01", "since is later than the server's time"),
])
def test_what_the_feed_cannot_answer_is_a_400_in_words(api, query, words):  # noqa: F811
    response = api(CHANGES + query)
    assert response.status_code == 400
    assert words in json.loads(response.content)["error"]


def test_the_lists_cursor_is_not_a_place_in_the_changes(api, make_article):  # noqa: F811
    for n in range(3):
        make_article(f"Story {n}")
    following = json.loads(api("/api/ninjs/?limit=1").content)["next"]
    listed = dict(p.split("=", 1) for p in urlsplit(following).query.split("&"))["cursor"]
    assert api(f"{CHANGES}?cursor={listed}").status_code == 400


def test_without_a_key_the_changes_are_refused(client):
    assert client.get(f"{CHANGES}?since=2030-01-01").status_code == 401


def test_an_archives_import_is_no_news_and_an_imported_correction_is(
        api, tmp_path, settled_at_once):  # noqa: F811
    from dateline.newsroom.importer import import_file
    from tests.newsroom.test_importer import PROFILE, wire, write_jsonl

    since = timezone.now() - timedelta(minutes=1)
    # Filed two hours ago, imported now: new to the wire now (within a day of its time).
    fresh = (timezone.now() - timedelta(hours=2)).replace(microsecond=0).isoformat()
    import_file(write_jsonl(tmp_path / "a.jsonl", wire("old-1"), wire("new-1", published=fresh,
                                                                    title="Filed at noon")),
                PROFILE)
    page, following = poll(api, f"{CHANGES}?since={since:%Y-%m-%dT%H:%M:%S.%fZ}")
    assert [headline(i) for i in page["items"]] == ["Filed at noon"]
    import_file(write_jsonl(tmp_path / "b.jsonl", wire("old-1", title="BAHIA COCOA REVISED")),
                PROFILE)
    assert [headline(i) for i in poll(api, following)[0]["items"]] == ["BAHIA COCOA REVISED"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_a_poll_reads_one_range_of_the_wire_change_index(
        api, make_article, settled_at_once):  # noqa: F811
    """With an archive's statistics: the changes are found in the index's order, not by
    sorting every published story (75 ms a poll at 100,000 stories when they were)."""
    since = timezone.now()
    for n in range(3):
        make_article(f"Story {n}")
    install_archive_statistics()
    with CaptureQueriesContext(connection) as queries:
        assert len(poll(api, f"{CHANGES}?since={since:%Y-%m-%dT%H:%M:%S.%fZ}")[0]["items"]) == 3
    assert sorting_everything(queries.captured_queries) == []
    assert any("article_wire_changes_idx" in step for step in plan_steps(
        queries.captured_queries))


def test_a_change_committed_late_still_reaches_a_partner_already_past_its_stamp(
        api, make_article, settled_at_once, monkeypatch,  # noqa: F811
        django_capture_on_commit_callbacks):
    """A save stamps its change before its transaction commits; held up (a lock waited for, a
    long import batch), it would land behind a partner's place and never be served. Stamped
    again at its commit, it comes after that place."""
    import dateline.newsroom.models.article as article_module

    real_now = timezone.now
    held_up = make_article("Held up")
    # Its save stamped ten seconds before its commit...
    monkeypatch.setattr(article_module.timezone, "now", lambda: real_now() - timedelta(seconds=10))
    with django_capture_on_commit_callbacks(execute=False) as on_commit:
        held_up.headline = "Held up, corrected"
        held_up.save()
    monkeypatch.setattr(article_module.timezone, "now", real_now)
    # ...while the partner read the changes of the last five seconds, past that stamp.
    since = timezone.now() - timedelta(seconds=5)
    make_article("Went out meanwhile")
    page, following = poll(api, f"{CHANGES}?since={since:%Y-%m-%dT%H:%M:%S.%fZ}")
    assert [headline(i) for i in page["items"]] == ["Went out meanwhile"]
    for callback in on_commit:  # the commit, at last
        callback()
    assert [headline(i) for i in poll(api, following)[0]["items"]] == ["Held up, corrected"]


def test_a_kill_and_a_republication_are_each_a_new_version_of_the_item(
        api, make_article, make_user, settled_at_once,  # noqa: F811
        django_capture_on_commit_callbacks):
    """Before, both kept the version of the item the partner held, and a partner's system
    that takes an item again only when its version grows (Superdesk's ingest routing) kept
    its usable copy after the kill, or its canceled one after the story came back."""
    from .test_superdesk import superdesk_takes_again, went_out_earlier

    chief = make_user("Chief editor", "chief")
    draft = make_article("Minister resigns", status=Article.Status.DRAFT, published_at=None)
    TRANSITIONS["publish"].execute(chief, draft)
    went_out_earlier(draft, 60)  # each step below a while after the last, as at a desk
    url = f"{CHANGES}?since={draft.wire_changed_at:%Y-%m-%dT%H:%M:%S.%fZ}&version=1.6"
    held = poll(api, url)[0]["items"][0]
    assert held["version"] == str(draft.version)  # its first time out: the desk's version

    with django_capture_on_commit_callbacks(execute=True):  # stored items renewed
        TRANSITIONS["unpublish"].execute(chief, draft, note="Legal.")
        went_out_earlier(draft, 30)
    killed = poll(api, url)[0]["items"][0]
    assert killed["pubstatus"] == "canceled" and superdesk_takes_again(killed, held)
    with django_capture_on_commit_callbacks(execute=True):
        TRANSITIONS["publish"].execute(chief, draft)
    back = poll(api, url)[0]["items"][0]
    assert back["pubstatus"] == "usable" and superdesk_takes_again(back, killed)
    draft.refresh_from_db()
    assert draft.version == 1  # the desk's own: an editor's open form is not stale


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.django_db(transaction=True)  # the worker commits and closes
def test_a_story_on_the_wire_put_under_embargo_is_withheld_then_comes_back(
        api, make_article, make_user, settled_at_once, version):  # noqa: F811
    """Embargoed after it came out, a story left the site and every feed, and partners who
    had taken it heard nothing: they ran it through the embargo."""
    import time_machine

    chief = make_user("Chief editor", "chief")
    story = make_article("Court names the minister", body="<p>The words held.</p>",
                         age=timedelta(minutes=5))
    since = f"{story.wire_changed_at:%Y-%m-%dT%H:%M:%S.%fZ}"
    url = f"{CHANGES}?since={since}&version={version}"
    taken = poll(api, url)[0]["items"][-1]
    end = timezone.now() + timedelta(hours=3)
    TRANSITIONS["embargo"].execute(chief, story, at=end)
    held = poll(api, url)[0]["items"][-1]
    assert errors(held, version) == []
    assert (held.get("pubStatus") or held["pubstatus"]) == "withheld"
    assert held["uri"] == taken["uri"] and int(held["version"]) > int(taken["version"])
    assert "The words held" not in json.dumps(held)
    with time_machine.travel(end + timedelta(seconds=5), tick=False):
        # Time ends the embargo: out again before the worker records it, a version above.
        early = poll(api, url)[0]["items"][-1]
        assert (early.get("pubStatus") or early["pubstatus"]) == "usable"
        assert int(early["version"]) > int(held["version"])
        from ..newsroom.test_scheduling import run_worker

        run_worker()
        story.refresh_from_db()
        assert story.is_live
        back = poll(api, url)[0]["items"][-1]
    assert (back.get("pubStatus") or back["pubstatus"]) == "usable"
    assert back["version"] == early["version"]  # the worker's record is no version of its own
    assert "The words held" in json.dumps(back)


def test_a_held_story_edited_on_the_desk_is_told_once_with_the_headline_partners_had(
        api, make_article, make_user, settled_at_once):  # noqa: F811
    """A killed or embargoed story's every save was a new "canceled" or "withheld" item on
    the wire, carrying the headline as just rewritten, which readers never saw."""
    from dateline.newsroom.actions.save import record_revision

    chief = make_user("Chief editor", "chief")
    killed = make_article("Minister quits", age=timedelta(minutes=5))
    held = make_article("Court names the minister", age=timedelta(minutes=5))
    for story in (killed, held):
        record_revision(story, chief)  # as saved on the desk
    since = min(killed.wire_changed_at, held.wire_changed_at) - timedelta(microseconds=1)
    url = f"{CHANGES}?since={since:%Y-%m-%dT%H:%M:%S.%fZ}"
    TRANSITIONS["unpublish"].execute(chief, killed, note="Legal.")
    TRANSITIONS["embargo"].execute(chief, held, at=timezone.now() + timedelta(hours=3))
    told, following = poll(api, url)
    assert sorted((headline(i), i["pubStatus"]) for i in told["items"]) == [
        ("Court names the minister", "withheld"), ("Minister quits", "canceled")]
    slugs = {i["slugline"] for i in told["items"]}
    time.sleep(1.1)  # items give their time to the second
    for story, rewritten in ((killed, "Legal rewrite, never shown"),
                             (held, "Minister resigns, unseen")):
        story.refresh_from_db()
        story.headline, story.slug = rewritten, ""  # the slug made again from the rewrite
        story.save()
        record_revision(story, chief)
    assert poll(api, following)[0]["items"] == []  # no news to partners
    again = poll(api, url)[0]["items"]  # a partner starting from the same place
    assert sorted(headline(i) for i in again) == ["Court names the minister", "Minister quits"]
    assert {i["slugline"] for i in again} == slugs
    # Whole, time and version included: the held item's time followed each save.
    assert sorted(again, key=headline) == sorted(told["items"], key=headline)
    assert "never" not in json.dumps(again) and "unseen" not in json.dumps(again)
    # Deleted since: the canceled items, from what the deletions left, name them the same.
    killed.delete()
    held.delete()
    gone = poll(api, url)[0]["items"]
    assert {(headline(i), i["pubStatus"]) for i in gone} >= {
        ("Minister quits", "canceled"), ("Court names the minister", "canceled")}
    assert "never" not in json.dumps(gone) and "unseen" not in json.dumps(gone)


def test_a_version_is_dated_when_it_reached_partners_so_superdesk_takes_it(
        api, make_article, settled_at_once, django_capture_on_commit_callbacks):  # noqa: F811
    """Superdesk's parser keeps no `version`; its ingest compares `versioncreated`. A typo
    fixed in a live story (no "Updated" time) kept the date of the copy the partner held."""
    from .test_superdesk import superdesk_takes_again, went_out_earlier

    story = make_article("Minister resigs", age=timedelta(hours=1))
    went_out_earlier(story)
    url = f"{CHANGES}?since={story.wire_changed_at:%Y-%m-%dT%H:%M:%S.%fZ}&version=1.6"
    held = poll(api, url)[0]["items"][-1]
    story.headline = "Minister resigns"
    with django_capture_on_commit_callbacks(execute=True):  # its stored items renewed
        story.save()
    fixed = poll(api, url)[0]["items"][-1]
    assert fixed["headline"] == "Minister resigns" and story.updated_at is None
    assert superdesk_takes_again(fixed, held)


def test_a_since_a_little_ahead_of_the_servers_clock_loses_nothing(
        api, make_article, settled_at_once):  # noqa: F811
    """A since still to come answered nothing and its 'next' stayed there: a story published
    before that moment was never given to a partner whose clock ran fast."""
    ahead = timezone.now() + timedelta(seconds=30)
    page, following = poll(api, f"{CHANGES}?since={ahead:%Y-%m-%dT%H:%M:%S.%fZ}")
    assert page["items"] == []
    story = make_article("Published a moment later")
    Article.objects.filter(pk=story.pk).update(wire_changed_at=timezone.now())
    assert [headline(i) for i in poll(api, following)[0]["items"]] == [
        "Published a moment later"]


@pytest.mark.parametrize("version", VERSIONS)
def test_a_story_taken_off_the_wire_is_gone_by_its_id_with_its_canceled_item(
        api, make_article, make_user, version):  # noqa: F811
    """Asked by its id after a kill or a deletion, a story the partner had was a 404, as a
    mistyped id is: nothing said to take the partner's copy down."""
    chief = make_user("Chief editor", "chief")
    killed = make_article("Minister quits", body="<p>What the partner must take down.</p>")
    deleted = make_article("Court names the minister")
    held = make_article("Talks resume")
    never_out = make_article("Drafted only", status=Article.Status.DRAFT, published_at=None)
    TRANSITIONS["unpublish"].execute(chief, killed, note="Legal.")
    TRANSITIONS["unpublish"].execute(chief, deleted, note="Legal.")
    deleted_pk = deleted.pk
    deleted.delete()
    TRANSITIONS["embargo"].execute(chief, held, at=timezone.now() + timedelta(hours=3))

    for pk in (killed.pk, deleted_pk):
        response = api(f"/api/ninjs/{pk}?version={version}")
        assert response.status_code == 410, response.content
        item = response.json()
        assert errors(item, version) == []
        assert (item.get("pubStatus") or item["pubstatus"]) == "canceled"
        assert item["uri"].endswith(f"/articles/{pk}/")
        assert "What the partner" not in response.content.decode()
        # The same item again, as the partner already holds it.
        assert api(f"/api/ninjs/{pk}?version={version}",
                   **{"If-None-Match": response["ETag"]}).status_code == 304
    for story in (held, never_out):  # an embargo's withheld story, and one never out: unnamed
        response = api(f"/api/ninjs/{story.pk}?version={version}")
        assert response.status_code == 404 and response.json()["status"] == 404


def test_a_story_killed_while_its_embargo_held_it_is_told_to_no_one(
        api, client, make_article, make_user, settled_at_once):  # noqa: F811
    """Embargoed three hours ahead, published (held), then killed: its headline went to every
    partner as a canceled item, and its page turned from 404 to 410 "withdrawn"."""
    chief = make_user("Chief editor", "chief")
    story = make_article("Merger agreed", status=Article.Status.DRAFT, published_at=None)
    before = timezone.now()
    TRANSITIONS["embargo"].execute(chief, story, at=timezone.now() + timedelta(hours=3))
    TRANSITIONS["publish"].execute(chief, Article.objects.get(pk=story.pk))
    TRANSITIONS["unpublish"].execute(chief, Article.objects.get(pk=story.pk), note="Off.")
    story.refresh_from_db()
    assert story.status == Article.Status.UNPUBLISHED and story.published_at is None
    assert poll(api, f"{CHANGES}?since={before:%Y-%m-%dT%H:%M:%S.%fZ}")[0]["items"] == []
    assert api(f"/api/ninjs/{story.pk}").status_code == 404
    assert client.get(story.get_absolute_url()).status_code == 404
    # Published for real later, it is news like any other story.
    TRANSITIONS["lift_embargo"].execute(chief, story)
    TRANSITIONS["publish"].execute(chief, Article.objects.get(pk=story.pk))
    page, _ = poll(api, f"{CHANGES}?since={before:%Y-%m-%dT%H:%M:%S.%fZ}")
    assert [headline(i) for i in page["items"]] == ["Merger agreed"]
    assert client.get(story.get_absolute_url()).status_code == 200


def test_a_withdrawn_story_saved_again_tells_partners_nothing_new(
        api, make_article, make_user, settled_at_once):  # noqa: F811
    """A desk save of a killed story moved its canceled item's version and time: the 410
    answer and the changes feed read again named a version partners were never told of."""
    from dateline.newsroom.actions.save import claim_version, record_revision

    chief = make_user("Chief editor", "chief")
    story = make_article("Minister quits")
    record_revision(story, chief)
    TRANSITIONS["unpublish"].execute(chief, story, note="Legal.")
    told = api(f"/api/ninjs/{story.pk}")
    assert told.status_code == 410
    time.sleep(0.05)
    story.refresh_from_db()
    assert claim_version(story, story.version)  # the desk's save, as article_admin makes it
    story.standfirst = "Rewritten while withdrawn."
    story.save()
    record_revision(story, chief)
    again = api(f"/api/ninjs/{story.pk}")
    assert again.status_code == 410
    assert again.json() == told.json() and again["ETag"] == told["ETag"]
    pk = story.pk
    story.delete()  # what its deletion leaves names the same version and time
    gone = api(f"/api/ninjs/{pk}")
    assert gone.status_code == 410 and gone.json() == told.json()

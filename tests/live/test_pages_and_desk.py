"""The live strip and live coverage on the pages, and the desk's switches for them."""

import re

import pytest

from dateline.live.models import LiveEntry, LiveEvent
from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.models import Article, AuditEntry

from ..pagecache.test_pagecache import Reader

pytestmark = pytest.mark.django_db(transaction=True)


def strip(html: str) -> str:
    return re.search(r'<div class="live-strip".*?</div>', html, re.S).group(0)


def test_the_banner_shows_the_newest_breaking_story_and_goes_when_it_ends(
    make_article, make_user
):
    reader = Reader()
    story = make_article("Ordinary day")
    url = story.get_absolute_url()
    assert 'id="breaking-banner" aria-label="Breaking news" hidden' in reader.get(url)[2]
    assert reader.get(url)[1]["X-Cache"] == "HIT"
    alarm = make_article("Dam bursts upstream", is_breaking=True)
    body = reader.get(url)[2]  # the cached page knew nothing of it: it must not be served
    assert "Dam bursts upstream" in strip(body)
    assert f'data-article="{alarm.pk}"' in strip(body)
    alarm.is_breaking = False
    alarm.save(update_fields=["is_breaking"])
    assert "Dam bursts upstream" not in strip(reader.get(url)[2])


def test_the_home_page_renders_the_ticker_and_other_pages_leave_it_to_the_script(
    make_article
):
    reader = Reader()
    stories = [make_article(f"Ticker story {i}") for i in range(7)]
    home = strip(reader.get("/")[2])
    # The five newest, newest first (each was published a moment after the one before).
    assert re.findall(r"Ticker story \d", home) == [f"Ticker story {i}" for i in (6, 5, 4, 3, 2)]
    article_page = strip(reader.get(stories[3].get_absolute_url())[2])
    assert "Ticker story" not in article_page and 'class="ticker" aria-label' in article_page
    # A new story refreshes the home page's list; the article page stays cached.
    make_article("Fresh off the wire", age=__import__("datetime").timedelta(0))
    assert "Fresh off the wire" in strip(reader.get("/")[2])
    assert reader.get(stories[3].get_absolute_url())[1]["X-Cache"] == "HIT"


def test_pages_carry_the_stream_address_and_the_last_event(make_article, settings):
    settings.DATELINE_LIVE_URL = "/live/events"
    make_article("Something happened")
    last = LiveEvent.objects.order_by("-id").first().pk
    body = Reader().get("/")[2]
    assert f'data-live-url="/live/events" data-last-event="{last}"' in body
    assert re.search(r'<script src="/static/live/live\.[0-9a-f.]*js" defer></script>', body) or (
        '<script src="/static/live/live.js" defer></script>' in body)


def test_without_a_stream_no_script_is_sent(make_article, settings):
    settings.DATELINE_LIVE_URL = ""
    make_article("Quiet")
    assert "live.js" not in Reader().get("/")[2]


def test_live_coverage_entries_appear_on_the_story_page_newest_first(
    make_article, make_user
):
    reader = Reader()
    story = make_article("Election night", is_live_coverage=True)
    url = story.get_absolute_url()
    assert "Coverage starts shortly." in reader.get(url)[2]
    reporter = make_user("Reporter")
    LiveEntry.objects.create(article=story, body="<p>Polls close.</p>", author=reporter)
    LiveEntry.objects.create(article=story, body="<p>First results in.</p>", author=reporter)
    body = reader.get(url)[2]
    assert body.index("First results in.") < body.index("Polls close.")
    assert "Coverage starts shortly." not in body
    section = re.search(r'<section class="live-coverage".*?>', body).group(0)
    assert f'data-article="{story.pk}"' in section
    assert f'data-last-event="{LiveEvent.objects.order_by("-id").first().pk}"' in section


# The desk


def test_an_editor_marks_breaking_news_in_one_click_and_it_is_logged(
    desk_client, make_user, make_article
):
    editor = make_user("Editor")
    story = make_article("Bridge collapses")
    client = desk_client(editor)
    page = client.get(f"/desk/newsroom/article/{story.pk}/change/").content.decode()
    assert f'action="/desk/live/{story.pk}/breaking/"' in page
    answer = client.post(f"/desk/live/{story.pk}/breaking/", {"breaking": "on"})
    assert answer.status_code == 302
    assert Article.objects.get(pk=story.pk).is_breaking
    assert LiveEvent.objects.last().kind == "breaking"
    client.post(f"/desk/live/{story.pk}/breaking/", {"breaking": "off"})
    assert not Article.objects.get(pk=story.pk).is_breaking
    assert list(AuditEntry.objects.filter(article=story).order_by("pk")
                .values_list("action", "user")) == [
        ("breaking", editor.pk), ("breaking_ended", editor.pk)]


def test_a_story_held_by_its_embargo_is_said_to_come_out_when_it_lifts(
    desk_client, make_user, make_article
):
    """"The banner appears when it is published", said of a story published already and
    held by its embargo; the live coverage page said the same of its entries."""
    from datetime import timedelta

    from django.utils import timezone

    story = make_article("Bridge collapses",
                         embargo_until=timezone.now() + timedelta(hours=1))
    client = desk_client(make_user("Editor"))
    answer = client.post(f"/desk/live/{story.pk}/breaking/", {"breaking": "on"}, follow=True)
    assert "Marked as breaking: the banner appears when its embargo lifts." in answer.text
    coverage = client.get(f"/desk/live/{story.pk}/coverage/").text
    assert "The story is published: entries appear when its embargo lifts." in coverage
    desk = client.get(f"/desk/newsroom/article/{story.pk}/change/").text
    assert "— shown when its embargo lifts." in desk  # the breaking box on its page


def test_reporters_cannot_mark_breaking_news(desk_client, make_user, make_article):
    story = make_article("Minor item")
    client = desk_client(make_user("Reporter"))
    assert client.post(f"/desk/live/{story.pk}/breaking/", {"breaking": "on"}).status_code == 403
    assert not Article.objects.get(pk=story.pk).is_breaking


def test_breaking_needs_a_post_with_a_csrf_token(make_user, make_article):
    from django.test import Client

    story = make_article("Minor item")
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("Editor"))
    assert client.get(f"/desk/live/{story.pk}/breaking/").status_code == 405
    assert client.post(f"/desk/live/{story.pk}/breaking/", {"breaking": "on"}).status_code == 403
    assert not Article.objects.get(pk=story.pk).is_breaking


def test_a_reporter_files_live_entries_to_own_story_only(desk_client, make_user, make_article):
    reporter = make_user("Reporter")
    own = make_article("Summit, live", created_by=reporter)
    other = make_article("Someone else's live story")
    client = desk_client(reporter)
    url = f"/desk/live/{own.pk}/coverage/"
    answer = client.post(url, {"body": "Leaders arrive.\n\nTalks begin at noon."})
    assert answer.status_code == 302
    entry = LiveEntry.objects.get(article=own)
    assert entry.body == "<p>Leaders arrive.</p>\n<p>Talks begin at noon.</p>"
    assert entry.author == reporter
    assert Article.objects.get(pk=own.pk).is_live_coverage
    assert "Talks begin at noon." in client.get(url).content.decode()
    assert client.post(f"/desk/live/{other.pk}/coverage/", {"body": "x"}).status_code == 403
    # Removing is for editors.
    assert client.post(f"/desk/live/entries/{entry.pk}/delete/").status_code == 403


def test_an_invalid_entry_comes_back_with_the_text_kept(desk_client, make_user, make_article):
    story = make_article("Storm, live")
    client = desk_client(make_user("Editor"))
    text = "x" * 20_001
    answer = client.post(f"/desk/live/{story.pk}/coverage/", {"body": text})
    assert answer.status_code == 200
    assert text in answer.content.decode()
    assert "at most 20000 characters" in answer.content.decode().replace(",", "")
    assert not LiveEntry.objects.exists()


def test_an_editor_removes_an_entry_and_readers_are_told(desk_client, make_user, make_article):
    editor = make_user("Editor")
    story = make_article("Storm, live", is_live_coverage=True)
    entry = LiveEntry.objects.create(article=story, body="<p>Wrong figure.</p>")
    desk_client(editor).post(f"/desk/live/entries/{entry.pk}/delete/")
    assert not LiveEntry.objects.exists()
    assert LiveEvent.objects.last().kind == "entry-removed"
    assert AuditEntry.objects.filter(article=story, action="live_entry_removed",
                                     user=editor).exists()
    assert "Wrong figure." not in Reader().get(story.get_absolute_url())[2]


def test_an_entry_a_colleague_removed_first_goes_back_to_the_desk_saying_so(
        desk_client, make_user, make_article):
    """The second Remove landed on the public site's "Page not found"."""
    story = make_article("Storm, live", is_live_coverage=True)
    entry = LiveEntry.objects.create(article=story, body="<p>Wrong figure.</p>")
    coverage = f"/desk/live/{story.pk}/coverage/"
    client = desk_client(make_user("Editor"))
    removed = entry.pk
    entry.delete()
    again = client.post(f"/desk/live/entries/{removed}/delete/",
                        HTTP_REFERER=f"http://testserver{coverage}")
    assert again.status_code == 302 and again["Location"] == coverage
    assert "removed already" in client.get(coverage).text


def test_publishing_a_story_with_entries_shows_them(make_user, make_article):
    editor = make_user("Editor")
    draft = make_article("Launch, live", status=Article.Status.DRAFT, published_at=None,
                         is_live_coverage=True)
    LiveEntry.objects.create(article=draft, body="<p>Countdown begins.</p>")
    TRANSITIONS["publish"].execute(editor, draft)
    assert "Countdown begins." in Reader().get(draft.get_absolute_url())[2]


def test_an_entry_keeps_no_control_character(make_article):
    """Pasted from Word: its line break (a vertical tab) is a space; the rest go."""
    story = make_article("Count", is_live_coverage=True)
    entry = LiveEntry.objects.create(article=story, body="<p>Polls\x0bclose\x1f at 8.</p>")
    entry.refresh_from_db()
    assert entry.body == "<p>Polls close at 8.</p>"


def test_an_undated_archives_imports_do_not_lead_the_ticker(make_article, monkeypatch):
    """An archive imported without dates carries the moment of its import: its stories led the
    "Latest" ticker of every page as today's news, above the day's own copy."""
    from dateline.live.hub import ticker_snapshot

    monkeypatch.setattr("dateline.live.hub.close_old_connections", lambda: None)
    make_article("Dated wire story", age=__import__("datetime").timedelta(hours=3))
    make_article("Undated archive story", published_at_is_import_time=True,
                 age=__import__("datetime").timedelta(0))
    home = strip(Reader().get("/")[2])
    assert "Dated wire story" in home and "Undated archive story" not in home
    snapshot = ticker_snapshot().decode()
    assert "Dated wire story" in snapshot and "Undated archive story" not in snapshot

"""The demo outlets `make run` starts: a real server on 127.0.0.1 replaying ../shared/corpus as
RSS, Atom, JSON Feed and ninjs, read back with urllib, feedparser and IPTC's ninjs schema."""

import html
import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import feedparser
import pytest
import time_machine
from django.core.management import CommandError, call_command

from dateline.ingest.demo.__main__ import main as demo_main
from dateline.ingest.demo.outlets import (
    BY_SLUG,
    FALLBACK_TERMS,
    FEATURE_EVERY,
    OUTLETS,
    REWRITE_WORDS,
)
from dateline.ingest.demo.replay import Replay
from dateline.ingest.demo.seed import seed_demo_outlets
from dateline.ingest.demo.server import DemoOutlets, DemoServer
from dateline.ingest.models import Feed, WatchedTerm
from dateline.ingest.parsers import parse
from dateline.newsroom.models import Source
from tests.conftest import require_shared
from tests.serving import serve_in_thread
from tests.syndication.ninjs_schema import errors as ninjs_errors

pytestmark = pytest.mark.one_engine

# Between two slots of every outlet (periods of 5 and 8 minutes from 2026-01-01).
START = datetime(2026, 11, 28, 12, 2, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def corpus():
    return require_shared("corpus")


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def server(corpus, clock):
    """The demo server on a free loopback port, its clock the frozen one of `clock`."""
    running = DemoServer(lambda port: DemoOutlets(corpus, port))
    serve_in_thread(running)
    yield running
    running.shutdown()
    running.server_close()


def get(server, path: str, **headers) -> tuple[int, dict, bytes]:
    url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def parsed(server, slug: str):
    status, headers, body = get(server, f"/{slug}/feed")
    assert status == 200
    return headers, body, feedparser.parse(body)


def test_the_server_listens_on_loopback_only(server):
    assert server.server_address[0] == "127.0.0.1"


def test_every_outlet_is_named_as_a_demo_replay(server):
    assert {o.format for o in OUTLETS} == {"rss", "atom", "jsonfeed", "ninjs"}
    for outlet in OUTLETS:
        assert outlet.name.startswith("Demo outlet — ") and outlet.name.endswith("(replay)")
        assert outlet.description.startswith("A demo, not a live source")
    status, _, page = get(server, "/")
    assert status == 200 and b"not live sources" in page
    assert parsed(server, "reuters-wire")[2].feed.title == BY_SLUG["reuters-wire"].name
    assert parsed(server, "bbc-archive")[2].feed.title == BY_SLUG["bbc-archive"].name


# feedparser 6.0 reads RSS and Atom, not JSON Feed: that one is checked against its spec below.
@pytest.mark.parametrize(("slug", "version"),
                         [("reuters-wire", "rss20"), ("bbc-archive", "atom10")])
def test_feedparser_reads_each_feed(server, slug, version):
    feed = parsed(server, slug)[2]
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == version
    outlet = BY_SLUG[slug]
    assert len(feed.entries) >= 5
    for entry in feed.entries:
        assert entry.title and entry.id.startswith(f"urn:dateline-demo:{slug}:")
        assert entry.link.startswith(f"http://127.0.0.1:{server.server_address[1]}/{slug}/")
        published = datetime(*entry.published_parsed[:6], tzinfo=UTC)
        # Replayed: dated within the outlet's window before now, never in the future.
        assert START - timedelta(seconds=outlet.period_s * 37) <= published <= START
    newest = datetime(*feed.entries[0].published_parsed[:6], tzinfo=UTC)
    assert START - newest < timedelta(seconds=outlet.period_s + outlet.delay_s)


def test_the_json_feed_is_a_valid_json_feed_1_1(server):
    _, headers, body = get(server, "/wire-digest/feed")
    assert headers["Content-Type"].startswith("application/feed+json")
    document = json.loads(body)
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["title"] and document["home_page_url"].startswith("http://127.0.0.1:")
    assert document["feed_url"].endswith("/wire-digest/feed")
    assert document["items"]
    for item in document["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert item.get("content_html") or item.get("content_text")
        # RFC 3339 with its zone, as the spec requires.
        assert datetime.fromisoformat(item["date_published"]).tzinfo is not None


def test_the_ninjs_items_validate_against_iptc_schema(server):
    status, headers, body = get(server, "/world-briefs/feed")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    items = json.loads(body)["items"]
    assert items
    for item in items:
        assert ninjs_errors(item, "3.1") == [], item["uri"]
        assert item["infoSources"] == [{"name": "BBC News", "role": "originatingSource"}]


def test_a_conditional_get_is_answered_304_until_a_new_story_appears(server, clock):
    status, headers, body = get(server, "/reuters-wire/feed")
    assert status == 200 and body
    etag, modified = headers["ETag"], headers["Last-Modified"]

    status, again, body = get(server, "/reuters-wire/feed", **{"If-None-Match": etag})
    assert (status, body, again["ETag"]) == (304, b"", etag)
    status, _, body = get(server, "/reuters-wire/feed", **{"If-Modified-Since": modified})
    assert (status, body) == (304, b"")

    clock.shift(timedelta(minutes=5))
    status, headers, body = get(server, "/reuters-wire/feed", **{"If-None-Match": etag})
    assert status == 200 and body and headers["ETag"] != etag
    status, _, _ = get(server, "/reuters-wire/feed", **{"If-Modified-Since": modified})
    assert status == 200


def test_the_window_rolls_forward_with_time(server, clock):
    before = [e.id for e in parsed(server, "reuters-wire")[2].entries]
    clock.shift(timedelta(minutes=10))
    after = parsed(server, "reuters-wire")[2]
    ids = [e.id for e in after.entries]
    assert len(ids) == len(before)
    # Two new stories on top, the two oldest gone, the rest in the same order.
    assert ids[2:] == before[:-2] and not set(ids[:2]) & set(before)
    newest = datetime(*after.entries[0].published_parsed[:6], tzinfo=UTC)
    assert START + timedelta(minutes=5) <= newest <= START + timedelta(minutes=10)


def test_a_rewriting_outlet_shares_stories_by_its_documented_rule(corpus, server):
    wire = {e.id.rsplit(":", 1)[1]: e for e in parsed(server, "reuters-wire")[2].entries}
    digest = json.loads(get(server, "/wire-digest/feed")[2])["items"]
    # The digest lags the wire, so its oldest may have left the wire's window already.
    shared = [item for item in digest if item["id"].rsplit(":", 1)[1] in wire]
    assert len(shared) >= len(digest) - 1 >= 5
    for item in shared:
        original = wire[item["id"].rsplit(":", 1)[1]]
        words = original.title.split()
        assert item["title"].removesuffix(" …").split() == words[:REWRITE_WORDS]
        first, *rest = original.content[0].value.split("</p>")
        assert item["content_html"] == first + "</p>" and rest != [""]
    # Over a day, the wire replays stories naming the site's country, and all reach the digest.
    replay, wire_outlet = Replay(corpus), BY_SLUG["reuters-wire"]
    assert replay.terms == ("Bulgaria", "Bulgarian", "Bulgarians", "Sofia")
    named = [slot for slot in range(1000, 1288)
             if replay.entry(wire_outlet, slot).story.names(replay.pattern)]
    assert len(named) >= 288 // FEATURE_EVERY
    assert all(replay.entry(BY_SLUG["wire-digest"], slot) is not None for slot in named)


def test_the_featured_stories_are_the_archive_own(corpus):
    """Only real stories naming the country: none is made up, none edited to name it."""
    replay = Replay(corpus)
    records = {json.loads(line)["id"]: json.loads(line)["body"] for line in
               (corpus / "bbc-news" / "articles.jsonl").open(encoding="utf-8")}
    for slot in range(0, 20 * FEATURE_EVERY, FEATURE_EVERY):
        story = replay.entry(BY_SLUG["bbc-archive"], slot).story
        assert story.names(replay.pattern) and replay.pattern.search(records[story.key])


def test_the_demo_features_another_term_where_the_archive_never_names_the_country(corpus):
    assert Replay(corpus, site_terms=["Ruritania"]).terms == FALLBACK_TERMS
    assert Replay(corpus, site_terms=["Bulgaria"]).terms == ("Bulgaria",)


def test_a_story_page_exists_once_published(server, corpus):
    feed = parsed(server, "bbc-archive")[2]
    path = urllib.parse.urlsplit(feed.entries[0].link).path
    status, headers, page = get(server, path)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert feed.entries[0].title.encode() in page.replace(b"&#x27;", b"'")
    newest = Replay(corpus).newest_slot(BY_SLUG["bbc-archive"], START)
    assert get(server, f"/bbc-archive/stories/{newest + 1}")[0] == 404
    assert get(server, "/no-such-outlet/feed")[0] == 404


@pytest.mark.django_db
def test_seeding_is_idempotent_and_follows_the_port():
    first = seed_demo_outlets(8002)
    assert seed_demo_outlets(8002) == first
    assert Source.objects.filter(name__startswith="Demo outlet — ").count() == len(OUTLETS)
    assert sorted(f.url for f in Feed.objects.all()) == sorted(
        f"http://127.0.0.1:8002/{o.slug}/feed" for o in OUTLETS)
    assert all(f.name.endswith("(replay)") and not f.may_republish for f in first)

    moved = seed_demo_outlets(8102)
    assert [f.pk for f in moved] == [f.pk for f in first]
    assert Feed.objects.count() == len(OUTLETS)
    assert all(":8102/" in f.url for f in Feed.objects.all())
    assert not WatchedTerm.objects.filter(term__in=FALLBACK_TERMS).exists()


@pytest.mark.django_db
def test_seeding_watches_the_fallback_terms_only_when_the_demo_features_them(corpus, settings):
    seed_demo_outlets(8002, corpus)
    assert not WatchedTerm.objects.filter(term__in=FALLBACK_TERMS).exists()
    settings.DATELINE_WATCHED_TERMS = ["Ruritania"]
    seed_demo_outlets(8002, corpus)
    seed_demo_outlets(8002, corpus)
    assert sorted(WatchedTerm.objects.filter(term__in=FALLBACK_TERMS).values_list(
        "term", flat=True)) == sorted(FALLBACK_TERMS)


def test_the_command_refuses_a_missing_corpus(tmp_path):
    with pytest.raises(CommandError, match="pass --corpus"):
        call_command("demo_outlets", "--corpus", str(tmp_path), "--port", "0")


def test_last_modified_is_the_newest_story_time(server):
    headers, _, feed = parsed(server, "bbc-archive")
    newest = datetime(*feed.entries[0].published_parsed[:6], tzinfo=UTC)
    assert headers["Last-Modified"] == format_datetime(newest, usegmt=True)


@pytest.mark.parametrize("outlet", OUTLETS, ids=lambda outlet: outlet.slug)
def test_ingest_reads_every_demo_outlet_by_its_content(server, outlet):
    """What the worker will read: the format recognised, every story, each time trusted."""
    _, headers, body = get(server, f"/{outlet.slug}/feed")
    result = parse(body, content_type=headers["Content-Type"])
    assert result.format == outlet.format
    entries = Replay(server.outlets.replay.corpus_root).entries(outlet, START)
    assert [item.headline for item in result.items] == [e.story.headline for e in entries]
    assert [item.published_at for item in result.items] == [e.published for e in entries]
    assert all(item.date_flags == [] and item.published_offset for item in result.items)
    assert all(item.guid.startswith(f"urn:dateline-demo:{outlet.slug}:") for item in result.items)
    # The whole story reaches the body (the teaser only the summary), whatever the format.
    for item, entry in zip(result.items, entries, strict=True):
        assert item.summary.startswith(entry.story.paragraphs[0][:40])
        assert entry.story.paragraphs[-1][-30:] in html.unescape(item.body)


def test_the_plain_entry_point_refuses_a_missing_corpus(tmp_path, capsys):
    # What serve runs, without Django's setup: it must say what is missing, not serve nothing.
    assert demo_main(["--corpus", str(tmp_path), "--port", "0"]) == 2
    assert "No bbc-news, reuters-21578-train under" in capsys.readouterr().err

"""Polling outlets served on loopback: exact (conditional GET, items once), polite, healthy."""

import os
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from dateline.ingest.models import FailedPayload, Feed, Item
from dateline.ingest.polling import due, poll, poll_due, resume
from dateline.ingest.tasks import book_round, ingest_round, purge_failed_payloads
from dateline.ops.management.commands.worker import book_standing_work

from .outlets import bbc_stories, rss


def test_a_poll_stores_the_feed_and_a_repoll_sends_the_validators_and_creates_nothing(
        outlets, make_feed):
    outlets.serve("/bbc.xml", rss(bbc_stories(5)))
    feed = make_feed(outlets.url("/bbc.xml"))
    outcome = poll(feed)
    assert (outcome.ok, outcome.created) == (True, 5)
    feed.refresh_from_db()
    assert feed.etag and feed.last_modified and feed.last_success_at and feed.failures == 0
    assert feed.next_poll_at == feed.last_success_at + timedelta(seconds=feed.poll_interval)
    assert Item.objects.filter(feed=feed).count() == 5
    item = Item.objects.get(identity="guid:bbc-business-001")
    assert item.headline == "Ad sales boost Time Warner profit" and item.outlet == feed.outlet

    again = poll(feed)
    assert again.ok and again.not_modified and again.created == 0
    sent = outlets.headers("/bbc.xml")[-1]
    assert (sent["If-None-Match"], sent["If-Modified-Since"]) == (feed.etag, feed.last_modified)
    assert Item.objects.filter(feed=feed).count() == 5


def test_a_repoll_of_a_feed_without_validators_creates_nothing(outlets, make_feed):
    # No GUIDs, so items are known by their links; the server sends no ETag either.
    outlets.serve("/plain.xml", rss(bbc_stories(4), guids=False), validators=False)
    feed = make_feed(outlets.url("/plain.xml"))
    assert poll(feed).created == 4
    assert (poll(feed).created, poll(feed).changed) == (0, 0)
    assert outlets.hits("/plain.xml") == 3
    assert set(Item.objects.values_list("identity", flat=True)) == {
        f"url:https://news.example/{story['id']}" for story in bbc_stories(4)}


def test_a_changed_entry_updates_its_item_and_keeps_the_version(outlets, make_feed):
    stories = bbc_stories(3)
    outlets.serve("/bbc.xml", rss(stories))
    feed = make_feed(outlets.url("/bbc.xml"))
    poll(feed)
    stories[1] = {**stories[1], "summary": "Corrected: the figures were for the year."}
    outlets.serve("/bbc.xml", rss(stories))  # a new ETag: the server answers in full
    outcome = poll(feed)
    assert (outcome.created, outcome.changed) == (0, 1)
    item = Item.objects.get(identity=f"guid:{stories[1]['id']}")
    assert item.version == 2 and item.summary == "Corrected: the figures were for the year."
    (old,) = item.versions.all()
    assert old.version == 1 and old.summary.startswith(stories[1]["body"][:40])


def test_failures_back_off_with_jitter_then_pause_with_the_reason_until_resumed(
        outlets, make_feed, settings):
    settings.DATELINE_INGEST_BACKOFF = 60
    settings.DATELINE_INGEST_BACKOFF_MAX = 600
    settings.DATELINE_INGEST_PAUSE_AFTER = 6
    outlets.fail("/down.xml", 503)
    feed = make_feed(outlets.url("/down.xml"))
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for failures, ceiling in enumerate([60, 120, 240, 480, 600], start=1):
            outcome = poll(feed)
            assert not outcome.ok
            feed.refresh_from_db()
            assert feed.failures == failures and feed.paused_at is None
            assert feed.last_error == "The server answered 503 Service Unavailable"
            wait = (feed.next_poll_at - start).total_seconds()
            assert ceiling / 2 <= wait <= ceiling
        assert feed.last_success_at is None
        poll(feed)
    feed.refresh_from_db()
    assert feed.paused_at == start and feed.next_poll_at is None
    assert feed.paused_reason == ("6 failed polls in a row: the server answered 503 "
                                  "Service Unavailable")
    # Paused: never polled again, however late it gets.
    with time_machine.travel(start + timedelta(days=2), tick=False):
        assert feed not in due()
        assert poll_due() == []
    assert outlets.hits("/down.xml") == 6

    outlets.serve("/down.xml", rss(bbc_stories(2)))
    resume(feed, user="an editor")
    assert feed.paused_at is None and feed.failures == 0 and feed.paused_reason == ""
    ((polled, outcome),) = poll_due()
    assert polled == feed and outcome.created == 2


def test_the_jitter_spreads_feeds_that_failed_together(outlets, make_feed):
    outlets.fail("/down.xml", 500)
    feeds = [make_feed(outlets.url(f"/down.xml?{n}"), name=f"F{n}") for n in range(8)]
    outlets.routes.update({f"/down.xml?{n}": outlets.routes["/down.xml"] for n in range(8)})
    for feed in feeds:
        poll(feed)
    assert len({Feed.objects.get(pk=feed.pk).next_poll_at for feed in feeds}) > 1


@pytest.mark.parametrize(("arrange", "error"), [
    (lambda o: o.serve("/f", "<rss/>", hold=1.5), "The server did not answer within 0.5 s"),
    (lambda o: o.huge("/f"), "The answer was larger than 10 MB"),
    (lambda o: o.gzip_bomb("/f"), "The answer was larger than 10 MB"),
    (lambda o: (o.redirect("/f", "/g"), o.redirect("/g", "/f")), "Redirect loop: "),
    (lambda o: o.fail("/f", 500), "The server answered 500 Internal Server Error"),
])
def test_a_hostile_outlet_is_a_failure_in_words_never_a_crash(
        outlets, make_feed, settings, arrange, error):
    settings.DATELINE_INGEST_TIMEOUT = 0.5
    arrange(outlets)
    feed = make_feed(outlets.url("/f"))
    assert not poll(feed).ok
    feed.refresh_from_db()
    assert feed.last_error.startswith(error) and feed.failures == 1
    assert not Item.objects.exists()


def test_an_unreadable_payload_is_kept_a_week_for_diagnosis(outlets, make_feed):
    page = b"<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>"
    outlets.serve("/broken.xml", page)  # said to be RSS, is an HTML page
    feed = make_feed(outlets.url("/broken.xml"))
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert not poll(feed).ok
        (kept,) = FailedPayload.objects.filter(feed=feed)
        assert bytes(kept.payload) == page and kept.content_type.startswith("application/rss")
        feed.refresh_from_db()
        assert feed.last_error.startswith("The feed could not be read: ") and kept.error
        assert feed.etag == ""  # asked afresh next time, not answered 304
        clock.move_to(start + timedelta(days=6, hours=23))
        assert purge_failed_payloads() == 0
        clock.move_to(start + timedelta(days=7, minutes=1))
        assert purge_failed_payloads() == 1
    assert not FailedPayload.objects.exists()


def test_a_feed_with_the_wrong_content_type_is_still_read(outlets, make_feed):
    outlets.serve("/feed", rss(bbc_stories(2)), content_type="text/html; charset=utf-8")
    assert poll(make_feed(outlets.url("/feed"))).created == 2


def test_full_text_is_fetched_from_the_page_when_the_feed_gives_a_teaser(outlets, make_feed):
    (story,) = bbc_stories(1)
    base = outlets.url("/story/")
    outlets.serve("/teasers.xml", rss([story], base=base))
    paragraphs = "".join(f"<p>{p}</p>" for p in story["body"].split("\n\n"))
    outlets.serve(f"/story/{story['id']}", (
        "<!DOCTYPE html><html><head><title>x</title></head><body><nav>Home | Business</nav>"
        f"<article><h1>{story['title']}</h1>{paragraphs}"
        "<script>alert('x')</script></article><footer>© BBC</footer></body></html>"),
        content_type="text/html; charset=utf-8")
    feed = make_feed(outlets.url("/teasers.xml"), full_text=True)
    poll(feed)
    item = Item.objects.get(feed=feed)
    assert "owns 8% of search-engine Google" in item.body
    assert "<script" not in item.body and "alert" not in item.body
    assert outlets.hits(f"/story/{story['id']}") == 1
    poll(feed)  # known items are not fetched again
    assert outlets.hits(f"/story/{story['id']}") == 1


def test_full_text_stops_when_the_polls_time_for_it_is_spent(outlets, make_feed, settings):
    """Pages that drip took half a minute each, one after another: 500 teasers, four hours."""
    settings.DATELINE_INGEST_TOTAL_TIMEOUT = 0.3
    settings.DATELINE_INGEST_FULL_TEXT_SECONDS = 0.5
    stories = bbc_stories(6)
    base = outlets.url("/story/")
    outlets.serve("/teasers.xml", rss(stories, base=base))
    for story in stories:
        outlets.serve(f"/story/{story['id']}", "<html>" + " " * 200 + "</html>",
                      content_type="text/html; charset=utf-8", drip=0.05)
    feed = make_feed(outlets.url("/teasers.xml"), full_text=True)
    assert poll(feed).created == 6  # every item stored, with its teaser where time ran out
    asked = sum(outlets.hits(f"/story/{story['id']}") for story in stories)
    assert 1 <= asked <= 3  # each page cut at 0.3 s; the next not started past 0.5 s


def test_what_a_poll_read_anyway_is_said_on_the_feed_until_a_poll_reads_all(
        outlets, make_feed, desk_client, make_user):
    """The parser's warnings (characters left out, an encoding mislabelled) were dropped
    whenever the payload had items: the desk never heard of them."""
    outlets.serve("/feed.xml", rss(bbc_stories(2)).replace("</title>", "\x0b</title>", 1))
    feed = make_feed(outlets.url("/feed.xml"))
    assert poll(feed).created == 2
    feed.refresh_from_db()
    assert feed.last_warnings == ("The feed holds 1 character that XML does not allow (a "
                                  "control character, half of a UTF-16 pair); it was left out.")
    listed = desk_client(make_user("Editor")).get("/desk/ingest/feed/").content.decode()
    assert "none; read with warnings: The feed holds 1 character that" in listed
    outlets.serve("/feed.xml", rss(bbc_stories(3)))
    poll(feed)
    feed.refresh_from_db()
    assert feed.last_warnings == ""


def test_the_folder_service_reads_each_new_file_once(tmp_path, make_feed):
    drop = tmp_path / "wire"
    drop.mkdir()
    first = drop / "one.xml"
    first.write_text(rss(bbc_stories(2)))
    os.utime(first, ns=(1_000_000_000, 1_000_000_000))
    (drop / "half.xml.part").write_text("<rss")  # still being written
    feed = make_feed(str(drop), service="folder")
    assert poll(feed).created == 2
    assert poll(feed).not_modified
    second = drop / "two.xml"
    second.write_text(rss(bbc_stories(1, start=2)))
    os.utime(second, ns=(2_000_000_000, 2_000_000_000))
    outcome = poll(feed)
    assert (outcome.created, outcome.changed) == (1, 0)
    assert Item.objects.filter(feed=feed).count() == 3


def test_a_folder_file_over_the_cap_is_kept_as_unreadable_and_passed(tmp_path, make_feed,
                                                                     settings):
    settings.DATELINE_INGEST_MAX_BYTES = 1024
    (tmp_path / "big.xml").write_bytes(b"<rss>" + b"x" * 2000 + b"</rss>")
    feed = make_feed(str(tmp_path), service="folder")
    assert poll(feed).error == ("The feed could not be read: The file big.xml is larger than "
                                "0.000976562 MB")
    (kept,) = FailedPayload.objects.filter(feed=feed)
    assert len(kept.payload) == 1024
    assert poll(feed).not_modified  # remembered: not read again


def test_a_payload_read_with_nothing_to_import_is_kept_with_the_parsers_words(tmp_path,
                                                                              make_feed):
    (tmp_path / "story.json").write_text('{"uri": "urn:agency.example:1", "type": "text"}')
    feed = make_feed(str(tmp_path), service="folder")
    outcome = poll(feed)
    assert outcome.ok and not outcome.error and outcome.created == 0
    (kept,) = FailedPayload.objects.filter(feed=feed)
    assert kept.error == ("Nothing to import: 1 item(s) had no headline, title or text and "
                          "were skipped.")
    feed.refresh_from_db()
    assert feed.failures == 0


def test_a_folder_outside_the_operators_is_never_read(tmp_path, make_feed, settings):
    """A feed of service "folder" on /etc or var/ put the server's files, secret key and
    password included, on the desk as "unreadable payloads"."""
    secret = tmp_path / "var"
    secret.mkdir()
    (secret / "secret-key").write_text("0RG8a5PwYW6b-the-key")
    settings.DATELINE_INGEST_FOLDER_ROOTS = [tmp_path / "ingest"]
    for path in (str(secret), "/etc", str(tmp_path / "ingest" / ".." / "var"), "ingest"):
        feed = make_feed(path, service="folder", name=path)
        error = poll(feed).error
        assert "is not one feeds may read" in error and "DATELINE_INGEST_FOLDERS" in error
    assert not FailedPayload.objects.exists()
    assert "0RG8a5PwYW6b" not in str(list(Feed.objects.values_list("last_error", flat=True)))


def test_a_link_in_an_opened_folder_is_not_followed(tmp_path, make_feed):
    drop = tmp_path / "wire"
    drop.mkdir()
    (tmp_path / "outside.xml").write_text(rss(bbc_stories(1)))
    (drop / "link.xml").symlink_to(tmp_path / "outside.xml")
    feed = make_feed(str(drop), service="folder")
    assert poll(feed).not_modified and not Item.objects.exists()


def test_a_hard_link_in_an_opened_folder_is_not_read(tmp_path, make_feed):
    """A second name for /etc/passwd, made in the drop folder, showed it on the desk."""
    drop = tmp_path / "wire"
    drop.mkdir()
    secret = tmp_path / "secret.xml"
    secret.write_text("root:x:0:0:root:/root:/bin/bash")
    os.link(secret, drop / "passwd.xml")
    (drop / "story.xml").write_text(rss(bbc_stories(1)))
    feed = make_feed(str(drop), service="folder")
    assert poll(feed).created == 1
    # Said on the desk, without its bytes, and passed: a snapshot tool's links are seen.
    (kept,) = FailedPayload.objects.filter(feed=feed)
    assert "has 2 names (a hard link): not read" in kept.error and bytes(kept.payload) == b""


def test_a_service_no_one_configured_fails_its_feed_not_the_hosts_others(outlets, make_feed):
    outlets.serve("/feed.xml", rss(bbc_stories(2)))
    typo = make_feed(outlets.url("/typo.xml"), service="HTTP", name="a typo")
    good = make_feed(outlets.url("/feed.xml"), name="b good")
    results = dict(poll_due())
    assert results[typo].error.startswith("No ingest service is named \u2018HTTP\u2019")
    assert results[good].created == 2


def test_a_missing_folder_is_said_in_words(tmp_path, make_feed):
    feed = make_feed(str(tmp_path / "nowhere"), service="folder")
    assert poll(feed).error == f"The folder {tmp_path / 'nowhere'} does not exist or cannot be read"


@pytest.mark.django_db(transaction=True)
def test_two_feeds_on_one_host_polled_at_once_never_overlap(outlets, make_feed):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("concurrent writers need PostgreSQL or a file database (see test_store)")
    feeds = []
    for name in ("one", "two"):
        outlets.serve(f"/{name}.xml", rss(bbc_stories(3, start=len(feeds) * 3)), hold=0.2)
        feeds.append(make_feed(outlets.url(f"/{name}.xml"), name=name))

    def polls(feed) -> None:
        try:
            for _ in range(3):
                Feed.objects.filter(pk=feed.pk).update(etag="", last_modified="")
                poll(Feed.objects.get(pk=feed.pk))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=polls, args=(feed,)) for feed in feeds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outlets.hits("/one.xml") == outlets.hits("/two.xml") == 3
    assert outlets.most_at_once == 1
    assert Item.objects.count() == 6


def run_worker() -> None:
    """One pass of the real database worker over every task due now (as test_scheduling)."""
    Worker(queue_names=["*"], interval=0, batch=True, backend_name="default",
           startup_delay=False, max_tasks=None, worker_id="test",
           excluded_queue_names=[]).run()


@pytest.mark.django_db(transaction=True)
def test_the_worker_polls_a_due_feed_and_books_its_next_round(outlets, make_feed):
    outlets.serve("/bbc.xml", rss(bbc_stories(3)))
    feed = make_feed(outlets.url("/bbc.xml"))
    later = make_feed(outlets.url("/later.xml"), next_poll_at=timezone.now() + timedelta(hours=1))
    book_standing_work()  # as `dateline worker` does when it starts
    assert not book_round()  # booked once, however often asked
    run_worker()
    assert Item.objects.filter(feed=feed).count() == 3
    assert outlets.hits("/bbc.xml") == 1 and outlets.hits("/later.xml") == 0
    assert Feed.objects.get(pk=later.pk).last_polled_at is None
    waiting = DBTaskResult.objects.filter(task_path=ingest_round.module_path,
                                          status=TaskResultStatus.READY)
    assert waiting.count() == 1 and waiting.get().run_after > timezone.now()


def test_the_command_polls_one_feed_and_says_what_it_found(outlets, make_feed, capsys):
    outlets.serve("/bbc.xml", rss(bbc_stories(2)))
    feed = make_feed(outlets.url("/bbc.xml"), name="BBC Business",
                     next_poll_at=timezone.now() + timedelta(hours=1))
    call_command("ingest", "poll", "--feed", str(feed.pk))
    call_command("ingest", "poll", "--feed", str(feed.pk))
    assert capsys.readouterr().out.splitlines() == [
        "BBC Business: 2 new, 0 changed.", "BBC Business: nothing new."]


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_obeyed(outlets, make_feed, status):
    """A 429 with Retry-After: 3600 was asked again two, three minutes later, four times."""
    from .outlets import Route

    outlets.routes["/busy.xml"] = Route(status=status, body=b"busy", content_type="text/plain",
                                        headers={"Retry-After": "3600"}, validators=False)
    feed = make_feed(outlets.url("/busy.xml"))
    before = timezone.now()
    assert "it asked to wait 3,600 s" in poll(feed).error
    feed.refresh_from_db()
    assert feed.next_poll_at >= before + timedelta(seconds=3600)


def test_a_retry_after_beyond_the_longest_wait_says_what_will_happen(outlets, make_feed):
    from .outlets import Route

    outlets.routes["/busy.xml"] = Route(status=429, body=b"busy", content_type="text/plain",
                                        headers={"Retry-After": "100000000"}, validators=False)
    feed = make_feed(outlets.url("/busy.xml"))
    poll(feed)
    feed.refresh_from_db()
    assert feed.last_error.endswith("asked to wait 100,000,000 s; polled again in 6 h at the "
                                    "most")
    assert feed.next_poll_at <= timezone.now() + timedelta(hours=6)


def test_retry_after_reads_seconds_and_dates_and_ignores_nonsense():
    from dateline.ingest.fetching import retry_after

    assert retry_after("120") == 120
    soon = (timezone.now() + timedelta(minutes=10)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert 590 <= retry_after(soon) <= 600
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # past: no wait
    assert retry_after("soon") is None and retry_after("") is None
    assert retry_after("\xb2") is None  # a digit to Python ("²"), no number to int()
    assert retry_after("9" * 50) == 10**8


def test_a_feed_that_recovered_says_its_last_error_is_past(outlets, make_feed, make_user,
                                                           desk_client):
    """"The server answered 500 (2 minutes ago)" stood beside a recent success, failures 0."""
    outlets.fail("/feed.xml", 500)
    feed = make_feed(outlets.url("/feed.xml"))
    poll(feed)
    desk = desk_client(make_user("Editor"))
    listed = desk.get("/desk/ingest/feed/").text
    assert "The server answered 500" in listed and "recovered since" not in listed
    outlets.serve("/feed.xml", rss(bbc_stories(1)))
    Feed.objects.filter(pk=feed.pk).update(last_error_at=timezone.now() - timedelta(minutes=2))
    feed.refresh_from_db()
    poll(feed)
    listed = desk.get("/desk/ingest/feed/").text
    assert "recovered since; before: The server answered 500" in listed


def test_a_feed_naming_no_encoding_is_read_in_the_one_the_desk_gives_it(outlets, make_feed):
    """Windows-1251 with no declaration and no charset was stored as "Áîëãàðèÿ"."""
    body = ('<rss version="2.0"><channel><title>T</title><item><title>България и Русия'
            "</title><guid>1</guid></item></channel></rss>").encode("cp1251")
    outlets.serve("/feed.xml", body, content_type="application/rss+xml")
    feed = make_feed(outlets.url("/feed.xml"))
    poll(feed)
    assert Item.objects.get().headline != "България и Русия"

    def read_again(**changes) -> str:
        Item.objects.all().delete()
        Feed.objects.filter(pk=feed.pk).update(etag="", last_modified="", **changes)
        feed.refresh_from_db()
        poll(feed)
        return Item.objects.get().headline

    assert read_again(encoding="cp1251") == "България и Русия"
    # Over a charset its server names wrongly too (a server's default "utf-8").
    outlets.serve("/feed.xml", body, content_type="application/rss+xml; charset=utf-8")
    assert read_again() == "България и Русия"
    # A declaration in the feed still wins over the desk's word.
    declared = b'<?xml version="1.0" encoding="utf-8"?>' + body.decode("cp1251").encode()
    outlets.serve("/feed.xml", declared, content_type="application/rss+xml")
    assert read_again() == "България и Русия"


def test_a_relative_link_is_read_against_the_feeds_own_address(outlets, make_feed):
    """`<link>/world/2</link>` was dropped: the item had no link to its story."""
    outlets.serve("/news/feed.xml", rss(bbc_stories(2), base="/world/"))
    feed = make_feed(outlets.url("/news/feed.xml"))
    poll(feed)
    links = sorted(Item.objects.values_list("link", flat=True))
    assert links and all(link.startswith(outlets.url("/world/")) for link in links)
    # Read with no address (an import, a folder's file), a relative link stays out.
    from dateline.ingest.parsers import parse

    parsed = parse(rss(bbc_stories(1), base="/world/").encode())
    assert parsed.items[0].link == ""
    # "#" is the feed itself (its query may hold a key): no story's address.
    from dateline.ingest.parsers.text import link, read_from

    with read_from("https://a.example/feed?apikey=S"):
        assert link("#") == link("#top") == ""
        assert link("story/2") == "https://a.example/story/2"


def test_a_full_text_stays_when_the_feed_is_read_again_with_its_teaser(outlets, make_feed):
    """The next poll that read the feed stored its teaser as a new version: the full text went."""
    first, second = bbc_stories(2)
    base = outlets.url("/story/")
    for story in (first, second):
        paragraphs = "".join(f"<p>{p}</p>" for p in story["body"].split("\n\n"))
        outlets.serve(f"/story/{story['id']}", (
            f"<!DOCTYPE html><html><body><article><h1>{story['title']}</h1>{paragraphs}"
            "</article></body></html>"), content_type="text/html; charset=utf-8")
    outlets.serve("/teasers.xml", rss([first], base=base))
    feed = make_feed(outlets.url("/teasers.xml"), full_text=True)
    poll(feed)
    full = Item.objects.get(feed=feed).body
    outlets.serve("/teasers.xml", rss([second, first], base=base))  # a new story on top
    poll(feed)
    kept = Item.objects.get(feed=feed, headline=first["title"])
    assert (kept.body, kept.version) == (full, 1)
    assert outlets.hits(f"/story/{first['id']}") == 1


def test_a_bug_while_reading_fails_the_feed_alone(outlets, make_feed, monkeypatch):
    from dateline.ingest import polling

    def broken(feed, payload):
        raise RuntimeError("a bug")

    outlets.serve("/feed.xml", rss(bbc_stories(1)))
    monkeypatch.setattr(polling, "read_payload", broken)
    outcome = poll(make_feed(outlets.url("/feed.xml")))
    assert outcome.error == "Dateline failed while reading (RuntimeError); see the log"


def test_poll_now_says_when_an_outlet_had_asked_to_be_left_alone(outlets, make_feed,
                                                                 make_user, desk_client):
    from .outlets import Route

    outlets.routes["/busy.xml"] = Route(status=429, body=b"busy", content_type="text/plain",
                                        headers={"Retry-After": "3600"}, validators=False)
    feed = make_feed(outlets.url("/busy.xml"))
    poll(feed)
    said = desk_client(make_user("Editor")).post("/desk/ingest/feed/", {
        "action": "poll_now", "_selected_action": [feed.pk]}, follow=True).text
    assert "1 had asked to be left alone for a while (Retry-After)" in said
    feed.refresh_from_db()
    assert feed.next_poll_at <= timezone.now()  # told, not stopped


def test_a_lone_surrogate_in_a_json_item_is_replaced_and_the_rest_is_stored(tmp_path,
                                                                           make_feed):
    """JSON's "\\ud800" escape gave a half UTF-16 pair no text encoding carries: hashing the
    item's words failed outside the poll's guards, the host's polling thread died, the feed
    never failed (so never paused) and every other feed of its host waited an hour."""
    (tmp_path / "feed.json").write_text(
        '{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": ['
        '{"id": "s1", "title": "Good item"},'
        '{"id": "s2\\ud800", "title": "Bad \\ud800 title", "summary": "Half \\udfff a pair",'
        ' "content_html": "<p>Body \\ud800 here</p>"}]}')
    feed = make_feed(str(tmp_path), service="folder")
    outcome = poll(feed)
    assert outcome.ok and outcome.created == 2, outcome.error
    bad = Item.objects.get(feed=feed, headline__startswith="Bad")
    assert bad.headline == "Bad \ufffd title" and "\ufffd" in bad.body
    assert not FailedPayload.objects.filter(feed=feed).exists()


def test_a_failure_while_storing_fails_its_feed_alone(outlets, make_feed, monitor_store_bug):
    outlets.serve("/feed.xml", rss(bbc_stories(2)))
    outlets.serve("/other.xml", rss(bbc_stories(1, start=5)))
    broken = make_feed(outlets.url("/feed.xml"), name="a broken")
    other = make_feed(outlets.url("/other.xml"), name="b other")
    monitor_store_bug(broken)
    results = dict(poll_due())
    assert results[broken].error == ("Dateline failed while storing what it read "
                                     "(UnicodeEncodeError); see the log")
    assert results[other].created == 1
    broken.refresh_from_db()
    assert broken.failures == 1 and "storing" in broken.last_error


@pytest.fixture
def monitor_store_bug(monkeypatch):
    """Storing `feed`'s items raises, as a bug in the store would."""
    from dateline.ingest import polling

    def arm(feed):
        real = polling.store

        def store(into, result):
            if into.pk == feed.pk:
                "\ud800".encode()
            return real(into, result)

        monkeypatch.setattr(polling, "store", store)

    return arm


def test_a_full_text_is_bounded_as_a_feeds_own_body_is(outlets, make_feed):
    """A 3.3 MB article page was stored whole: the draft made from it could never be saved."""
    from dateline.ingest.parsers.text import MAX_BODY

    (story,) = bbc_stories(1)
    outlets.serve("/teasers.xml", rss([story], base=outlets.url("/story/")))
    paragraphs = "".join(  # each its own: the extractor drops repeated ones
        f"<p>Paragraph {n}: " + f"shares rose again on the exchange today, {n} said. " * 40
        + "</p>" for n in range(200))
    outlets.serve(f"/story/{story['id']}", (
        f"<!DOCTYPE html><html><head><title>x</title></head><body><article><h1>"
        f"{story['title']}</h1>{paragraphs}</article></body></html>"),
        content_type="text/html; charset=utf-8")
    poll(make_feed(outlets.url("/teasers.xml"), full_text=True))
    body = Item.objects.get().body
    assert "Paragraph 0: shares rose" in body and len(body) <= MAX_BODY + 1000  # closing tags


def test_a_pause_is_dated_in_words_even_within_its_first_minute():
    """"Paused 0 minutes ago: Paused after 14 failed polls": said twice, and no time."""
    from datetime import timedelta

    from django.utils import timezone

    from dateline.ingest.admin import ago

    assert ago(timezone.now()) == "just now"
    assert ago(timezone.now() - timedelta(minutes=61)) == "1 hour ago"
    assert ago(None) == "never"

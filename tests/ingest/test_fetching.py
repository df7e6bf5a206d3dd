"""The ingest fetcher against the fixture outlet server: polite, bounded, in words."""

import gzip
import threading

import pytest

from dateline.ingest.fetching import USER_AGENT, FetchError, fetch

from .outlets import Route, rss

pytestmark = pytest.mark.one_engine


def test_conditional_get_sends_the_validators_and_304_is_nothing_new(outlets):
    outlets.serve("/feed.xml", rss([{"id": "a1", "title": "Budget", "body": "Words."}]))
    first = fetch(outlets.url("/feed.xml"))
    assert first.status == 200 and b"Budget" in first.body
    assert first.etag and first.last_modified
    again = fetch(outlets.url("/feed.xml"), etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.body == b""
    sent = outlets.headers("/feed.xml")[-1]
    assert sent["If-None-Match"] == first.etag
    assert sent["If-Modified-Since"] == first.last_modified
    assert "Dateline" in sent["User-Agent"] and sent["User-Agent"] == USER_AGENT


def test_a_gzipped_answer_is_read_decompressed(outlets):
    outlets.serve("/z.xml", gzip.compress(b"<rss>fine</rss>"), headers={"Content-Encoding": "gzip"})
    assert fetch(outlets.url("/z.xml")).body == b"<rss>fine</rss>"


def test_a_slow_server_is_given_up_on_within_the_total_time(outlets, settings):
    settings.DATELINE_INGEST_TIMEOUT = 2
    settings.DATELINE_INGEST_TOTAL_TIMEOUT = 0.5
    outlets.serve("/slow.xml", b"<rss>" + b" " * 100 + b"</rss>", drip=0.05)
    with pytest.raises(FetchError, match=r"The answer took longer than 0\.5 s"):
        fetch(outlets.url("/slow.xml"))


def test_a_server_that_says_nothing_times_out_in_words(outlets, settings):
    settings.DATELINE_INGEST_TIMEOUT = 0.3
    outlets.serve("/mute.xml", b"<rss/>", hold=1.5)
    with pytest.raises(FetchError, match=r"^The server did not answer within 0\.3 s$"):
        fetch(outlets.url("/mute.xml"))


def test_a_50_mb_answer_is_stopped_at_the_cap(outlets):
    outlets.huge("/huge.xml", 50 * 1024 * 1024)
    with pytest.raises(FetchError, match=r"^The answer was larger than 10 MB$"):
        fetch(outlets.url("/huge.xml"))


def test_a_declared_length_over_the_cap_is_refused_before_reading(outlets, settings):
    settings.DATELINE_INGEST_MAX_BYTES = 1024
    outlets.serve("/big.xml", b"x" * 5000)
    with pytest.raises(FetchError, match=r"larger than 0\.0009765"):
        fetch(outlets.url("/big.xml"))


@pytest.mark.parametrize("declared", ["9" * 5000, "99999999999999999999999"])
def test_a_declared_length_of_endless_digits_is_over_the_cap(outlets, declared):
    # Python will not read over 4,300 digits as an int; the fetcher must not try.
    outlets.routes["/endless.xml"] = Route(size=128 * 1024, validators=False,
                                           headers={"Content-Length": declared})
    with pytest.raises(FetchError, match=r"^The answer was larger than 10 MB$"):
        fetch(outlets.url("/endless.xml"))


def test_a_declared_length_that_is_no_number_is_ignored(outlets):
    # "²" passes str.isdigit, and int() refuses it.
    outlets.routes["/odd.xml"] = Route(size=128 * 1024, validators=False,
                                       headers={"Content-Length": "²"})
    assert len(fetch(outlets.url("/odd.xml")).body) >= 64 * 1024


def test_a_gzip_bomb_stops_at_the_cap(outlets):
    outlets.gzip_bomb("/bomb.xml")  # about 2 MB on the wire, 2 GB unpacked
    with pytest.raises(FetchError, match=r"^The answer was larger than 10 MB$"):
        fetch(outlets.url("/bomb.xml"))


def test_a_redirect_is_followed_and_a_loop_is_named(outlets):
    outlets.serve("/new.xml", b"<rss/>")
    outlets.redirect("/old.xml", "/new.xml", status=301)
    answer = fetch(outlets.url("/old.xml"))
    assert answer.body == b"<rss/>" and answer.url == outlets.url("/new.xml")
    outlets.redirect("/a", "/b")
    outlets.redirect("/b", "/a")
    with pytest.raises(FetchError, match=r"^Redirect loop: .*/a → .*/b → .*/a$"):
        fetch(outlets.url("/a"))


def test_too_many_redirects_are_refused(outlets):
    for hop in range(7):
        outlets.redirect(f"/hop{hop}", f"/hop{hop + 1}")
    outlets.serve("/hop7", b"<rss/>")
    with pytest.raises(FetchError, match=r"^Too many redirects \(6\): .*/hop0 → "):
        fetch(outlets.url("/hop0"))
    assert outlets.hits("/hop6") == 0  # the sixth hop was never asked for


def test_errors_are_said_in_words(outlets):
    outlets.fail("/down.xml", 503)
    with pytest.raises(FetchError, match=r"^The server answered 503 Service Unavailable$"):
        fetch(outlets.url("/down.xml"))
    with pytest.raises(FetchError, match="not an http"):
        fetch("ftp://127.0.0.1/feed.xml")


def test_private_addresses_are_refused_unless_allowed(outlets, settings):
    settings.DATELINE_INGEST_ALLOW_PRIVATE = False
    outlets.serve("/feed.xml", b"<rss/>")
    with pytest.raises(FetchError, match="private or local address; refused"):
        fetch(outlets.url("/feed.xml"))
    assert outlets.hits("/feed.xml") == 0


def test_a_name_that_does_not_resolve_is_said_in_words():
    with pytest.raises(FetchError, match=r"^The name nowhere\.invalid could not be found$"):
        fetch("http://nowhere.invalid/feed.xml")


def test_one_request_at_a_time_per_host(outlets):
    outlets.serve("/one.xml", b"<rss/>", hold=0.2)
    outlets.serve("/two.xml", b"<rss/>", hold=0.2)
    threads = [threading.Thread(target=fetch, args=(outlets.url(path),))
               for path in ["/one.xml", "/two.xml"] * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outlets.hits("/one.xml") == outlets.hits("/two.xml") == 3
    assert outlets.most_at_once == 1

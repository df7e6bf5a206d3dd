"""The ingest fetcher against the fixture outlet server: polite, bounded, in words."""

import contextlib
import gzip
import socket
import threading
import time

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


def test_deflate_is_read_with_or_without_its_zlib_header(outlets):
    """HTTP's "deflate" is zlib-wrapped; many servers send the raw stream, which was refused
    as "incorrect header check", blaming the outlet in zlib's words."""
    import zlib

    text = b"<rss>deflated</rss>"
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    outlets.serve("/raw.xml", raw.compress(text) + raw.flush(),
                  headers={"Content-Encoding": "deflate"})
    outlets.serve("/zlib.xml", zlib.compress(text), headers={"Content-Encoding": "deflate"})
    assert fetch(outlets.url("/raw.xml")).body == text
    assert fetch(outlets.url("/zlib.xml")).body == text
    outlets.serve("/plain.xml", b"\x78\x9c not deflate at all",
                  headers={"Content-Encoding": "deflate"})
    with pytest.raises(FetchError, match=r"^The answer says it is compressed \(deflate\) but "
                                         r"cannot be decompressed"):
        fetch(outlets.url("/plain.xml"))


def test_a_slow_server_is_given_up_on_within_the_total_time(outlets, settings):
    settings.DATELINE_INGEST_TIMEOUT = 2
    settings.DATELINE_INGEST_TOTAL_TIMEOUT = 0.5
    outlets.serve("/slow.xml", b"<rss>" + b" " * 100 + b"</rss>", drip=0.05)
    with pytest.raises(FetchError, match=r"The answer took longer than 0\.5 s"):
        fetch(outlets.url("/slow.xml"))


class Dripping:
    """A server that answers every connection by sending `head` at once, then `drip` a byte
    at a time, one every 0.1 s, for up to a minute: each byte well inside the read timeout."""

    def __init__(self, head: bytes, drip: bytes) -> None:
        self.head, self.drip = head, drip
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/feed.xml"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            client, _ = self.listener.accept()
            with client:
                client.recv(65536)
                client.sendall(self.head)
                for byte in self.drip[:600]:
                    client.sendall(bytes([byte]))
                    time.sleep(0.1)

    def close(self) -> None:
        self.listener.close()


@pytest.mark.parametrize(("head", "drip"), [
    (b"HTTP/1.1 200 OK\r\n", b"X-Slow: " + b"a" * 1000),  # the headers, a byte at a time
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", b"0" * 1000),  # a chunk's size
], ids=["headers", "chunk size line"])
def test_a_server_dripping_what_is_read_in_one_call_is_cut_at_the_total_time(
        settings, head, drip):
    """Each held the worker's round for as long as the outlet liked (the per-read timeout
    never passes while a byte comes every few seconds)."""
    settings.DATELINE_INGEST_TIMEOUT = 2
    settings.DATELINE_INGEST_TOTAL_TIMEOUT = 0.5
    server = Dripping(head, drip)
    started = time.monotonic()
    try:
        with pytest.raises(FetchError, match=r"^The answer took longer than 0\.5 s$"):
            fetch(server.url)
    finally:
        server.close()
    assert time.monotonic() - started < 30  # the drip lasts a minute: it was cut, not waited


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


def test_an_answer_cut_short_of_its_declared_length_is_a_failure_in_words(settings):
    """300 bytes of a promised 5,000,000, then the connection closed: taken as the whole."""
    settings.DATELINE_INGEST_TOTAL_TIMEOUT = 5
    server = Dripping(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                      b"Content-Length: 5000000\r\n\r\n<rss version=\"2.0\"><channel>", b"")
    try:
        with pytest.raises(FetchError, match=r"^The answer ended after 28 of the 5,000,000 "
                                             r"bytes it announced: the connection was cut$"):
            fetch(server.url)
    finally:
        server.close()


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


def test_the_wait_for_another_feed_of_the_same_host_is_not_counted_against_this_one(
        outlets, settings):
    """A feed answered at once was failed ("took longer than 30 s") for the time it waited
    while another feed of its host dripped: the failure counted towards its own pause."""
    settings.DATELINE_INGEST_TOTAL_TIMEOUT = 1.0
    settings.DATELINE_INGEST_HOST_GAP = 0.5  # then a pause after it: over a second of waiting
    outlets.serve("/slow.xml", b"<rss>" + b" " * 60 + b"</rss>", drip=0.05)  # its full second
    outlets.serve("/quick.xml", rss([{"id": "q1", "title": "Quick", "body": "At once."}]))
    failures = []

    def fetch_slow() -> None:
        try:
            fetch(outlets.url("/slow.xml"))
        except FetchError as error:
            failures.append(str(error))

    slow = threading.Thread(target=fetch_slow)
    slow.start()
    time.sleep(0.1)  # the slow one holds the host's turn
    quick = fetch(outlets.url("/quick.xml"))  # waits about 1.4 s, then answered at once
    slow.join()
    assert quick.status == 200 and b"Quick" in quick.body
    assert failures == ["The answer took longer than 1 s"]


@pytest.mark.parametrize(("sent", "kept"), [
    ('"a"\r\n injected: yes', '"a" injected: yes'),  # a folded header, put on one line
    ('W/"' + "x" * 600 + '"', ""),  # past what is kept: none, rather than one cut short
])
def test_an_outlets_validator_is_kept_on_one_line_and_whole(outlets, sent, kept):
    from dateline.ingest.fetching import validator

    assert validator(sent, 500) == kept
    outlets.serve("/v.xml", b"<rss/>", validators=False, headers={"ETag": sent.replace(
        "\r\n", "")})
    assert fetch(outlets.url("/v.xml")).etag == validator(sent.replace("\r\n", ""), 500)

"""The bulkhead `dateline serve` puts before Django: bodies read outside the slots, at most
DATELINE_THREADS requests in Django at once."""

import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from dateline.ops.serving.bulkhead import Bulkhead


class TrickledBody:
    """A request body that arrives only when the test lets it."""

    def __init__(self, data: bytes) -> None:
        self.data, self.arrived = data, threading.Event()

    def read(self, size: int = -1) -> bytes:
        self.arrived.wait(10)
        chunk, self.data = self.data[:size], self.data[size:]
        return chunk


def environ(body=None, length: int = 0) -> dict:
    return {"REQUEST_METHOD": "POST" if body else "GET", "CONTENT_LENGTH": str(length),
            "wsgi.input": body or io.BytesIO()}


def test_no_more_requests_than_slots_run_the_app_at_once():
    running, most, lock = 0, 0, threading.Lock()

    def app(environ, start_response):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)
        with lock:
            running -= 1
        return [b"ok"]

    bulkhead = Bulkhead(app, slots=2)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: bulkhead(environ(), None), range(16)))
    assert answers == [[b"ok"]] * 16
    assert most == 2


def test_a_body_still_arriving_holds_no_slot_and_reaches_the_app_whole():
    seen = []

    def app(environ, start_response):
        seen.append(environ["wsgi.input"].read())
        return [b"ok"]

    bulkhead = Bulkhead(app, slots=1)
    slow = TrickledBody(b"consent=on&" * 10_000)
    with ThreadPoolExecutor(2) as pool:
        trickling = pool.submit(bulkhead, environ(slow, len(slow.data)), None)
        time.sleep(0.2)  # it is reading by now
        # Another reader is served while that body has not arrived: the only slot is free.
        assert pool.submit(bulkhead, environ(), None).result(timeout=5) == [b"ok"]
        assert not trickling.done()
        slow.arrived.set()
        assert trickling.result(timeout=5) == [b"ok"]
    assert seen == [b"", b"consent=on&" * 10_000]


def test_requests_with_a_body_leave_one_slot_for_readers():
    posts_in, release = threading.Semaphore(0), threading.Event()
    running, most, lock = 0, 0, threading.Lock()

    def app(environ, start_response):
        nonlocal running, most
        if environ["REQUEST_METHOD"] == "POST":
            with lock:
                running += 1
                most = max(most, running)
            posts_in.release()
            release.wait(10)
            with lock:
                running -= 1
        return [b"ok"]

    bulkhead = Bulkhead(app, slots=2)
    with ThreadPoolExecutor(4) as pool:
        posts = [pool.submit(bulkhead, environ(io.BytesIO(b"x=1"), 3), None) for _ in range(2)]
        assert posts_in.acquire(timeout=5)  # one form is being handled...
        reader = pool.submit(bulkhead, environ(), None)
        assert reader.result(timeout=5) == [b"ok"]  # ...and a reader still gets a slot
        release.set()
        assert [p.result(timeout=5) for p in posts] == [[b"ok"]] * 2
    assert most == 1


@pytest.mark.django_db(transaction=True)
def test_stored_pages_are_answered_while_every_slot_is_held(make_article):
    """As when every slot waits on a database that stopped answering: the page cache's hits
    are answered before the bulkhead, and take no slot."""
    from django.test import RequestFactory

    from dateline.ops.serving import bulkhead as served

    def get(path: str) -> tuple[str, dict]:
        answer = {}
        body = served.application(RequestFactory().get(path).environ,
                                  lambda status, headers, exc_info=None: answer.update(
                                      status=status, headers=dict(headers)))
        b"".join(body)
        return answer["status"], answer["headers"]

    url = make_article("Dam holds").get_absolute_url()
    assert get(url)[1]["X-Cache"] == "MISS"  # rendered in a slot, and stored
    assert get(url)[1]["X-Cache"] == "HIT"
    layer = served.application
    while not isinstance(layer, Bulkhead):  # whatever wraps it, in whatever order
        layer = getattr(layer, "application", None) or layer.app
    slots = layer.slots
    held = 0
    while slots.acquire(blocking=False):
        held += 1
    pool = ThreadPoolExecutor(1)
    try:
        assert held >= 1
        status, headers = pool.submit(get, url).result(timeout=5)
        assert (status, headers["X-Cache"]) == ("200 OK", "HIT")
        waiting = pool.submit(get, "/search/?q=dam")  # not stored: waits for a slot
        time.sleep(0.2)
        assert not waiting.done()
        for _ in range(held):
            slots.release()
        held = 0
        assert waiting.result(timeout=10)[0] == "200 OK"
    finally:
        for _ in range(held):
            slots.release()
        pool.shutdown()


def test_a_body_sent_in_chunks_reaches_the_app_with_its_length(monkeypatch):
    """granian de-chunks a chunked body and gives no Content-Length; Django reads none without
    one, so the form arrived empty."""
    seen = []

    def app(environ, start_response):
        seen.append((environ["CONTENT_LENGTH"], environ["wsgi.input"].read()))
        return [b"ok"]

    bulkhead = Bulkhead(app, slots=1)
    chunked = {"REQUEST_METHOD": "POST", "HTTP_TRANSFER_ENCODING": "chunked",
               "wsgi.input": io.BytesIO(b"consent=on&text=Flood")}
    assert bulkhead(dict(chunked), None) == [b"ok"]
    assert seen == [("21", b"consent=on&text=Flood")]
    # Past the largest body read ahead: refused in words, the app never called.
    monkeypatch.setattr("dateline.ops.serving.bulkhead.LARGEST_READ_AHEAD", 10)
    started = []
    answer = bulkhead({**chunked, "wsgi.input": io.BytesIO(b"x" * 11)},
                      lambda status, headers: started.append(status))
    assert started == ["413 Content Too Large"] and b"larger than this site takes" in answer[0]
    assert len(seen) == 1

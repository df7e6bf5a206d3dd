"""The bulkhead `dateline serve` puts before Django: bodies read outside the slots, at most
DATELINE_THREADS requests in Django at once."""

import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings

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
        # Nor does the liveness probe wait: through Django it queued behind pages being
        # rendered (p95 1.1 s under 50 clients searching), and a busy server looked dead.
        status, headers = pool.submit(get, "/healthz").result(timeout=5)
        assert (status, headers["Content-Type"]) == ("200 OK", "text/plain; charset=utf-8")
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
    # Past the largest body the address takes: refused in words, the app never called.
    monkeypatch.setattr(settings, "DATELINE_REQUEST_MAX_BYTES", 10)
    started = []
    answer = bulkhead({**chunked, "wsgi.input": io.BytesIO(b"x" * 11)},
                      lambda status, headers: started.append(status))
    assert started == ["413 Content Too Large"]
    assert b"larger than this address takes" in answer[0]
    assert len(seen) == 1


class NeverArrives:
    """A body whose client announced it and then sent nothing: any read would wait."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("a body larger than the address takes was read")


def test_a_body_announced_too_large_is_refused_unread_and_takes_no_slot():
    """Four to six clients announcing 100 MB to the desk's login (whose CSRF check reads the
    body) held both of Django's slots while they trickled: every uncached page and /healthz
    waited for as long as they liked."""
    called = []
    bulkhead = Bulkhead(lambda environ, start: called.append(1) or [b"ok"], slots=1)
    started = []
    answer = bulkhead({**environ(NeverArrives(), 100_000_000), "PATH_INFO": "/desk/login/"},
                      lambda status, headers: started.append((status, headers)))
    assert started[0][0] == "413 Content Too Large" and b"81 MB" in answer[0]
    assert called == []


def test_a_view_that_refuses_by_length_gets_its_too_large_body_unread(settings):
    """/report/ answers a larger report with a page saying what to do, without reading it; the
    read-ahead used to read up to 64 MB of it first (a client sending Expect: 100-continue was
    told to send it all)."""
    seen = []

    def app(environ, start_response):
        seen.append(environ["CONTENT_LENGTH"])
        return [b"the report's own 413 page"]

    bulkhead = Bulkhead(app, slots=1)
    over = settings.DATELINE_SUBMISSION_MAX_REQUEST_BYTES + 1
    answer = bulkhead({**environ(NeverArrives(), over), "PATH_INFO": "/report/"}, None)
    assert answer == [b"the report's own 413 page"] and seen == [str(over)]


def answer_of(bulkhead, env) -> tuple[str, dict]:
    started = []
    bulkhead(env, lambda status, headers: started.append((status, dict(headers))))
    return started[0] if started else ("200 OK", {})


def test_clients_trickling_bodies_leave_threads_to_requests_without_one(monkeypatch):
    """300 clients trickling bodies held all 130 of granian's threads, and /healthz and every
    page stopped answering. Past `readers` bodies, 503 at once; past LARGE_READERS spooled
    to disk, the same."""
    from dateline.ops.serving import bulkhead as module

    monkeypatch.setattr(module, "LARGE_READERS", 1)
    bulkhead = Bulkhead(lambda environ, start: [b"ok"], slots=2, readers=2)
    big = module.IN_MEMORY_BYTES + 1
    slow = [TrickledBody(b"x" * big), TrickledBody(b"y" * 10)]
    with ThreadPoolExecutor(4) as pool:
        reading = [pool.submit(bulkhead, environ(slow[0], big), None),
                   pool.submit(bulkhead, environ(slow[1], 10), None)]
        time.sleep(0.2)  # both are reading
        status, headers = answer_of(bulkhead, environ(io.BytesIO(b"z=1"), 3))
        assert status.startswith("503") and headers["Retry-After"] == "30"
        assert answer_of(bulkhead, environ())[0] == "200 OK"  # a page: served at once
        for body in slow:
            body.arrived.set()
        assert [r.result(timeout=5) for r in reading] == [[b"ok"]] * 2
    # A second large body while one holds the disk's turn: 503; a small one is read.
    spooled = TrickledBody(b"x" * big)
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(bulkhead, environ(spooled, big), None)
        time.sleep(0.2)
        assert answer_of(bulkhead, environ(io.BytesIO(b"x" * big), big))[0].startswith("503")
        assert answer_of(bulkhead, environ(io.BytesIO(b"z=1"), 3))[0] == "200 OK"
        spooled.arrived.set()
        assert first.result(timeout=5) == [b"ok"]


def test_readers_are_granians_threads_but_those_kept_for_pages():
    from dateline.ops.serving.bulkhead import readers_for

    assert readers_for(2, 128) == 114  # serve alone: 130 threads, 16 kept
    assert readers_for(2, 0) == 2  # behind nginx, which buffers bodies: no thread to keep


def from_address(address: str, body, length: int) -> dict:
    return {**environ(body, length), "REMOTE_ADDR": address}


def test_one_client_holding_readers_leaves_them_to_everyone_else(monkeypatch):
    """228 connections from one address announced a body and sent nothing: they held every
    reader, and every POST on the site, an editor's login included, was answered 503."""
    from dateline.ops.serving import bulkhead as module

    monkeypatch.setattr(module, "READERS_PER_CLIENT", 3)
    bulkhead = Bulkhead(lambda environ, start: [b"ok"], slots=2, readers=10)
    stalled = [TrickledBody(b"x" * 10) for _ in range(3)]
    with ThreadPoolExecutor(4) as pool:
        reading = [pool.submit(bulkhead, from_address("203.0.113.9", body, 10), None)
                   for body in stalled]
        time.sleep(0.2)  # all three are waiting for bodies that do not come
        status, headers = answer_of(bulkhead, from_address("203.0.113.9", io.BytesIO(b"z=1"), 3))
        assert status.startswith("503") and headers["Retry-After"] == "30"
        # An editor elsewhere logs in.
        assert answer_of(bulkhead, from_address("198.51.100.7", io.BytesIO(b"u=1"), 3))[0] \
            == "200 OK"
        for body in stalled:
            body.arrived.set()
        assert [r.result(timeout=5) for r in reading] == [[b"ok"]] * 3
    # Once its bodies were read, the client's turns are its own again.
    assert answer_of(bulkhead, from_address("203.0.113.9", io.BytesIO(b"z=1"), 3))[0] == "200 OK"


def test_one_client_takes_at_most_two_of_the_large_readers(monkeypatch):
    """Four large bodies announced and never sent (4 per worker) refused every photo upload
    and every reader's report with a photo."""
    from dateline.ops.serving import bulkhead as module

    bulkhead = Bulkhead(lambda environ, start: [b"ok"], slots=2, readers=10)
    big = module.IN_MEMORY_BYTES + 1
    stalled = [TrickledBody(b"x" * big) for _ in range(module.LARGE_PER_CLIENT)]
    with ThreadPoolExecutor(4) as pool:
        reading = [pool.submit(bulkhead, from_address("203.0.113.9", body, big), None)
                   for body in stalled]
        time.sleep(0.2)
        assert answer_of(bulkhead, from_address("203.0.113.9", io.BytesIO(b"x" * big), big))[
            0].startswith("503")
        assert answer_of(bulkhead, from_address("198.51.100.7", io.BytesIO(b"x" * big), big))[
            0] == "200 OK"
        for body in stalled:
            body.arrived.set()
        assert [r.result(timeout=5) for r in reading] == [[b"ok"]] * 2


def test_a_large_body_that_stopped_coming_gives_its_place_to_the_next_upload(monkeypatch):
    """Eight connections from four addresses, dripping a byte a second into large bodies,
    held every large reader: every photo upload and reader's report with a photo was a 503
    for as long as they went on."""
    from dateline.ops.serving import bulkhead as module

    monkeypatch.setattr(module, "LARGE_READERS", 2)
    monkeypatch.setattr(module, "STALLED_SECONDS", 0.3)
    bulkhead = Bulkhead(lambda environ, start: [b"ok"], slots=2, readers=10)
    big = module.IN_MEMORY_BYTES + 1
    stalled = [TrickledBody(b"x" * big) for _ in range(2)]

    def answered(env) -> str:
        started = []
        body = bulkhead(env, lambda status, headers: started.append(status))
        return started[0] if started else f"200 OK {b''.join(body).decode()}"

    with ThreadPoolExecutor(4) as pool:
        reading = [pool.submit(answered, from_address(f"203.0.113.{i}", body, big))
                   for i, body in enumerate(stalled)]
        time.sleep(0.1)
        # Both places are held by reads that moved a moment ago: busy, as before.
        assert answered(from_address("198.51.100.7", io.BytesIO(b"x" * big), big)) \
            .startswith("503")
        time.sleep(0.4)  # past the stall
        assert answered(from_address("198.51.100.7", io.BytesIO(b"x" * big), big)) == "200 OK ok"
        for body in stalled:
            body.arrived.set()
        # The one that gave its place up is told, with nothing kept; the other goes on.
        assert sorted(r.result(timeout=5) for r in reading) == [
            "200 OK ok", "408 Request Timeout"]
    # Every place released once: two uploads at once are read again, a third is busy.
    assert bulkhead.large.acquire(blocking=False) and bulkhead.large.acquire(blocking=False)
    assert not bulkhead.large.acquire(blocking=False)


def test_a_slow_but_moving_large_body_keeps_its_place(monkeypatch):
    from dateline.ops.serving import bulkhead as module

    monkeypatch.setattr(module, "LARGE_READERS", 1)
    monkeypatch.setattr(module, "STALLED_SECONDS", 0.3)
    bulkhead = Bulkhead(lambda environ, start: [b"ok"], slots=2, readers=10)
    big = module.IN_MEMORY_BYTES + 1

    class Moving:
        def __init__(self) -> None:
            self.left = big

        def read(self, size: int = -1) -> bytes:
            time.sleep(0.01)
            size = min(size, self.left)
            self.left -= size
            return b"x" * size

    with ThreadPoolExecutor(2) as pool:
        moving = pool.submit(answer_of, bulkhead, from_address("203.0.113.9", Moving(), big))
        time.sleep(0.5)  # it has read for longer than the stall, a step at a time
        assert answer_of(bulkhead, from_address("198.51.100.7", io.BytesIO(b"x" * big), big))[
            0].startswith("503")
        assert moving.result(timeout=10)[0] == "200 OK"


def test_a_full_disk_for_temporary_files_is_a_507_in_words(monkeypatch):
    """With TMPDIR full, a large body was a bare 500 with a traceback."""
    import errno

    from dateline.ops.serving import bulkhead as module

    class FullDisk(module.SpooledTemporaryFile):
        def write(self, data):
            if self.tell() + len(data) > module.IN_MEMORY_BYTES:
                raise OSError(errno.ENOSPC, "No space left on device")
            return super().write(data)

    monkeypatch.setattr(module, "SpooledTemporaryFile", FullDisk)
    bulkhead = Bulkhead(lambda environ, start: [b"ok"], slots=2)
    big = 3 * module.IN_MEMORY_BYTES
    started = []
    answer = bulkhead(environ(io.BytesIO(b"x" * big), big),
                      lambda status, headers: started.append((status, dict(headers))))
    status, headers = started[0]
    assert status.startswith("507") and headers["Retry-After"] == "30"
    assert b"no room to receive what you sent" in b"".join(answer)
    # Nothing was left held: the next body is read.
    assert answer_of(bulkhead, environ(io.BytesIO(b"z=1"), 3))[0] == "200 OK"


def test_a_body_sent_where_no_view_takes_one_is_refused_unread():
    """An 80 MB POST to the search was read whole (and spooled to disk), then refused 405."""
    bulkhead = Bulkhead(lambda environ, start: [b"ok"], slots=2)
    never_sent = TrickledBody(b"q=x" * 1000)
    status, headers = answer_of(bulkhead, {**environ(never_sent, 3000), "PATH_INFO": "/search/"})
    assert status.startswith("405") and headers["Allow"] == "GET, HEAD"
    assert never_sent.data == b"q=x" * 1000  # not a byte read
    put = {**environ(io.BytesIO(b"x"), 1), "REQUEST_METHOD": "PUT", "PATH_INFO": "/report/"}
    status, headers = answer_of(bulkhead, put)
    assert status.startswith("405") and headers["Allow"] == "GET, HEAD, POST"
    # Where no page is (nor one with a slash added, where Django would redirect): 404 unread.
    nowhere = TrickledBody(b"x" * 1000)
    status, _ = answer_of(bulkhead, {**environ(nowhere, 1000), "PATH_INFO": "/nope/"})
    assert status.startswith("404") and nowhere.data == b"x" * 1000
    # Where a view takes it, the body is read and handed on, as before.
    report = {**environ(io.BytesIO(b"headline=x"), 10), "PATH_INFO": "/report/"}
    assert answer_of(bulkhead, report)[0] == "200 OK"


def test_a_get_with_a_body_is_refused_unread():
    """Read, it held a reader; stalled, it held the readers of its page too, waiting on its
    render (pagecache.wsgi)."""
    bulkhead = Bulkhead(lambda environ, start: [b"ok"], slots=2)
    never_sent = TrickledBody(b"x" * 10)
    get = {**environ(never_sent, 10), "REQUEST_METHOD": "GET", "PATH_INFO": "/"}
    status, _ = answer_of(bulkhead, get)
    assert status.startswith("400") and never_sent.data == b"x" * 10


def test_a_clients_share_is_of_bodies_being_read_not_of_requests_in_django():
    """An office behind one address: two uploads read whole and waiting in Django refused a
    third from a colleague with "Too many requests from your address"."""
    from dateline.ops.serving import bulkhead as module

    release = threading.Event()

    def app(environ, start_response):
        release.wait(10)
        return [b"ok"]

    bulkhead = Bulkhead(app, slots=4, readers=10)
    big = module.IN_MEMORY_BYTES + 1
    with ThreadPoolExecutor(4) as pool:
        in_django = [pool.submit(bulkhead, from_address("203.0.113.9", io.BytesIO(b"x" * big),
                                                        big), None) for _ in range(2)]
        time.sleep(0.3)  # both read, both in the app
        third = pool.submit(answer_of, bulkhead,
                            from_address("203.0.113.9", io.BytesIO(b"x" * big), big))
        time.sleep(0.3)
        release.set()
        assert third.result(timeout=10)[0] == "200 OK"
        assert [r.result(timeout=10) for r in in_django] == [[b"ok"]] * 2

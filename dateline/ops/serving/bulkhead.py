"""The WSGI application `dateline serve` gives granian: Dateline's, behind a bulkhead.

granian hands a request to a thread as soon as its head has arrived and the thread then reads
the body as the client sends it: a client trickling its body holds that thread. granian gets
spare threads for such waits, and here each request's body is read in full *before* it may
take one of DATELINE_THREADS slots to run Django. So slow clients wait on their own sockets,
and no more than DATELINE_THREADS requests run Python at once (measured: 130 threads running
views at once served 222 req/s at a 1.5 s p99 where 2 served 409 at 323 ms; GIL contention).
A body sent in chunks (Transfer-Encoding: chunked, no Content-Length) comes de-chunked from
granian with no length, and Django reads no body without one: it is read ahead the same way
and given its length (nginx in front does the same for the app).

A body is read only within bounds:
- one sent to an address that takes no POST, or with a method no view answers, or where no
  page is, is not read: answered 405 or 404 here as Django would after it (an 80 MB POST to
  the search was read whole);
- one announced larger than its path takes (DATELINE_REQUEST_MAX_BYTES, ..._BY_PATH) is not
  read: answered 413 here, or handed unread to the view that refuses it with its own page. A
  few such bodies trickled into views that read them (the desk's login, the WebSub hub) held
  both of Django's slots, and every uncached page and /healthz waited;
- at most `readers` bodies are read at once per worker, RESERVED_THREADS fewer than granian's
  threads, so that requests without one (pages, /healthz) always find a thread: 300 clients
  trickling bodies held them all, and the site stopped answering. Past that, 503 at once;
- at most LARGE_READERS bodies of more than IN_MEMORY_BYTES, each spooled to a temporary file
  until its request is done, bound the disk they take (an upload may be 81 MB).
- at most READERS_PER_CLIENT of those bodies, and LARGE_PER_CLIENT of the large ones, from
  one client (its address, or IPv6 /64, as dateline.base.clients reads it behind a proxy):
  228 connections from one address that announced a body and sent nothing held every reader,
  and every POST on the site, an editor's login included, was answered 503.
granian's input has no read timeout (a read waits for all it asked for), so a client that
sends its body slowly, or never, keeps its reader until it goes; the bounds above keep one
client from holding them all. A large body is read in steps of LARGE_STEP: one that has not
completed a step for STALLED_SECONDS gives its place among the large readers up to the next
upload that needs it, and is answered 408 with nothing kept once it moves again (eight
connections from four addresses, dripping a byte a second, held every large reader of both
workers, and every photo upload and reader's report with a photo was a 503). Behind nginx,
which buffers bodies (client_body_timeout), none reaches the app slowly.
"""

import os
import threading
import time
from collections import Counter
from contextlib import contextmanager, nullcontext
from tempfile import SpooledTemporaryFile

from django.conf import settings

from dateline.base import heartbeat
from dateline.base.bodies import chunked as sent_in_chunks
from dateline.base.bodies import content_length
from dateline.base.clients import network_in
from dateline.base.environment import whole_number
from dateline.ops.middleware import NO_ROOM, NOWHERE, disk_full, refused_unread
from dateline.pagecache.wsgi import CachedPagesApplication
from dateline.readership.beacon import BeaconFirst
from dateline.wsgi import django_application

from .runners import Runners

# A body up to this stays in memory while it is read; a larger one goes to a temporary file.
IN_MEMORY_BYTES = 1024 * 1024
CHUNK = 64 * 1024
# granian's threads kept for requests without a body, however many clients send one.
RESERVED_THREADS = 16
# Bodies larger than IN_MEMORY_BYTES (or of unknown length) read or in use at once, per worker.
LARGE_READERS = 4
# Of those, one client's at once (the photo library sends two uploads at a time).
READERS_PER_CLIENT = 8
LARGE_PER_CLIENT = 2
RETRY_AFTER_SECONDS = 30
# A large body is read LARGE_STEP at a time; one that completes no step in STALLED_SECONDS
# (under 1.6 KB/s: slower than any phone's upload) may lose its place to another upload.
LARGE_STEP = 16 * 1024
STALLED_SECONDS = 10.0
TOO_SLOW = ("Your request's data came too slowly and was dropped; nothing of it was kept. "
            "Send it again.\n")


class LargeRead:
    """A large body being read: when it last moved, and whether it gave its place up."""

    def __init__(self) -> None:
        self.moved = time.monotonic()
        self.reading = True
        self.written_off = False
        self.lock = threading.Lock()

    def stalled(self, now: float) -> bool:
        return self.reading and now - self.moved > STALLED_SECONDS

    def write_off(self) -> bool:
        """Give its place up; True the one time it does (its place is then released)."""
        with self.lock:
            if self.written_off or not self.reading:
                return False
            self.written_off = True
            return True

    def done_reading(self) -> None:
        with self.lock:
            self.reading = False

    def keeps_its_place(self) -> bool:
        """At the end: whether its place is still its own to release."""
        with self.lock:
            return not self.written_off


class PerClient:
    """How many of a kind each client holds, none past `most`."""

    def __init__(self, most: int) -> None:
        self.most = most
        self.held: Counter = Counter()
        self.lock = threading.Lock()

    @contextmanager
    def one(self, client: str):
        """Yields whether the client may have one more; counted while it holds it."""
        with self.lock:
            allowed = self.held[client] < self.most
            if allowed:
                self.held[client] += 1
        try:
            yield allowed
        finally:
            if allowed:
                with self.lock:
                    self.held[client] -= 1
                    if not self.held[client]:
                        del self.held[client]


class Bulkhead:
    """Read each request's body, then run the app in one of `slots` at a time (a request
    waiting on a child process, a photo decoder, hands its slot on: dateline.base.turns), on
    the runner threads that run every request's Django (runners.py)."""

    def __init__(self, app, slots: int, readers: int | None = None) -> None:
        self.app = app
        self.slots = threading.BoundedSemaphore(slots)
        self.readers = threading.BoundedSemaphore(readers or slots)
        self.large = threading.BoundedSemaphore(LARGE_READERS)
        # Requests with a body (forms, uploads) may hold all slots but one: Django parsing a
        # report's photos holds the GIL for a tenth of a second, and a reader's page must not
        # queue for a slot behind two of them (measured: /healthz max 117 ms, p99 83 ms with
        # two such posts and both slots theirs).
        self.bodies = threading.BoundedSemaphore(max(1, slots - 1))
        self.readers_of = PerClient(READERS_PER_CLIENT)
        self.large_of = PerClient(LARGE_PER_CLIENT)
        self.large_reads: set[LargeRead] = set()
        self.large_reads_lock = threading.Lock()
        # Django itself runs on a few threads of its own, however many of granian's bring
        # requests (runners.py).
        self.runners = Runners()

    def _large_place(self) -> LargeRead | None:
        """A place among the large readers, taken from a stalled read if none is free."""
        if not self.large.acquire(blocking=False):
            now = time.monotonic()
            with self.large_reads_lock:
                stalled = [read for read in self.large_reads if read.stalled(now)]
            for read in stalled:
                if read.write_off():
                    self.large.release()
                    break
            if not self.large.acquire(blocking=False):
                return None
        read = LargeRead()
        with self.large_reads_lock:
            self.large_reads.add(read)
        return read

    def _leave_large_place(self, read: LargeRead) -> None:
        with self.large_reads_lock:
            self.large_reads.discard(read)
        if read.keeps_its_place():
            self.large.release()

    def _read_for(self, client: str, stream, length: int | None, limit: int,
                  large: LargeRead | None) -> SpooledTemporaryFile | None:
        """The body, read while counted among the client's readers; None past its share.
        Counted for the read alone: a body read and waiting for its turn in Django holds no
        socket open, and an office behind one address posts often (autosaves, uploads)."""
        with self.readers_of.one(client) as reader, \
                (self.large_of.one(client) if large else nullcontext(True)) as large_reader:
            if not reader or not large_reader:
                return None
            try:
                return _read_ahead(stream, length, limit, large)
            finally:
                if large:
                    large.done_reading()

    def __call__(self, environ: dict, start_response):
        length = content_length(environ)
        chunked = not length and sent_in_chunks(environ)
        if not (chunked or length):  # most requests: no body to read
            return self.runners.run((self.slots,), self.app, environ, start_response)
        method = environ.get("REQUEST_METHOD", "")
        if method in ("GET", "HEAD"):
            # No view reads one; read, it would hold a reader (and, stalled, the page's
            # readers waiting on this render: pagecache.wsgi) for nothing.
            return _answer(start_response, "400 Bad Request",
                           f"A {method} request carries no body; send it without one.\n")
        refused = refused_unread(method, environ.get("PATH_INFO", ""))
        if refused == NOWHERE:
            return _answer(start_response, "404 Not Found", "No page is at this address.\n")
        if refused is not None:
            return _answer(start_response, "405 Method Not Allowed",
                           f"This address answers {', '.join(refused)}.\n",
                           ("Allow", ", ".join(refused)))
        limit, refused_by_view = _limit(environ.get("PATH_INFO", ""))
        if length > limit and refused_by_view:
            return self.runners.run((self.slots,), self.app, environ, start_response)
        if length > limit:
            return _too_large(start_response, limit)
        large = None
        if chunked or length > IN_MEMORY_BYTES:
            large = self._large_place()
            if large is None:
                return _busy(start_response)
        try:
            if not self.readers.acquire(blocking=False):
                return _busy(start_response)
            try:
                body = self._read_for(network_in(environ), environ["wsgi.input"],
                                      None if chunked else length, limit, large)
            except OSError as exc:
                if not disk_full(exc):
                    raise
                return _answer(start_response, "507 Insufficient Storage", NO_ROOM,
                               ("Retry-After", str(RETRY_AFTER_SECONDS)))
            finally:
                self.readers.release()
            if body is None:
                return _busy(start_response, "from your address ")
            if large and large.written_off:
                body.close()
                return _answer(start_response, "408 Request Timeout", TOO_SLOW,
                               ("Connection", "close"))
            with body:
                if chunked:  # granian de-chunks it and gives no length, and Django reads none
                    size = body.seek(0, os.SEEK_END)
                    if size > limit:
                        return _too_large(start_response, limit)
                    body.seek(0)
                    environ["CONTENT_LENGTH"] = str(size)
                environ["wsgi.input"] = body
                # Django builds the whole response in this call (having read what it needs of
                # the body); only a streamed response is iterated later, out of its slot.
                return self.runners.run((self.bodies, self.slots), self.app, environ,
                                        start_response)
        finally:
            if large:
                self._leave_large_place(large)


def _limit(path: str) -> tuple[int, bool]:
    """The largest body `path` takes, and whether its view refuses a larger one itself."""
    by_path = settings.DATELINE_REQUEST_MAX_BYTES_BY_PATH
    for prefix in sorted(by_path, key=len, reverse=True):
        if path.startswith(prefix):
            return by_path[prefix], True
    return settings.DATELINE_REQUEST_MAX_BYTES, False


def readers_for(slots: int, slow_body_threads: int) -> int:
    """Bodies read at once: all but RESERVED_THREADS of granian's threads, or all of them
    where there are few (behind nginx, with no threads for slow bodies, reads take no time)."""
    threads = slots + slow_body_threads
    return threads - RESERVED_THREADS if threads > 2 * RESERVED_THREADS else threads


def _answer(start_response, status: str, words: str, *extra) -> list[bytes]:
    body = words.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(body))), *extra])
    return [body]


def _too_large(start_response, limit: int) -> list[bytes]:
    return _answer(start_response, "413 Content Too Large",
                   f"The request body is larger than this address takes "
                   f"({limit // 1024 // 1024} MB).\n")


def _busy(start_response, whose: str = "") -> list[bytes]:
    return _answer(start_response, "503 Service Unavailable",
                   f"Too many requests {whose}are sending data at once; nothing of yours was "
                   f"kept. Try again in {RETRY_AFTER_SECONDS} seconds.\n",
                   ("Retry-After", str(RETRY_AFTER_SECONDS)))


def _read_ahead(stream, length: int | None, limit: int,
                large: LargeRead | None = None) -> SpooledTemporaryFile:
    """The body, whole (up to `length`), or with no length (chunked) up to one byte past
    `limit`, so that the caller sees it is too large. A large read stops, keeping nothing
    more, once it has given its place up."""
    body = SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115 - the caller closes it
    remaining = limit + 1 if length is None else length
    step = LARGE_STEP if large else CHUNK
    while remaining > 0:
        chunk = stream.read(min(step, remaining))
        if not chunk:
            break  # the client gave up; the view sees a short body, as it would have
        if large:
            if large.written_off:
                break
            large.moved = time.monotonic()
        body.write(chunk)
        remaining -= len(chunk)
    body.seek(0)
    return body


class AliveFirst:
    """Answer the liveness probe (GET or HEAD /healthz: "the process serves requests") before
    the wrapped application. Through Django it queued for a slot behind pages being rendered:
    p95 1.1 s with 50 clients searching, past a load balancer's usual time-out, so a busy
    server would be taken for a dead one. What needs Django and the database is /readyz."""

    BODY = b"ok\n"
    HEADERS = [("Content-Type", "text/plain; charset=utf-8"),
               ("Content-Length", str(len(BODY))), ("X-Content-Type-Options", "nosniff"),
               ("Cache-Control", "max-age=0, no-cache, no-store, must-revalidate, private")]

    def __init__(self, application) -> None:
        self.application = application

    def __call__(self, environ: dict, start_response):
        method = environ.get("REQUEST_METHOD")
        if environ.get("PATH_INFO") != "/healthz" or method not in ("GET", "HEAD"):
            return self.application(environ, start_response)
        start_response("200 OK", self.HEADERS)
        return [] if method == "HEAD" else [self.BODY]


# Readers' beacons (dateline.readership) and the pages the page cache holds are answered
# before the bulkhead: each costs microseconds and no database, and must neither wait for a
# slot behind pages being rendered nor take one. With the hits inside it, a database that
# stopped answering without refusing (a frozen server, a hung disk) left both slots to requests
# waiting on it, and every stored page waited behind them: 2 s, then as long as they did.
_SLOTS = whole_number("DATELINE_THREADS", os.cpu_count() or 2, least=1)
application = AliveFirst(BeaconFirst(CachedPagesApplication(Bulkhead(
    django_application, slots=_SLOTS,
    readers=readers_for(_SLOTS, whole_number("DATELINE_SLOW_BODY_THREADS", 0, least=0))))))
# Its sign of life for serve's watchdog (dateline.base.heartbeat).
heartbeat.start_thread()

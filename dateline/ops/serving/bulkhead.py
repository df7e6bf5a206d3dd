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
"""

import os
import threading
from tempfile import SpooledTemporaryFile

from dateline.base import heartbeat
from dateline.base.turns import taking_turns
from dateline.pagecache.wsgi import CachedPagesApplication
from dateline.readership.beacon import BeaconFirst
from dateline.wsgi import django_application

# A body up to this stays in memory while it is read; a larger one goes to a temporary file.
IN_MEMORY_BYTES = 1024 * 1024
# A body announced larger than this is left to the view, which refuses it by its length
# without reading it (the largest accepted, a report with photos, is 51 MB); one sent in chunks,
# with no length, is read up to this and refused past it.
LARGEST_READ_AHEAD = 64 * 1024 * 1024
CHUNK = 64 * 1024


class Bulkhead:
    """Read each request's body, then run the app in one of `slots` at a time (a request
    waiting on a child process, a photo decoder, hands its slot on: dateline.base.turns)."""

    def __init__(self, app, slots: int) -> None:
        self.app = app
        self.slots = threading.BoundedSemaphore(slots)
        # Requests with a body (forms, uploads) may hold all slots but one: Django parsing a
        # report's photos holds the GIL for a tenth of a second, and a reader's page must not
        # queue for a slot behind two of them (measured: /healthz max 117 ms, p99 83 ms with
        # two such posts and both slots theirs).
        self.bodies = threading.BoundedSemaphore(max(1, slots - 1))

    def __call__(self, environ: dict, start_response):
        length = _content_length(environ)
        chunked = not length and _chunked(environ)
        if not (chunked or 0 < length <= LARGEST_READ_AHEAD):
            with taking_turns(self.slots):
                return self.app(environ, start_response)
        with _read_ahead(environ["wsgi.input"], None if chunked else length) as body:
            if chunked:  # granian de-chunks it and gives no length, and Django reads none
                size = body.seek(0, os.SEEK_END)
                if size > LARGEST_READ_AHEAD:
                    return _too_large(start_response)
                body.seek(0)
                environ["CONTENT_LENGTH"] = str(size)
            environ["wsgi.input"] = body
            with taking_turns(self.bodies, self.slots):
                # Django builds the whole response in this call (having read what it needs of
                # the body); only a streamed response is iterated later, out of its slot.
                return self.app(environ, start_response)


def _content_length(environ: dict) -> int:
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _chunked(environ: dict) -> bool:
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


def _too_large(start_response) -> list[bytes]:
    words = (f"The request body is larger than this site takes "
             f"({LARGEST_READ_AHEAD // 1024 // 1024} MB).\n").encode()
    start_response("413 Content Too Large", [
        ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(words)))])
    return [words]


def _read_ahead(stream, length: int | None) -> SpooledTemporaryFile:
    """The body, whole (up to `length`), or with no length (chunked) up to one byte past the
    largest read ahead, so that the caller sees it is too large."""
    body = SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115 - the caller closes it
    remaining = LARGEST_READ_AHEAD + 1 if length is None else length
    while remaining > 0:
        chunk = stream.read(min(CHUNK, remaining))
        if not chunk:
            break  # the client gave up; the view sees a short body, as it would have
        body.write(chunk)
        remaining -= len(chunk)
    body.seek(0)
    return body


# Readers' beacons (dateline.readership) and the pages the page cache holds are answered
# before the bulkhead: each costs microseconds and no database, and must neither wait for a
# slot behind pages being rendered nor take one. With the hits inside it, a database that
# stopped answering without refusing (a frozen server, a hung disk) left both slots to requests
# waiting on it, and every stored page waited behind them: 2 s, then as long as they did.
application = BeaconFirst(CachedPagesApplication(Bulkhead(
    django_application, slots=int(os.environ.get("DATELINE_THREADS") or os.cpu_count() or 2))))
# Its sign of life for serve's watchdog (dateline.base.heartbeat).
heartbeat.start_thread()

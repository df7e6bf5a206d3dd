"""The demo outlets' HTTP server: 127.0.0.1 only, one thread per request, documents made once
per slot and then served from memory with ETag and Last-Modified (and 304 when unchanged)."""

import hashlib
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from dateline.ingest.demo.documents import (
    CONTENT_TYPES,
    feed_document,
    index_page,
    story_page,
)
from dateline.ingest.demo.outlets import BY_SLUG, OUTLETS
from dateline.ingest.demo.replay import Replay

HOST = "127.0.0.1"  # never another address: the replayed archive is not ours to publish


class Document:
    def __init__(self, body: bytes, content_type: str, modified: datetime) -> None:
        self.body, self.content_type = body, content_type
        self.etag = f'"{hashlib.sha256(body).hexdigest()[:20]}"'
        self.last_modified = format_datetime(modified.astimezone(UTC), usegmt=True)
        self.modified = modified.replace(microsecond=0)

    def unchanged_for(self, headers) -> bool:
        """Whether the client's copy is this one (If-None-Match first, as RFC 9110 says)."""
        if (tags := headers.get("If-None-Match")) is not None:
            return self.etag in {tag.strip() for tag in tags.split(",")} or tags.strip() == "*"
        if since := headers.get("If-Modified-Since"):
            try:
                return self.modified <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False


class DemoOutlets:
    """What the server answers; `clock` is read for every request (tests move it)."""

    def __init__(self, corpus_root: Path, port: int,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 site_terms=None) -> None:
        self.replay, self.clock = Replay(corpus_root, site_terms), clock
        self.base = f"http://{HOST}:{port}"
        # The newest document of each outlet: made once per slot, whatever the polling rate.
        self._feeds: dict[str, tuple[int, Document]] = {}
        self._lock = threading.Lock()

    def feed(self, slug: str) -> Document | None:
        outlet = BY_SLUG.get(slug)
        if outlet is None:
            return None
        now = self.clock()
        slot = self.replay.newest_slot(outlet, now)
        with self._lock:
            cached = self._feeds.get(slug)
            if cached is None or cached[0] != slot:
                entries = self.replay.entries(outlet, now)
                body = feed_document(outlet, entries, self.base)
                modified = entries[0].published if entries else now
                cached = self._feeds[slug] = (slot, Document(body, CONTENT_TYPES[outlet.format],
                                                             modified))
        return cached[1]

    def story(self, slug: str, slot: str) -> Document | None:
        outlet = BY_SLUG.get(slug)
        if outlet is None or not slot.isdigit():
            return None
        # Only what the outlet has "published" by now: the replay does not leak tomorrow's.
        if int(slot) > self.replay.newest_slot(outlet, self.clock()):
            return None
        entry = self.replay.entry(outlet, int(slot))
        if entry is None:
            return None
        return Document(story_page(entry), "text/html; charset=utf-8", entry.published)

    def answer(self, path: str) -> Document | None:
        parts = path.split("?", 1)[0].strip("/").split("/")
        if parts == [""]:
            return Document(index_page(OUTLETS, self.base), "text/html; charset=utf-8",
                            self.clock())
        if len(parts) == 2 and parts[1] == "feed":
            return self.feed(parts[0])
        if len(parts) == 3 and parts[1] == "stories":
            return self.story(parts[0], parts[2])
        return None


class Handler(BaseHTTPRequestHandler):
    server: "DemoServer"
    server_version = "DatelineDemoOutlets"

    def do_GET(self) -> None:
        self._respond(with_body=True)

    def do_HEAD(self) -> None:
        self._respond(with_body=False)

    def _respond(self, with_body: bool) -> None:
        document = self.server.outlets.answer(self.path)
        if document is None:
            self.send_error(HTTPStatus.NOT_FOUND, "No such demo outlet or story")
            return
        unchanged = document.unchanged_for(self.headers)
        self.send_response(HTTPStatus.NOT_MODIFIED if unchanged else HTTPStatus.OK)
        self.send_header("ETag", document.etag)
        self.send_header("Last-Modified", document.last_modified)
        self.send_header("Cache-Control", "no-cache")
        if not unchanged:
            self.send_header("Content-Type", document.content_type)
            self.send_header("Content-Length", str(len(document.body)))
        self.end_headers()
        if with_body and not unchanged:
            self.wfile.write(document.body)

    def log_message(self, format: str, *args) -> None:
        # The worker polls every few minutes; a line per poll would drown `make run`'s log.
        pass


class DemoServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, outlets_factory: Callable[[int], DemoOutlets], port: int = 0) -> None:
        super().__init__((HOST, port), Handler)
        self.outlets = outlets_factory(self.server_address[1])


def serve_forever(corpus_root: Path, port: int, site_terms=None,
                  say: Callable[[str], None] = print) -> None:
    """Make every feed, then answer until interrupted (SIGINT) or terminated (SIGTERM)."""
    server = DemoServer(lambda bound: DemoOutlets(corpus_root, bound, site_terms=site_terms),
                        port)
    # Read the corpus and make every feed now, not on the worker's first poll.
    for outlet in OUTLETS:
        server.outlets.feed(outlet.slug)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    say(f"Demo outlets replaying the archive on http://{HOST}:{server.server_address[1]}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()

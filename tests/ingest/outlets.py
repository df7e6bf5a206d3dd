"""The fixture outlet server: a real HTTP server on 127.0.0.1 that plays outlets, good and bad.

Routes serve real sample feeds (built from ../shared/corpus stories) with ETag and
Last-Modified, answering 304 to a conditional request that matches; and, on demand, slow
answers that drip bytes, 5xx errors, redirect loops, answers of 50 MB, gzip bombs and wrong
content types. It counts requests per path, keeps their headers, and records how many
requests were in flight at once (the politeness tests read `most_at_once`): from a request's
arrival to the end of its `hold`, before its answer is written, since a polite client may
send the next request the moment it has read an answer, before this server's thread has run
again (counted to the answer's end, a busy machine showed two at once).
"""

import contextlib
import gzip
import hashlib
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

from tests.conftest import require_shared
from tests.serving import serve_in_thread

RSS = "application/rss+xml; charset=utf-8"


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = RSS
    headers: dict = field(default_factory=dict)
    validators: bool = True  # ETag and Last-Modified, and 304 to a matching request
    drip: float = 0  # seconds between single bytes (a slow server)
    size: int = 0  # a generated answer of this many bytes (streamed, no Content-Length)
    hold: float = 0  # seconds to think before answering (to see requests overlap)


class _QuietServer(ThreadingHTTPServer):
    """Says nothing when the client cut the connection, as the fetcher does past its limits
    (socketserver prints each such reset's traceback to the test output)."""

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exception(), ConnectionError):
            super().handle_error(request, client_address)


class Outlets:
    """The server's routes and what it saw; `url(path)` is where a test points a feed."""

    def __init__(self, address: str = "127.0.0.1") -> None:
        # Another loopback address (127.0.0.2, ...) is another host to the poller.
        self.address = address
        self.routes: dict[str, Route] = {}
        self.seen: list[tuple[str, dict]] = []
        self.at_once = self.most_at_once = 0
        self._lock = threading.Lock()
        self.server = _QuietServer((address, 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = serve_in_thread(self.server)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str, host: str = "") -> str:
        return f"http://{host or self.address}:{self.server.server_address[1]}{path}"

    # What a path serves.
    def serve(self, path: str, body: bytes | str, content_type: str = RSS, **options) -> Route:
        body = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(body=body, content_type=content_type, **options)
        return self.routes[path]

    def fail(self, path: str, status: int = 503) -> None:
        self.routes[path] = Route(status=status, body=b"<h1>Sorry</h1>",
                                  content_type="text/html", validators=False)

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        self.routes[path] = Route(status=status, headers={"Location": to}, validators=False)

    def huge(self, path: str, size: int = 50 * 1024 * 1024) -> None:
        self.routes[path] = Route(size=size, validators=False)

    def gzip_bomb(self, path: str, expands_to: int = 2 * 1024**3) -> None:
        """A gzip body of about a thousandth of `expands_to` (one member of zeros, repeated)."""
        member = gzip.compress(bytes(1024 * 1024), compresslevel=9)
        self.routes[path] = Route(body=member * (expands_to // (1024 * 1024)), validators=False,
                                  headers={"Content-Encoding": "gzip"})

    # What it saw.
    def hits(self, path: str) -> int:
        return sum(1 for seen, _ in self.seen if seen == path)

    def headers(self, path: str) -> list[dict]:
        return [headers for seen, headers in self.seen if seen == path]

    def _enter(self, path: str, headers: dict) -> None:
        with self._lock:
            self.seen.append((path, headers))
            self.at_once += 1
            self.most_at_once = max(self.most_at_once, self.at_once)

    def _leave(self) -> None:
        with self._lock:
            self.at_once -= 1


def _handler(outlets: Outlets) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet in the test output
            pass

        def do_GET(self) -> None:
            route = outlets.routes.get(self.path)
            outlets._enter(self.path, dict(self.headers.items()))
            try:
                time.sleep(route.hold if route else 0)
            finally:
                outlets._leave()
            # The client may stop reading, as it should past its limits.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._answer(route)

        def _answer(self, route: Route | None) -> None:
            if route is None:
                route = Route(status=404, body=b"Not found", content_type="text/plain",
                              validators=False)
            headers = dict(route.headers)
            if route.validators:
                headers["ETag"] = f'"{hashlib.sha256(route.body).hexdigest()[:16]}"'
                headers["Last-Modified"] = LAST_MODIFIED
                # As RFC 9110 says: If-None-Match decides when sent, If-Modified-Since if not.
                asked = self.headers.get("If-None-Match")
                if (asked == headers["ETag"] if asked is not None
                        else self.headers.get("If-Modified-Since") == LAST_MODIFIED):
                    self.send_response(304)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            self.send_response(route.status)
            for name, value in headers.items():
                self.send_header(name, value)
            if route.content_type:
                self.send_header("Content-Type", route.content_type)
            if route.size:  # streamed until the client gives up or the size is reached
                self.send_header("Connection", "close")
                self.end_headers()
                block = b"<item>" + b"x" * (64 * 1024 - 13) + b"</item>"
                for _ in range(route.size // len(block)):
                    self.wfile.write(block)
                return
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            if route.drip:
                for index in range(len(route.body)):
                    self.wfile.write(route.body[index:index + 1])
                    self.wfile.flush()
                    time.sleep(route.drip)
            else:
                self.wfile.write(route.body)

    return Handler


LAST_MODIFIED = format_datetime(datetime(2026, 3, 2, 9, 30, tzinfo=UTC), usegmt=True)


def bbc_stories(count: int, start: int = 0) -> list[dict]:
    """Real BBC News stories from the shared corpus (headline, body, section)."""
    path = require_shared("corpus/bbc-news/articles.jsonl")
    with path.open(encoding="utf-8") as lines:
        stories = [json.loads(line) for _, line in zip(range(start + count), lines, strict=False)]
    return stories[start:]


def rss(stories: list[dict], *, guids: bool = True, links: bool = True,
        title: str = "BBC News (replayed)", base: str = "https://news.example/") -> str:
    """An RSS 2.0 feed of `stories`; each may carry "changed" text for its description."""
    published = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    items = []
    for index, story in enumerate(stories):
        parts = [f"<title>{escape(story['title'])}</title>",
                 f"<description>{escape(story.get('summary') or teaser(story))}</description>",
                 f"<pubDate>{format_datetime(published - timedelta(minutes=index))}</pubDate>"]
        if links:
            parts.append(f"<link>{base}{story['id']}</link>")
        if guids:
            parts.append(f'<guid isPermaLink="false">{story["id"]}</guid>')
        items.append("<item>" + "".join(parts) + "</item>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>{base}</link>"
            "<description>Stories replayed from the BBC News dataset</description>"
            + "".join(items) + "</channel></rss>")


def teaser(story: dict) -> str:
    return story["body"].split("\n\n")[0]

"""The HTTP client of ingest: polite to outlets, safe against hostile ones.

- Conditional GET: the validators of the last answer are sent; 304 means nothing new.
- http and https only, no proxy; every address a name resolves to must be public unless
  DATELINE_INGEST_ALLOW_PRIVATE (dateline.base.outbound's check, the one pictures uses too:
  made as the socket connects, to the address it connects to, at every redirect too, so a
  name that answers differently later gains nothing).
- Limits: TIMEOUT seconds to connect and per read, TOTAL_TIMEOUT for the whole answer
  (headers included: the connection is cut when it is spent, however slowly bytes come),
  MAX_BYTES counted as the bytes stream in and again as they are decompressed (a small gzip
  body that grows to gigabytes stops at the cap), MAX_REDIRECTS hops, loops named.
- One request at a time per host, across threads and worker processes (hosts.turn), with a
  gap between requests to one host.
Every refusal is a FetchError whose message an editor reads on the desk.
"""

import contextlib
import email.utils
import http.client
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from dateline.base import outbound
from dateline.base.numbers import whole_number
from dateline.ingest import hosts
from dateline.ingest.services.base import ServiceError

CHUNK = 64 * 1024
# How a feed's error names an outlet's Retry-After; the desk's "Poll now" looks for it.
ASKED_TO_WAIT = "it asked to wait"
# The longest validators kept (Feed.etag, Feed.last_modified).
ETAG_MOST, LAST_MODIFIED_MOST = 500, 100
USER_AGENT = "Dateline ingest (news agency feed reader; +https://github.com/dateline)"


class FetchError(ServiceError):
    """Nothing was fetched; the message says why, in words."""


@dataclass
class Answer:
    url: str  # after redirects
    status: int
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == HTTPStatus.NOT_MODIFIED


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB"


def fetch(url: str, *, etag: str = "", last_modified: str = "") -> Answer:
    """The answer at `url` (after redirects), or FetchError."""
    # Seconds the answer may take in all, counted only while this feed holds its host's turn:
    # counted from the start, the wait for another feed of the same slow host used it up,
    # and this one was failed (towards its pause) for the other's slowness.
    budget = _Budget(settings.DATELINE_INGEST_TOTAL_TIMEOUT)
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate",
               "Accept": "application/rss+xml, application/atom+xml, application/feed+json, "
                         "application/json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    visited = [url]
    limit = settings.DATELINE_INGEST_MAX_REDIRECTS
    while True:
        answer, location = _request(url, headers, budget)
        if location is None:
            return answer
        url = urljoin(url, location)
        if url in visited:
            raise FetchError("Redirect loop: " + " → ".join(_short(u) for u in [*visited, url]))
        visited.append(url)
        if len(visited) > limit + 1:
            raise FetchError(f"Too many redirects ({len(visited) - 1}): "
                             + " → ".join(_short(u) for u in visited))


def _short(url: str) -> str:
    return url if len(url) <= 100 else url[:99] + "…"


class _Budget:
    def __init__(self, seconds: float) -> None:
        self.left = seconds


def validator(value: str | None, most: int) -> str:
    """An ETag or Last-Modified as it may be sent back: on one line (an outlet's folded
    header came back to it with its line break), and none at all past `most` characters
    (cut short, it would never match)."""
    flat = " ".join((value or "").split())
    return flat if len(flat) <= most else ""


def _request(url: str, headers: dict, budget: _Budget) -> tuple[Answer, str | None]:
    """One request: the answer, or the Location it redirects to."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise FetchError(f"{_short(url)} is not an http(s) address")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    timeout = settings.DATELINE_INGEST_TIMEOUT
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    with hosts.turn(f"{parts.hostname}:{port}"):
        started = time.monotonic()
        deadline = started + budget.left
        connection = _connection(parts.scheme, parts.hostname, port, timeout)
        guard = _Deadline(connection, deadline)
        try:
            connection.request("GET", target, headers={**headers, "Host": parts.netloc})
            response = connection.getresponse()
            if response.status in {301, 302, 303, 307, 308} and response.getheader("Location"):
                return Answer(url, response.status), response.getheader("Location")
            if response.status == HTTPStatus.NOT_MODIFIED:
                return Answer(url, response.status,
                              etag=validator(response.getheader("ETag"), ETAG_MOST),
                              last_modified=validator(response.getheader("Last-Modified"),
                                                      LAST_MODIFIED_MOST)), None
            if response.status != HTTPStatus.OK:
                wait = retry_after(response.getheader("Retry-After", ""))
                asked = f"; {ASKED_TO_WAIT} {wait:,} s" if wait else ""
                raise FetchError(f"The server answered {response.status} {_phrase(response)}"
                                 f"{asked}", retry_after=wait)
            try:
                body = _read(response, deadline)
            except FetchError:
                guard.check()  # cut short by the guard: its time, not the server, ended it
                raise
            guard.check()  # a body cut short by the guard is no body
        except outbound.AddressRefused as refused:  # not an OSError, so named on its own
            raise _refusal(refused) from None
        except TimeoutError:
            guard.check()
            raise FetchError(f"The server did not answer within {timeout:g} s") from None
        except ssl.SSLError as exc:
            guard.check()
            raise FetchError(f"The secure connection failed ({exc.reason or exc})") from None
        except (OSError, http.client.HTTPException) as exc:
            guard.check()
            raise FetchError(f"The connection to {parts.hostname} failed ({exc})") from None
        finally:
            guard.cancel()
            connection.close()
            budget.left -= time.monotonic() - started
    return Answer(url, response.status, body, response.getheader("Content-Type", ""),
                  validator(response.getheader("ETag"), ETAG_MOST),
                  validator(response.getheader("Last-Modified"), LAST_MODIFIED_MOST)), None


def retry_after(value: str) -> int | None:
    """Retry-After's seconds, given as seconds or an HTTP date (RFC 9110); None if neither."""
    value = value.strip()[:100]
    if (seconds := whole_number(value)) is not None:
        return min(seconds, 10**8)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        return None
    return max(0, int((when - datetime.now(UTC)).total_seconds()))


class _Deadline:
    """Cuts the connection once the whole answer's time is spent. The per-read timeout alone
    never ends an answer whose server sends its headers, or a chunk's size line, a byte every
    few seconds (http.client reads those within one call, each byte inside the timeout): such
    an outlet held the worker's round, and every feed after it, for as long as it liked."""

    def __init__(self, connection, deadline: float) -> None:
        self.connection, self.expired = connection, threading.Event()
        self.timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._cut)
        self.timer.daemon = True
        self.timer.start()

    def _cut(self) -> None:
        self.expired.set()
        sock = self.connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # the blocked read returns at once

    def check(self) -> None:
        if self.expired.is_set():
            total = settings.DATELINE_INGEST_TOTAL_TIMEOUT
            raise FetchError(f"The answer took longer than {total:g} s") from None

    def cancel(self) -> None:
        self.timer.cancel()


def _phrase(response) -> str:
    try:
        return HTTPStatus(response.status).phrase
    except ValueError:
        return response.reason or "(no reason given)"


def _read(response, deadline: float) -> bytes:
    """The body, decompressed, within the size cap and the deadline."""
    limit = settings.DATELINE_INGEST_MAX_BYTES
    too_large = FetchError(f"The answer was larger than {megabytes(limit)}")
    length = whole_number(response.getheader("Content-Length", ""))
    if length is not None and length > limit:
        raise too_large
    encoding = response.getheader("Content-Encoding", "").strip().lower()
    # wbits 47: gzip or zlib, recognised from the header; -15: raw deflate (servers differ).
    inflater = zlib.decompressobj(47) if encoding in {"gzip", "x-gzip", "deflate"} else None
    received, body = 0, bytearray()
    while chunk := response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK):
        if encoding == "deflate" and not received and not _zlib_header(chunk):
            inflater = zlib.decompressobj(-15)  # "deflate" sent as raw deflate, no header
        received += len(chunk)
        if received > limit:
            raise too_large
        if time.monotonic() > deadline:
            total = settings.DATELINE_INGEST_TOTAL_TIMEOUT
            raise FetchError(f"The answer took longer than {total:g} s")
        if inflater is None:
            body += chunk
        else:
            try:
                inflater = _inflate(inflater, chunk, body, limit)
            except zlib.error:
                raise FetchError(f"The answer says it is compressed ({encoding}) but cannot be "
                                 "decompressed: damaged, or not compressed that way") from None
            if inflater is None:
                raise too_large
        if len(body) > limit:
            raise too_large
    if length is not None and received < length:
        # The connection closed early: the rest of a feed, or of an article's full text, was
        # taken as all there was (read1 gives what came, and never says it was cut).
        raise FetchError(f"The answer ended after {received:,} of the {length:,} bytes it "
                         "announced: the connection was cut")
    return bytes(body)


def _zlib_header(start: bytes) -> bool:
    """Whether a deflate body starts with zlib's two-byte header (RFC 1950), as HTTP's
    "deflate" should; many servers send the raw stream instead."""
    return len(start) >= 2 and start[0] & 0x0F == 8 and (start[0] << 8 | start[1]) % 31 == 0


def _inflate(inflater, chunk: bytes, body: bytearray, limit: int):
    """Decompress `chunk` onto `body`, never past `limit` + 1 bytes; None once past it.

    A gzip stream may hold several members one after another (a bomb repeats a small one):
    each is inflated in turn, all counted against the one cap.
    """
    while chunk:
        body += inflater.decompress(chunk, limit + 1 - len(body))
        if len(body) > limit or inflater.unconsumed_tail:
            return None
        chunk = inflater.unused_data if inflater.eof else b""
        if inflater.eof:
            inflater = zlib.decompressobj(47)
    return inflater


def _connection(scheme: str, host: str, port: int, timeout: float):
    cls = _HTTPSConnection if scheme == "https" else _HTTPConnection
    return cls(host, port, timeout=timeout)


def _refusal(refused: outbound.AddressRefused) -> FetchError:
    if refused.reason == outbound.NOT_FOUND:
        return FetchError(f"The name {refused.host[:100]} could not be found")
    return FetchError(f"{refused.host[:100]} is a private or local address; refused")


# Checked as the socket connects (dateline.base.outbound), the setting read at each connect.
_HTTPConnection, _HTTPSConnection = outbound.checked_connection_classes(
    lambda: settings.DATELINE_INGEST_ALLOW_PRIVATE)

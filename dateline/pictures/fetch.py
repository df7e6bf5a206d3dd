"""Fetch a photo named by URL in an import: hostile input, so every limit is the fetcher's.

http and https only, no proxy; every address the name resolves to must be a public one unless
DATELINE_PHOTO_FETCH_PRIVATE allows otherwise (tests serve photos on localhost). The check is
dateline.base.outbound's, made where the socket connects, to the very address it connects to,
at each redirect too, so a name that answers differently the second time (DNS rebinding)
gains nothing; check_url refuses early too, before a request is built. At most
MAX_REDIRECTS hops, TIMEOUT seconds per connect and per read, TOTAL seconds in all, and no more
than the photo limit's bytes.
"""

import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings

from dateline.base import outbound
from dateline.base.numbers import whole_number

TIMEOUT = 10
TOTAL = 30
MAX_REDIRECTS = 3
CHUNK = 64 * 1024


class FetchRefused(Exception):
    """The URL was not fetched; the message says why, for the import's summary."""


def max_bytes() -> int:
    return getattr(settings, "DATELINE_PHOTO_MAX_BYTES", 40 * 1024 * 1024)


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise FetchRefused(f"{url[:100]!r} is not an http(s) URL")
    try:
        outbound.public_addresses(parts.hostname, parts.port or 443,
                                  allow_private=_allow_private())
    except outbound.AddressRefused as refused:
        raise _refusal(refused) from None


def _allow_private() -> bool:
    return getattr(settings, "DATELINE_PHOTO_FETCH_PRIVATE", False)


def _refusal(refused: outbound.AddressRefused) -> FetchRefused:
    if refused.reason == outbound.NOT_FOUND:
        return FetchRefused(f"{refused.host[:100]} could not be found")
    return FetchRefused(f"{refused.host[:100]} is a private or local address")


# Checked as the socket connects (dateline.base.outbound), the setting read at each connect.
_HTTPConnection, _HTTPSConnection = outbound.checked_connection_classes(_allow_private)


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_HTTPSConnection, req, context=self._context)


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_url(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str) -> bytes:
    """The body at `url`, or FetchRefused."""
    check_url(url)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _HTTPHandler,
                                         _HTTPSHandler, _CheckedRedirects)
    started = time.monotonic()
    opener.addheaders = [("User-Agent", "Dateline photo import")]
    limit = max_bytes()
    try:
        with opener.open(url, timeout=TIMEOUT) as response:
            length = whole_number(response.headers.get("Content-Length") or "")
            if length is not None and length > limit:
                raise FetchRefused(f"{url[:100]} is larger than {limit:,} bytes")
            data = bytearray()
            # read1: whatever has arrived. read(CHUNK) waits for the whole chunk, and a server
            # sending a byte a second kept it waiting past TOTAL (36 hours for 64 KB).
            while chunk := response.read1(CHUNK):
                data += chunk
                if len(data) > limit:
                    raise FetchRefused(f"{url[:100]} is larger than {limit:,} bytes")
                if time.monotonic() - started > TOTAL:
                    raise FetchRefused(f"{url[:100]} took longer than {TOTAL} seconds")
            return bytes(data)
    except outbound.AddressRefused as refused:  # at connect time; urllib lets it through
        raise _refusal(refused) from None
    except urllib.error.HTTPError as exc:
        raise FetchRefused(f"{url[:100]} answered {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchRefused(f"{url[:100]} could not be fetched ({reason})") from None

"""Fetch a photo named by URL in an import: hostile input, so every limit is the fetcher's.

http and https only; every address the name resolves to (at each redirect too) must be a
public one unless DATELINE_PHOTO_FETCH_PRIVATE allows otherwise (tests serve photos on
localhost); at most MAX_REDIRECTS hops, TIMEOUT seconds per connect and per read, and no more
than the photo limit's bytes. The name is resolved before the request, so a name that
changes its answer between the two (DNS rebinding) is not covered.
"""

import ipaddress
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings

TIMEOUT = 10
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
    if getattr(settings, "DATELINE_PHOTO_FETCH_PRIVATE", False):
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchRefused(f"{parts.hostname[:100]} could not be found") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            raise FetchRefused(f"{parts.hostname[:100]} is a private or local address")


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_url(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str) -> bytes:
    """The body at `url`, or FetchRefused."""
    check_url(url)
    opener = urllib.request.build_opener(_CheckedRedirects)
    opener.addheaders = [("User-Agent", "Dateline photo import")]
    limit = max_bytes()
    try:
        with opener.open(url, timeout=TIMEOUT) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise FetchRefused(f"{url[:100]} is larger than {limit:,} bytes")
            data = bytearray()
            while chunk := response.read(CHUNK):
                data += chunk
                if len(data) > limit:
                    raise FetchRefused(f"{url[:100]} is larger than {limit:,} bytes")
            return bytes(data)
    except urllib.error.HTTPError as exc:
        raise FetchRefused(f"{url[:100]} answered {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchRefused(f"{url[:100]} could not be fetched ({reason})") from None

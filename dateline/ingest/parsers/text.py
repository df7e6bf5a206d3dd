"""Outlets' text made safe and bounded: HTML bodies sanitised, summaries plain, URLs canonical.

Nothing an outlet sends reaches a page unsanitised: bodies go through the newsroom's own
sanitiser (the tags a story body may hold, no scripts, no event handlers, no javascript:
links); headlines and summaries are plain text; text is as the newsroom keeps its own
(dateline.newsroom.html.as_meant: no control characters, composed). Every field is
bounded, so one hostile item cannot fill the database.
"""

import contextvars
import re
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager

from dateline.base.graphemes import clipped
from dateline.newsroom.html import as_meant, paragraphs_to_html, plain_text, sanitize_body

MAX_HEADLINE = 300
MAX_SUMMARY = 1_000
MAX_BODY = 200_000
MAX_AUTHOR = 200
MAX_URL = 2_000
MAX_GUID = 500
MAX_RAW = 64 * 1024
# Query parameters that say who sent a reader, not which story: dropped from canonical URLs.
TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|_ga)$", re.I)
DEFAULT_PORTS = {"http": 80, "https": 443}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z/!]|&[#a-zA-Z0-9]+;")
# Half of a UTF-16 pair, alone: JSON's "\ud800" escape gives one, and no encoding of text
# can carry it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub(value: str) -> str:
    """`value` with each lone surrogate as U+FFFD: left in, hashing the item's words and
    writing it failed, and the poll with it, every other feed of its host waiting."""
    return _LONE_SURROGATE.sub("\ufffd", value)


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word where one is near, with an ellipsis."""
    text = _CONTROL.sub("", text or "")
    if len(text) <= limit:
        return text
    cut = clipped(text, limit - 1)
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip() + "…"


def plain(markup: str, limit: int) -> str:
    """Plain text from an outlet's HTML or text, whitespace collapsed, bounded."""
    markup = as_meant((markup or "")[: limit * 20])
    if _LOOKS_LIKE_HTML.search(markup):
        # Sanitised first, so that a script's or a style's text never becomes the summary.
        text = plain_text(sanitize_body(markup))
    else:
        text = " ".join(markup.split())
    return clip(text, limit)


def body(markup: str) -> str:
    """Sanitised HTML for a story body; "" for an empty one."""
    markup = as_meant(markup or "")
    if not markup.strip():
        return ""
    if not _LOOKS_LIKE_HTML.search(markup):  # plain text: keep its paragraphs
        markup = paragraphs_to_html(markup)
    cleaned = sanitize_body(markup[:MAX_BODY])
    return cleaned if plain_text(cleaned) else ""


# The address of the document being read, where a relative link ("/world/2") is read against
# it: set by the poller around each answer it parses (`read_from`). Unset (an import, a
# folder's file), a relative link is dropped, having nothing to be relative to.
_BASE = contextvars.ContextVar("ingest_document_url", default="")


@contextmanager
def read_from(url: str) -> Iterator[None]:
    token = _BASE.set(url if url.lower().startswith(("https://", "http://")) else "")
    try:
        yield
    finally:
        _BASE.reset(token)


def link(url: str) -> str:
    """An outlet's link as given, if it is a web address; "" otherwise (javascript:, data:).
    A relative one is read against the document's own address, where known."""
    url = _CONTROL.sub("", (url or "").strip())[:MAX_URL]
    try:
        scheme = urllib.parse.urlsplit(url).scheme.lower()
        if url and not scheme and (base := _BASE.get()):
            joined = urllib.parse.urljoin(base, url)[:MAX_URL]
            # "#" or "#top" is the feed itself (its query may hold the agency's key), no
            # story's address: left out, as before.
            if urllib.parse.urldefrag(joined)[0] == urllib.parse.urldefrag(base)[0]:
                return ""
            url, scheme = joined, urllib.parse.urlsplit(joined).scheme.lower()
    except ValueError:
        return ""
    return url if scheme in DEFAULT_PORTS else ""


def canonical_url(url: str) -> str:
    """The link normalised, so one story under two spellings is one story.

    Scheme and host lower-case, the default port, the fragment and tracking parameters
    (utm_*, fbclid, gclid …) dropped; the path and the other parameters kept as they are.
    """
    url = link(url)
    if not url:
        return ""
    try:
        parts = urllib.parse.urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:  # a port that is not a number
        return ""
    if not host:
        return ""
    scheme = parts.scheme.lower()
    if ":" in host:  # IPv6
        host = f"[{host}]"
    if port and port != DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    kept = urllib.parse.urlencode([(k, v) for k, v in query if not TRACKING.match(k)])
    return urllib.parse.urlunsplit((scheme, host, parts.path or "/", kept, ""))

"""Rendered parts of answers (a page's story, a wire item), kept with their surrogate keys.

A part is stored like a page: with the version of every key it names, checked on the way out,
and trusted by each process until the generation moves. An edit re-renders only the parts
that show what changed.
"""

import logging
from collections.abc import Callable

from django.conf import settings

from dateline.base.cachefailure import log_failure

from . import store

logger = logging.getLogger(__name__)
PREFIX = "part:"
_checked = store.CheckedPages(limit=50_000)


def enabled() -> bool:
    return settings.DATELINE_FRAGMENT_CACHE_ON


def lookup(name: str) -> tuple[bytes, set[str]] | None:
    """A stored part that is still valid, or None (also when the cache is unreachable)."""
    if not enabled():
        return None
    try:
        part = _checked.load(PREFIX + name, store.generation())
    except Exception:
        log_failure(logger, "page cache unavailable; not reading %s", name)
        return None
    return None if part is None else (part.body, set(part.keys))


def generation() -> str | None:
    try:
        return store.generation()
    except Exception:
        return None


def keep(name: str, body: bytes, found: set[str], started: str | None) -> None:
    """Store a part rendered since `started` (skipped if anything changed meanwhile)."""
    if not enabled() or started is None:
        return
    try:
        store.save(PREFIX + name, store.CachedPage(200, [], body, "", frozenset(found)), started)
    except Exception:
        log_failure(logger, "page cache unavailable; not storing %s", name)


def cached(name: str, render: Callable[[], tuple[str, set[str]]]) -> tuple[str, set[str]]:
    """The stored text part `name` if still valid, else `render()`'s, kept for next time."""
    hit = lookup(name)
    if hit is not None:
        return hit[0].decode(), hit[1]
    started = generation()
    text, found = render()
    keep(name, text.encode(), found, started)
    return text, found

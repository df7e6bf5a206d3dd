"""Rendered parts of pages, kept with the surrogate keys of what they show.

A page the page cache cannot answer (a reader with a session, or right after something it
shows changed) is assembled from parts that are still valid: an edit to one story re-renders
that story's part, not the related stories beside it, and the other way round.
"""

import logging
from collections.abc import Callable

from django.conf import settings

from dateline.pagecache import store

logger = logging.getLogger(__name__)
PREFIX = "fragment:"
_checked = store.CheckedPages(limit=20_000)


def fragment(name: str, render: Callable[[], tuple[str, set[str]]]) -> tuple[str, set[str]]:
    """The stored part named `name` if still valid, else `render()`'s, stored for next time."""
    if not settings.DATELINE_FRAGMENT_CACHE_ON:
        return render()
    try:
        started = store.generation()
        part = _checked.load(PREFIX + name, started)
        if part is not None:
            return part.body.decode(), set(part.keys)
    except Exception:
        logger.warning("page cache unavailable; rendering %s", name, exc_info=True)
        return render()
    html, found = render()
    try:
        store.save(PREFIX + name, store.CachedPage(200, [], html.encode(), "", frozenset(found)),
                   started)
    except Exception:
        logger.warning("page cache unavailable; not storing %s", name, exc_info=True)
    return html, found

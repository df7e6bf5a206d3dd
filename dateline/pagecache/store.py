"""Cached pages and the versions of their keys, kept in a Django cache shared by processes.

A page is stored with the version of every key it names. Invalidating a key gives it a new,
unique version, so every page naming it stops matching: exact, and safe across processes and
machines without atomic counters. A global generation, renewed by every invalidation, lets a
process trust the pages it already checked until something, anywhere, changes.
"""

import hashlib
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches

from . import pagefiles
from .board import GenerationBoard
from .keys import EVERYTHING

GENERATION = "pc:gen"
PAGE_PREFIX = "pc:p:"
VERSION_PREFIX = "pc:v:"


@dataclass
class CachedPage:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    etag: str
    keys: frozenset[str]
    versions: dict[str, str] = field(default_factory=dict)
    expires: float = 0.0  # time.time() after which no process may serve it


def backend():
    return caches[settings.DATELINE_PAGE_CACHE]


def new_version() -> str:
    return uuid.uuid4().hex


_boards: dict[str, GenerationBoard] = {}


def board() -> GenerationBoard | None:
    path = settings.DATELINE_PAGE_CACHE_BOARD
    if not path:
        return None
    if path not in _boards:
        _boards[path] = GenerationBoard(path)
    return _boards[path]


def generation() -> str:
    """The current generation, started on first use so that pages can be trusted at once."""
    shared = board()
    if shared is not None:
        return shared.read()
    store = backend()
    current = store.get(GENERATION)
    if current is None:
        store.add(GENERATION, new_version(), timeout=None)
        current = store.get(GENERATION)
    return current


def etag_for(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def versions_of(keys) -> dict[str, str]:
    """Current versions of keys, giving keys that have none a version now."""
    store = backend()
    names = {VERSION_PREFIX + k: k for k in keys}
    found = store.get_many(list(names))
    missing = {name: new_version() for name in names if name not in found}
    if missing:
        store.set_many(missing, timeout=None)
        found.update(missing)
    return {names[name]: version for name, version in found.items()}


def save(page_key: str, page: CachedPage, started_generation: str | None) -> bool:
    """Store a rendered page unless something was invalidated while it was being rendered."""
    store = backend()
    page.versions = versions_of(page.keys | {EVERYTHING})
    page.expires = time.time() + settings.DATELINE_PAGE_CACHE_TIMEOUT
    if generation() != started_generation:
        return False  # it may show what changed meanwhile; the next request renders anew
    store.set(PAGE_PREFIX + page_key, page, timeout=settings.DATELINE_PAGE_CACHE_TIMEOUT)
    return True


def kept_since(page_key: str, etag: str) -> str | None:
    """The Last-Modified of the copy kept under `page_key`, valid or not, if its body was this
    one (`etag`): a page rendered again unchanged, after an invalidation of something it
    names, keeps the date a poller sending only If-Modified-Since holds."""
    kept = backend().get(PAGE_PREFIX + page_key)
    if kept is None or kept.etag != etag:
        return None
    return dict(kept.headers).get("Last-Modified")


def load(page_key: str) -> CachedPage | None:
    """The stored page, if every key it names still has the version it was stored with."""
    store = backend()
    page = store.get(PAGE_PREFIX + page_key)
    if page is None:
        return None
    current = store.get_many([VERSION_PREFIX + k for k in page.versions])
    if any(current.get(VERSION_PREFIX + k) != v for k, v in page.versions.items()):
        return None
    return page


class CheckedPages:
    """Pages (or parts) this process has checked, trusted until the generation changes.

    A hit then costs a dictionary lookup plus reading the generation, instead of one cache
    read for the page and one for each of its keys. A server's threads share one instance:
    a lock guards the dictionary (a pop between another thread's insert and its
    move_to_end would raise), never the cache read itself.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.pages: OrderedDict[str, tuple[str, CachedPage]] = OrderedDict()
        self.lock = threading.Lock()

    def load(self, key: str, current_generation: str) -> CachedPage | None:
        with self.lock:
            checked = self.pages.get(key)
        if (checked is not None and checked[0] == current_generation
                and checked[1].expires > time.time()):
            return checked[1]
        page = load(key)
        with self.lock:
            if page is None:
                self.pages.pop(key, None)
                return None
            self.pages[key] = (current_generation, page)
            self.pages.move_to_end(key)
            while len(self.pages) > self.limit:
                self.pages.popitem(last=False)
        return page


def invalidate(keys) -> None:
    """Make every page that names one of these keys stale, everywhere, at once."""
    keys = set(keys)
    if not keys:
        return
    store = backend()
    # The generation moves before the versions, or a page rendered from the old state and
    # saved while they are written would read the new versions, find the generation
    # unchanged and be kept (a stale page, served as fresh until the next change); and
    # after them, or a process checking a page meanwhile would trust the old versions under
    # the new generation.
    try:
        _renew_generation(store)
        store.set_many({VERSION_PREFIX + k: new_version() for k in keys}, timeout=None)
        fresh = _renew_generation(store)
    except Exception:
        # The cache did not take the change (it is replayed once it answers: invalidation.py),
        # but nginx would go on serving this server's files of the pages it touches: they are
        # left all the same, for a folder no generation names, so none is written meanwhile.
        pagefiles.follow(new_version())
        raise
    # The files nginx serves (pagefiles.py) left at once here; `dateline serve` moves every
    # other server's within its next look.
    pagefiles.follow(fresh)


def _renew_generation(store) -> str:
    fresh = new_version()
    store.set(GENERATION, fresh, timeout=None)
    if (shared := board()) is not None:
        shared.write(fresh)
    return fresh



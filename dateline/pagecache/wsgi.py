"""Answer cache hits before Django: a hit costs a dictionary lookup and one cache read."""

import logging
import threading
import time

from django.conf import settings

from dateline.base.cachefailure import log_failure

from . import store
from .outcomes import log_hit, note
from .policy import PagePolicy, cache_key, not_modified

logger = logging.getLogger(__name__)

STARTED_GENERATION = "dateline.pagecache.generation"
PAGE_KEY = "dateline.pagecache.key"
# How long a request for a page another thread is rendering waits for it, at most, before
# rendering it itself.
SAME_RENDER_WAIT_S = 10.0


def _has_body(environ: dict) -> bool:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > 0 or "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


class RendersUnderWay:
    """The pages this process is rendering, by key, each with the generation it began under.

    Twenty readers asking for one 1.4 MB sitemap (0.9 s to render) rendered it twenty times
    at once, and every page of the site waited behind them. A request for a page already
    being rendered under the same generation waits for that render and then looks in the
    cache again: nothing changed since the render began, so the page it stored is as fresh
    as one it would render. Under a newer generation, or when that render was not stored, it
    renders the page itself, as before.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.under_way: dict[str, tuple[str, threading.Event]] = {}

    def wait_for(self, key: str, generation: str) -> bool:
        """Wait for the render of `key` under `generation`, if one is under way."""
        with self.lock:
            render = self.under_way.get(key)
        if render is None or render[0] != generation:
            return False
        render[1].wait(SAME_RENDER_WAIT_S)
        return True

    def begin(self, key: str, generation: str) -> threading.Event:
        done = threading.Event()
        with self.lock:
            self.under_way[key] = (generation, done)
        return done

    def end(self, key: str, done: threading.Event) -> None:
        with self.lock:
            if self.under_way.get(key, (None, None))[1] is done:  # not a later one's
                del self.under_way[key]
        done.set()


class CachedPagesApplication:
    """Wrap Django's WSGI application; serve stored pages, hand everything else on."""

    def __init__(self, application) -> None:
        self.application = application
        self.checked = store.CheckedPages(settings.DATELINE_PAGE_CACHE_LOCAL_PAGES)
        self.policy = PagePolicy()
        self.renders = RendersUnderWay()

    def __call__(self, environ, start_response):
        # The hit path `make bench` measures: kept in one piece on purpose, no extra calls.
        started = time.perf_counter()
        reason = self.policy.bypass_reason(environ)
        if reason is not None:
            note(environ, "bypass", reason)
            return self.application(environ, start_response)
        key = cache_key(environ)
        try:
            generation = store.generation()
            page = self.checked.load(key, generation)
        except Exception:  # the cache is down: readers still get pages, from Django
            log_failure(logger, "page cache unavailable; serving %s uncached", key)
            note(environ, "bypass", "unavailable")
            return self.application(environ, start_response)
        # Only a request without a body is waited for, or waits: a GET whose announced body
        # never comes would hold every reader of the page behind it (the bulkhead refuses it,
        # but only once it is its turn).
        shared = not _has_body(environ)
        if page is None and shared and self.renders.wait_for(key, generation):
            page = self._load_after_wait(key)
        if page is None:
            note(environ, "miss")
            environ[STARTED_GENERATION] = generation
            environ[PAGE_KEY] = key
            if not shared:
                return self.application(environ, start_response)
            done = self.renders.begin(key, generation)
            try:
                return self.application(environ, start_response)
            finally:  # Django built the whole response (and stored it) in that call
                self.renders.end(key, done)
        headers = [*page.headers, ("X-Cache", "HIT")]
        if (("HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ)
                and not_modified(environ, page.etag, dict(page.headers).get("Last-Modified"))):
            start_response("304 Not Modified", [h for h in headers if h[0] != "Content-Length"])
            log_hit(environ, 304, started)
            return []
        start_response("200 OK", headers)
        log_hit(environ, 200, started)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [page.body]

    def _load_after_wait(self, key: str):
        try:
            return self.checked.load(key, store.generation())
        except Exception:
            log_failure(logger, "page cache unavailable; serving %s uncached", key)
            return None

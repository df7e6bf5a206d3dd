"""Answer cache hits before Django: a hit costs a dictionary lookup and one cache read."""

import logging
import threading
import time

from django.conf import settings

from dateline.base.bodies import has_body
from dateline.base.cachefailure import log_failure

from . import pagefiles, store
from .outcomes import log_hit, note
from .policy import PagePolicy, cache_key, not_modified

logger = logging.getLogger(__name__)

STARTED_GENERATION = "dateline.pagecache.generation"
PAGE_KEY = "dateline.pagecache.key"
# How long a request for a page another thread is rendering waits for it, at most, before
# rendering it itself.
SAME_RENDER_WAIT_S = 10.0


class RendersUnderWay:
    """The pages this process is rendering, by key, each with the generation it began under.

    Twenty readers asking for one 1.4 MB sitemap (0.9 s to render) rendered it twenty times
    at once, and every page of the site waited behind them. A request for a page already
    being rendered under the same generation waits for that render and then looks in the
    cache again: nothing changed since the render began, so the page it stored is as fresh
    as one it would render. When that render was not stored (something changed while it
    ran), one of those waiting renders the page again and the others wait for that one:
    all of them rendering at once, every few seconds while an archive was analysed, had
    kept the herd.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.under_way: dict[str, tuple[str, threading.Event]] = {}

    def claim(self, key: str, generation: str) -> tuple[bool, threading.Event]:
        """(True, its event) when the caller is to render the page, and end() it; (False, the
        render's event) when one is under way under this generation, to wait for."""
        with self.lock:
            render = self.under_way.get(key)
            if render is not None and render[0] == generation:
                return False, render[1]
            done = threading.Event()
            self.under_way[key] = (generation, done)
            return True, done

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
        self.page_files = bool(settings.DATELINE_PAGE_FILES_DIR)
        if self.page_files:
            try:
                pagefiles.write_nginx_headers()
            except (OSError, ValueError) as error:
                logger.error("page files: no headers for nginx (%s); none written", error)
                self.page_files = False

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
        done = None
        # Only a request without a body is waited for, or waits: a GET whose announced body
        # never comes would hold every reader of the page behind it (the bulkhead refuses it,
        # but only once it is its turn).
        if page is None and not has_body(environ):
            page, generation, done = self._wait_or_lead(key, generation)
        if page is None:
            note(environ, "miss")
            environ[STARTED_GENERATION] = generation
            environ[PAGE_KEY] = key
            try:
                return self.application(environ, start_response)
            finally:  # Django built the whole response (and stored it) in that call
                if done is not None:
                    self.renders.end(key, done)
        headers = [*page.headers, ("X-Cache", "HIT")]
        if (("HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ)
                and not_modified(environ, page.etag, dict(page.headers).get("Last-Modified"))):
            start_response("304 Not Modified", [h for h in headers if h[0] != "Content-Length"])
            log_hit(environ, 304, started)
            return []
        start_response("200 OK", headers)
        log_hit(environ, 200, started)
        if self.page_files:  # nginx had no file of it (or the app is asked directly)
            pagefiles.pages.offer(environ, key, generation, page)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [page.body]

    def _wait_or_lead(self, key: str, generation: str):
        """(the stored page, its generation, None) after waiting for another thread's render;
        or (None, the generation to render under, the event to end) to render it as the one
        others wait for; or (None, generation, None) to render it alone, having waited
        SAME_RENDER_WAIT_S in all, or with the cache away."""
        deadline = time.monotonic() + SAME_RENDER_WAIT_S
        while True:
            leads, done = self.renders.claim(key, generation)
            if leads:
                return None, generation, done
            if not done.wait(max(0.0, deadline - time.monotonic())):
                return None, generation, None
            try:
                generation = store.generation()
                page = self.checked.load(key, generation)
            except Exception:
                log_failure(logger, "page cache unavailable; serving %s uncached", key)
                return None, generation, None
            if page is not None:
                return page, generation, None

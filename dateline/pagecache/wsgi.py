"""Answer cache hits before Django: a hit costs a dictionary lookup and one cache read."""

import logging
import time

from django.conf import settings

from dateline.base.cachefailure import log_failure

from . import store
from .outcomes import log_hit, note
from .policy import PagePolicy, cache_key, not_modified

logger = logging.getLogger(__name__)

STARTED_GENERATION = "dateline.pagecache.generation"
PAGE_KEY = "dateline.pagecache.key"


class CachedPagesApplication:
    """Wrap Django's WSGI application; serve stored pages, hand everything else on."""

    def __init__(self, application) -> None:
        self.application = application
        self.checked = store.CheckedPages(settings.DATELINE_PAGE_CACHE_LOCAL_PAGES)
        self.policy = PagePolicy()

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
        if page is None:
            note(environ, "miss")
            environ[STARTED_GENERATION] = generation
            environ[PAGE_KEY] = key
            return self.application(environ, start_response)
        headers = [*page.headers, ("X-Cache", "HIT")]
        if (("HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ)
                and not_modified(environ, page.etag, dict(page.headers).get("Last-Modified"))):
            start_response("304 Not Modified", [h for h in headers if h[0] != "Content-Length"])
            log_hit(environ, 304, started)
            return []
        start_response("200 OK", headers)
        log_hit(environ, 200, started)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [page.body]

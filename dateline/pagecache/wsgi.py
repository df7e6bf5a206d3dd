"""Answer cache hits before Django: a hit costs a dictionary lookup and one cache read."""

import logging

from django.conf import settings

from . import store
from .policy import PagePolicy, not_modified

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
        key = self.policy.page_key(environ)
        if key is None:
            return self.application(environ, start_response)
        try:
            generation = store.generation()
            page = self.checked.load(key, generation)
        except Exception:  # the cache is down: readers still get pages, from Django
            logger.warning("page cache unavailable; serving %s uncached", key, exc_info=True)
            return self.application(environ, start_response)
        if page is None:
            environ[STARTED_GENERATION] = generation
            environ[PAGE_KEY] = key
            return self.application(environ, start_response)
        headers = [*page.headers, ("X-Cache", "HIT")]
        if (("HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ)
                and not_modified(environ, page.etag, dict(page.headers).get("Last-Modified"))):
            start_response("304 Not Modified", [h for h in headers if h[0] != "Content-Length"])
            return []
        start_response("200 OK", headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [page.body]

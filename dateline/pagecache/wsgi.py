"""Answer cache hits before Django: a hit costs a dictionary lookup and one cache read."""

import logging
import time
from collections import OrderedDict

from django.conf import settings

from . import store
from .policy import PagePolicy, etag_matches

logger = logging.getLogger(__name__)

STARTED_GENERATION = "dateline.pagecache.generation"
PAGE_KEY = "dateline.pagecache.key"


class CachedPagesApplication:
    """Wrap Django's WSGI application; serve stored pages, hand everything else on."""

    def __init__(self, application) -> None:
        self.application = application
        # Pages this process has already checked, with the generation it checked them in.
        self.checked: OrderedDict[str, tuple[str, store.CachedPage]] = OrderedDict()
        self.limit = settings.DATELINE_PAGE_CACHE_LOCAL_PAGES
        self.policy = PagePolicy()

    def __call__(self, environ, start_response):
        key = self.policy.page_key(environ)
        if key is None:
            return self.application(environ, start_response)
        try:
            generation = store.generation()
            page = self._lookup(key, generation)
        except Exception:  # the cache is down: readers still get pages, from Django
            logger.warning("page cache unavailable; serving %s uncached", key, exc_info=True)
            return self.application(environ, start_response)
        if page is None:
            environ[STARTED_GENERATION] = generation
            environ[PAGE_KEY] = key
            return self.application(environ, start_response)
        headers = [*page.headers, ("X-Cache", "HIT")]
        if etag_matches(environ.get("HTTP_IF_NONE_MATCH", ""), page.etag):
            start_response("304 Not Modified", [h for h in headers if h[0] != "Content-Length"])
            return []
        start_response("200 OK", headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [page.body]

    def _lookup(self, key: str, generation: str | None) -> store.CachedPage | None:
        checked = self.checked.get(key)
        if checked is not None and checked[0] == generation and checked[1].expires > time.time():
            return checked[1]
        page = store.load(key)
        if page is None:
            self.checked.pop(key, None)
            return None
        self.checked[key] = (generation, page)
        self.checked.move_to_end(key)
        if len(self.checked) > self.limit:
            self.checked.popitem(last=False)
        return page

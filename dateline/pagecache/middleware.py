"""Give cacheable pages their caching headers and store them for the next reader."""

import logging

from django.utils.http import http_date

from dateline.base.cachefailure import log_failure

from . import pagefiles, store
from .outcomes import OUTCOME, note
from .policy import bypass_reason, cache_control, cache_key, not_modified, store_refusal
from .wsgi import PAGE_KEY, STARTED_GENERATION

logger = logging.getLogger(__name__)

# Headers that belong to one response only.
_NOT_STORED = {"set-cookie", "x-cache", "date"}


class PageCacheMiddleware:
    """List before every middleware but the request timer, so that it sees every header the
    others add (a Set-Cookie, a Vary) before it decides whether a page may be kept."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        environ = request.META
        key = _key_to_store(environ)
        response = self.get_response(request)
        keys = getattr(response, "surrogate_keys", None)
        if keys is not None:
            response["Surrogate-Key"] = " ".join(sorted(keys))
        if key is None:
            return _not_shared(response)
        reason = store_refusal(request, response)
        if reason is not None:
            note(environ, "refused", reason)
            return _not_shared(response)
        _store(key, response, environ)
        if not_modified(request.headers, response["ETag"], response["Last-Modified"]):
            _empty_as_not_modified(response)
        return response


def _key_to_store(environ: dict) -> str | None:
    """The key to store this request's page under; None, with the reason noted, when none."""
    key = environ.get(PAGE_KEY)
    if key is None and OUTCOME not in environ:  # not through CachedPagesApplication
        reason = bypass_reason(environ)
        if reason is not None:
            note(environ, "bypass", reason)
            return None
        key = cache_key(environ)
    if key is not None and STARTED_GENERATION not in environ:
        # Taken before the page renders, so that an invalidation during rendering is seen.
        try:
            environ[STARTED_GENERATION] = store.generation()
        except Exception:
            log_failure(logger, "page cache unavailable; not storing %s", key)
            note(environ, "bypass", "unavailable")
            return None
    return key


def _not_shared(response):
    """A page that names surrogate keys but is not stored here: no shared cache keeps it either."""
    if getattr(response, "surrogate_keys", None) is not None:
        response.setdefault("Cache-Control", "private, no-cache")
    return response


def _store(key: str, response, environ: dict) -> None:
    """Give the page its caching headers and store it; X-Cache says whether it was stored."""
    # A view that said how long its answer may be shared keeps its word.
    response.setdefault("Cache-Control", cache_control())
    response["ETag"] = store.etag_for(response.content)
    # When this version was made, whatever the view said: a feed's or a sitemap's own date is
    # its newest story's, which a kill, a deletion or a story released late leaves as it was
    # while the body changes, so a poller sending only If-Modified-Since kept the old copy.
    # The same body rendered again (something it names changed, not what it shows) keeps its
    # date: on a busy site the feeds were "modified" at every render, and answered in full.
    response["Last-Modified"] = _kept_since(key, response["ETag"]) or http_date()
    if "Content-Length" not in response:
        response["Content-Length"] = str(len(response.content))
    page = store.CachedPage(
        status=200,
        headers=[(k, v) for k, v in response.items() if k.lower() not in _NOT_STORED],
        body=response.content, etag=response["ETag"], keys=frozenset(response.surrogate_keys),
    )
    try:
        stored = store.save(key, page, environ.get(STARTED_GENERATION))
    except Exception:
        log_failure(logger, "page cache unavailable; not storing %s", key)
        note(environ, "refused", "unavailable")
        stored = False
    else:  # not stored: something it may show was invalidated while it was rendered
        note(environ, *(("stored",) if stored else ("refused", "changed")))
    if stored:
        pagefiles.pages.offer(environ, key, environ[STARTED_GENERATION], page)
    response["X-Cache"] = "MISS" if stored else "PASS"


def _kept_since(key: str, etag: str) -> str | None:
    try:
        return store.kept_since(key, etag)
    except Exception:
        log_failure(logger, "page cache unavailable; not reading %s", key)
        return None


def _empty_as_not_modified(response) -> None:
    """Answer 304: the reader's copy is the page just rendered."""
    response.status_code = 304
    response.content = b""
    del response["Content-Length"]

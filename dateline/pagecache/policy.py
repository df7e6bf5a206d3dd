"""Which requests the page cache answers, and under which key it files a page."""

import re

from django.conf import settings
from django.utils.http import parse_http_date_safe

_PAGE_QUERY = re.compile(r"^(page=\d{1,6})?$")


class PagePolicy:
    """The settings page_key needs, read once: a cache hit should not pay for settings."""

    def __init__(self) -> None:
        self.on = settings.DATELINE_PAGE_CACHE_ON
        self.excluded = tuple(settings.DATELINE_PAGE_CACHE_EXCLUDE)
        self.session_cookie = settings.SESSION_COOKIE_NAME + "="

    def page_key(self, environ: dict) -> str | None:
        return page_key(environ, self)


def page_key(environ: dict, policy: PagePolicy | None = None) -> str | None:
    """The cache key of an anonymous GET or HEAD for a cacheable page, else None."""
    policy = policy or PagePolicy()
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or not policy.on:
        return None
    path = environ.get("PATH_INFO", "")
    if path.startswith(policy.excluded):
        return None
    cookies = environ.get("HTTP_COOKIE", "")
    if cookies and policy.session_cookie in cookies:
        return None  # a logged-in editor gets fresh pages, never a reader's copy
    query = environ.get("QUERY_STRING", "")
    if not _PAGE_QUERY.match(query):
        return None  # unknown parameters would let anyone fill the cache at will
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}{path}?{query}"


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Does an If-None-Match header name this ETag? Weak forms count: gzip proxies add W/."""
    if not if_none_match:
        return False
    wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in wanted or "*" in wanted


def not_modified(environ_or_headers, etag: str, last_modified: str | None) -> bool:
    """RFC 9110 conditional GET: If-None-Match decides when sent, else If-Modified-Since."""
    get = environ_or_headers.get
    if_none_match = get("HTTP_IF_NONE_MATCH") or get("If-None-Match") or ""
    if if_none_match:
        return etag_matches(if_none_match, etag)
    since = parse_http_date_safe(get("HTTP_IF_MODIFIED_SINCE") or get("If-Modified-Since") or "")
    modified = parse_http_date_safe(last_modified or "")
    return since is not None and modified is not None and modified <= since


def cache_control() -> str:
    """Browsers revalidate every time (cheap, with ETag); CDNs keep the page until purged."""
    return (
        f"public, max-age=0, s-maxage={settings.DATELINE_PAGE_CACHE_TIMEOUT}, "
        f"stale-while-revalidate={settings.DATELINE_PAGE_CACHE_STALE}"
    )

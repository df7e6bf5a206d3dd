"""A page's own absolute address, on the site's public origin (DATELINE_SITE_URL).

Not the Host the request named: every name the site answers to (www and the bare domain, an
IP, "localhost", a trailing dot) declared itself canonical in `<link rel="canonical">`,
`og:url` and the JSON-LD, so search engines and social networks split one page into as many.
"""

from django.conf import settings
from django.http import HttpRequest
from django.utils.encoding import escape_uri_path


def site_url(path: str) -> str:
    """`path` on the site's public origin; a URL already absolute (a CDN's) as it is."""
    if path.startswith(("http://", "https://", "//")):
        return path
    return settings.DATELINE_SITE_URL + path


def own_url(request: HttpRequest, query: str = "") -> str:
    """The absolute URL of the path asked, on the site whatever the path: a path starting
    "//" ("//evil.example/feeds/") is a host to build_absolute_uri, which named it as the
    page's own address (og:url) on a not-found page."""
    return f"{settings.DATELINE_SITE_URL}{escape_uri_path(request.path)}{query}"

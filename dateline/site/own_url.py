"""A page's own absolute address."""

from django.http import HttpRequest
from django.utils.encoding import escape_uri_path


def own_url(request: HttpRequest, query: str = "") -> str:
    """The absolute URL of the path asked, on this site whatever the path: a path starting
    "//" ("//evil.example/feeds/") is a host to build_absolute_uri, which named it as the
    page's own address (og:url) on a not-found page."""
    return f"{request.scheme}://{request.get_host()}{escape_uri_path(request.path)}{query}"

"""Query parameters a page does not read: sent to the page without them.

The page cache keeps a page under its path and (page) query, and passes any other query string
through to Django, unstored, so that no one fills the cache at will. That left every page a
fresh render at anyone's will: `/sitemaps/articles-1987-03.xml?x=1`, `?x=2`, … rendered a
1.4 MB sitemap (2.7 s) each, and four such requests at once held every slot while readers'
pages waited 3 to 12 s. A shared link's `?utm_source=…` or `?fbclid=…` did the same to a
story read by thousands. A view says which parameters it reads (`reads_query`); a GET for it
with any other is redirected, permanently, to the same address with those alone, which the
page cache answers. Views that say nothing are left as they are.
"""

from django.http import HttpRequest, HttpResponsePermanentRedirect, QueryDict
from django.utils.encoding import escape_uri_path

ATTRIBUTE = "query_params"


def reads_query(*names: str):
    """Mark a view (function, or a callable's class) as reading these query parameters only."""

    def mark(view):
        setattr(view, ATTRIBUTE, frozenset(names))
        return view

    return mark


def unread_dropped(request: HttpRequest, view) -> HttpResponsePermanentRedirect | None:
    """A redirect to the address without the parameters `view` does not read; None if none."""
    read = getattr(view, ATTRIBUTE, None)
    if read is None or request.method not in ("GET", "HEAD") or not request.META.get(
            "QUERY_STRING") or request.path.startswith("//"):  # "//host/…": another site
        return None
    asked = request.GET  # Django's limits on the number of fields hold here too
    kept = QueryDict(mutable=True)
    for name, values in asked.lists():
        if name in read:
            kept.setlist(name, values)
    if len(kept) == len(asked):
        return None
    query = kept.urlencode()
    response = HttpResponsePermanentRedirect(
        escape_uri_path(request.path) + (f"?{query}" if query else ""))
    response["Cache-Control"] = "public, max-age=86400"
    return response


class UnreadQueryMiddleware:
    """Redirect a GET whose query names parameters its view does not read (module docstring)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        return unread_dropped(request, view_func)

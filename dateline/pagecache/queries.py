"""Query parameters a page does not read: sent to the page without them.

The page cache keeps a page under its path and (page) query, and passes any other query string
through to Django, unstored, so that no one fills the cache at will. That left every page a
fresh render at anyone's will: `/sitemaps/articles-1987-03.xml?x=1`, `?x=2`, … rendered a
1.4 MB sitemap (2.7 s) each, and four such requests at once held every slot while readers'
pages waited 3 to 12 s. A shared link's `?utm_source=…` or `?fbclid=…` did the same to a
story read by thousands. A view says which parameters it reads (`reads_query`); a GET for it
with any other, or with those spelled another way (`canonical`), is redirected, permanently,
to the same address with those alone in one spelling, which the page cache answers. Views
that say nothing are left as they are.
"""

import re
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponsePermanentRedirect, QueryDict
from django.utils.encoding import escape_uri_path

ATTRIBUTE = "query_params"
# A list's page and a sitemap's (Django's sitemap views): numbers, as the page cache keeps them.
NUMBERED = frozenset({"page", "p"})
_NUMBER = re.compile(r"[0-9]{1,6}")


def reads_query(*names: str):
    """Mark a view (function, or a callable's class) as reading these query parameters only."""

    def mark(view):
        setattr(view, ATTRIBUTE, frozenset(names))
        return view

    return mark


def unread_dropped(request: HttpRequest, view) -> HttpResponsePermanentRedirect | None:
    """A redirect to the address with its query in the one spelling kept (`canonical`); None
    when it is already so, or the view says nothing of what it reads."""
    read = getattr(view, ATTRIBUTE, None)
    asked = request.META.get("QUERY_STRING", "")
    if read is None or request.method not in ("GET", "HEAD") or not asked \
            or request.path.startswith("//"):  # "//host/…": another site
        return None
    query = canonical(request.GET, read)  # Django's limit on the number of fields holds
    if query == asked:
        return None
    response = HttpResponsePermanentRedirect(
        escape_uri_path(request.path) + (f"?{query}" if query else ""))
    response["Cache-Control"] = "public, max-age=86400"
    return response


def canonical(asked: QueryDict, read: frozenset[str]) -> str:
    """The query in one spelling: the parameters read, by name, one value each (the last, as
    Django's `get` reads it), a page number as a number. Names alone were compared at first,
    and `?p=1&p=1`, `?pag%65=2`, `?page=abc1` or `?&` were each a spelling the page cache
    does not keep (it keeps `page=N` alone) and a fresh render at anyone's will again."""
    kept = []
    for name in sorted(read & set(asked)):
        value = asked.getlist(name)[-1]
        if name in NUMBERED:
            if not _NUMBER.fullmatch(value) or int(value) <= 1:
                continue  # the first page (as the views read a page that is no number) is the
                # address alone: `?page=0`, `?page=1` and none were three copies of it
            value = str(int(value))
        kept.append((name, value))
    return urlencode(kept)


class UnreadQueryMiddleware:
    """Redirect a GET whose query names parameters its view does not read (module docstring)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        return unread_dropped(request, view_func)

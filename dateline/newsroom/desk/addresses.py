"""What a desk address may carry in its query string, checked before any desk view runs.

Django's admin turns the query string into lookups (`?id__in=`, `?feed=`, a list filter's
parameter) and into the add form's first values (`?section=`), and hands them to the
database unchecked: a whole number wider than any column holds ended in a 500 (SQLite
refuses to bind it: OverflowError). It is answered 400 in words instead. (A first value that
is no key at all, `?section=x`, is left to the form's widgets: keys.py.)
"""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from dateline.base.numbers import too_wide

# Parameters the admin reads as words, never as keys: the search box and the sort order.
WORDS = {"q", "o"}


def refusal(request: HttpRequest) -> HttpResponse | None:
    """A 400 when a value of the query string is a whole number no column can hold."""
    for name, values in request.GET.lists():
        if name in WORDS:
            continue
        if any(too_wide(part) for value in values for part in value.split(",")):
            return HttpResponseBadRequest(
                f"The number given for “{name}” is larger than any record's.",
                content_type="text/plain; charset=utf-8")
    return None


"""What a desk request may carry, checked before any desk view runs.

Django's admin turns the query string into lookups (`?id__in=`, `?feed=`, a list filter's
parameter) and into the add form's first values (`?section=`), and a list's action into a
lookup of the ticked rows (`_selected_action`), all handed to the database unchecked: a
whole number wider than any column holds ended in a 500 (SQLite refuses to bind it:
OverflowError), and so did a ticked row that is no key at all (`_selected_action=x`). The
first, in an address, is answered 400 in words; ticked rows that cannot be keys are left
out, as rows that no longer exist are. (A form's first value that is no key, `?section=x`,
is left to the form's widgets: keys.py.)
"""

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from dateline.base.numbers import too_wide

from .keys import could_be_key

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


def without_impossible_rows(request: HttpRequest, model) -> None:
    """Leave out of a list action's ticked rows those that cannot be keys of `model`."""
    if request.method != "POST" or ACTION_CHECKBOX_NAME not in request.POST:
        return
    ticked = request.POST.getlist(ACTION_CHECKBOX_NAME)
    possible = [value for value in ticked if could_be_key(model._meta.pk, value)]
    if len(possible) != len(ticked):
        kept = request.POST.copy()
        kept.setlist(ACTION_CHECKBOX_NAME, possible)
        request.POST = kept

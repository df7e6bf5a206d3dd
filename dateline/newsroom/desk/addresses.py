"""What a desk address may carry in its query string, checked before any desk view runs.

Django's admin turns the query string into lookups (`?id__in=`, `?feed=`, a list filter's
parameter) and into the add form's first values (`?section=`). Two kinds of value reach the
database unchecked there and end in a 500: a whole number wider than any column holds
(SQLite refuses to bind it: OverflowError), and a first value of a related field that is no
key at all (`?section=x`: the autocomplete widget looks it up as it draws the form). The
first is answered 400; the second is dropped, as Django drops a first value that matches no
choice of a plain select.
"""

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict

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


def without_broken_first_values(request: HttpRequest, model) -> None:
    """Drop query-string values of `model`'s related fields that are no key of theirs."""
    broken = [name for name, value in request.GET.items()
              if not _usable_key(model, name, value)]
    if broken:
        kept = request.GET.copy()
        for name in broken:
            kept.pop(name)
        request.GET = QueryDict(kept.urlencode())


def _usable_key(model, name: str, value: str) -> bool:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return True
    if not field.is_relation or field.related_model is None:
        return True
    try:
        # The admin splits a many-to-many field's first value on commas.
        for part in value.split(",") if field.many_to_many else [value]:
            field.target_field.to_python(part)
    except ValidationError:
        return False
    return True

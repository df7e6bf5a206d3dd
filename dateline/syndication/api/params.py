"""The API's query parameters, checked: a bad value is a 400 that says what to send."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.http import QueryDict

from dateline.newsroom.models import Section, Tag
from dateline.search.params import MAX_PAGE

from . import cursor as cursors

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
KNOWN = {"section", "tag", "since", "until", "limit", "cursor", "version"}
CHANGES_KNOWN = {"since", "cursor", "limit", "version"}
# The changes feed (changes.py): a change is served once this old (its transaction has
# committed), and the feed reaches back this many days.
CHANGES_SETTLE_SECONDS = 5
CHANGES_KEPT_DAYS = 31
SEARCH_KNOWN = {"q", "section", "tag", "author", "from", "to", "sort", "page", "until"}
SORTS = ("relevance", "newest")
MAX_ID = 2**31 - 1
# ASCII digits only: int() also reads Arabic-Indic or fullwidth digits, which no schema
# calls a number.
_DIGITS = re.compile(r"[0-9]{1,10}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BadParameter(ValueError):
    pass


@dataclass
class ListParams:
    section: Section | None = None
    tag_ids: list[int] | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = DEFAULT_LIMIT
    after: tuple[datetime, int] | None = None


def parse(query: QueryDict) -> ListParams:
    unknown = sorted(set(query) - KNOWN)
    if unknown:
        raise BadParameter(f"Unknown parameter {unknown[0]!r}; the list takes "
                           f"{', '.join(sorted(KNOWN))}.")
    refuse_nul_and_repeats(query)
    params = ListParams()
    if "section" in query:
        path = query["section"].strip("/")
        params.section = Section.objects.filter(path=path).first()
        if params.section is None:
            raise BadParameter(f"No section has the path {path!r}; give a path such as "
                               "'business' or 'business/markets'.")
    if "tag" in query:
        params.tag_ids = tag_ids(query["tag"])
    if "since" in query:
        params.since = moment("since", query["since"])
    if "until" in query:
        params.until = moment("until", query["until"])
    if params.since and params.until and params.since >= params.until:
        raise BadParameter("'since' must come before 'until'.")
    if "limit" in query:
        params.limit = whole_number("limit", query["limit"], MAX_LIMIT)
    if query.get("cursor"):  # an empty one is none, as clients filling in every field send
        try:
            params.after = cursors.decode(query["cursor"])
        except cursors.BadCursor as exc:
            raise BadParameter(str(exc)) from exc
    return params


def tag_ids(value: str) -> list[int]:
    """Ids of the tag "kind:slug" (kind: person, place, organisation, topic) or "slug"."""
    kind, _, slug = value.rpartition(":")
    tags = Tag.objects.filter(slug=slug)
    if kind:
        known = Tag.kind_for_prefix(kind) or (kind if kind in Tag.Kind.values else None)
        if known is None:
            raise BadParameter(f"Unknown tag kind {kind!r}; use one of "
                               f"{', '.join(Tag.Kind.values)}, as in 'place:usa'.")
        tags = tags.filter(kind=known)
    ids = list(tags.values_list("pk", flat=True))
    if not ids:
        raise BadParameter(f"No tag matches {value!r}; give 'kind:slug' or a slug.")
    return ids


def moment(name: str, value: str) -> datetime:
    """An ISO 8601 date or date-time; one without an offset is read as UTC."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadParameter(
            f"{name!r} must be an ISO 8601 date or date-time such as 2024-05-01 or "
            f"2024-05-01T09:30:00Z (write '+' in an offset as %2B), not {value!r}."
        ) from None
    try:
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59:59-05:00 is in year 10000 in UTC
        raise BadParameter(f"{name!r} falls outside the calendar in UTC: {value!r}.") from None


def whole_number(name: str, value: str, largest: int) -> int:
    """A whole number from 1 to `largest`, written in ASCII digits."""
    if not _DIGITS.fullmatch(value) or not 1 <= int(value) <= largest:
        raise BadParameter(f"{name!r} is a whole number from 1 to {largest}, not {value!r}.")
    return int(value)


def day(name: str, value: str) -> date:
    """A calendar day written YYYY-MM-DD (the search page quietly ignores anything else)."""
    try:
        if _DAY.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise BadParameter(f"{name!r} is a day written YYYY-MM-DD, such as 2024-05-01, "
                       f"not {value!r}.")


def check_search(query: QueryDict) -> None:
    """Refuse a search the API cannot answer as asked, saying what to send instead."""
    unknown = sorted(set(query) - SEARCH_KNOWN)
    if unknown:
        raise BadParameter(f"Unknown parameter {unknown[0]!r}; search takes "
                           f"{', '.join(sorted(SEARCH_KNOWN))}.")
    refuse_nul_and_repeats(query)
    if not query.get("q", "").strip():
        raise BadParameter("Give the words to look for as q, e.g. /api/search?q=inflation.")
    for name in ("section", "tag", "author"):
        if name in query:
            whole_number(name, query[name], MAX_ID)
    days = {name: day(name, query[name]) for name in ("from", "to") if name in query}
    if len(days) == 2 and days["from"] > days["to"]:
        raise BadParameter("'from' must not come after 'to'.")
    if "sort" in query and query["sort"] not in SORTS:
        raise BadParameter(f"'sort' is one of {', '.join(SORTS)}, not {query['sort']!r}.")
    if "page" in query:
        whole_number("page", query["page"], MAX_PAGE)
    if "until" in query:
        moment("until", query["until"])


def refuse_nul_and_repeats(query: QueryDict) -> None:
    """No text a person writes holds NUL, and PostgreSQL refuses it in any string. Nor is a
    parameter given twice: one value was read and the other dropped unsaid (`q=oil&q=gas`
    searched for gas alone)."""
    for name, values in query.lists():
        if any("\x00" in value for value in values):
            raise BadParameter(f"{name!r} holds a NUL character (%00); send text without it.")
        if len(values) > 1:
            raise BadParameter(f"{name!r} is given {len(values)} times; send it once.")

"""GET /api/ninjs/changes: everything a partner who took the wire must hear of, in order.

The list (/api/ninjs/) runs by publication, newest first, so a correction to a story a
partner took yesterday never reaches its top, and a withdrawn story simply leaves it. This
feed runs by the time each change reached the wire, oldest first, and every page links the
next one to poll from:
- a story published, or saved again while live (a correction, an update, a new headline):
  its whole item, at the time of that save, or later at its publication time or its
  embargo's end, when it comes out then (time, not a save, brings it out);
- a story withdrawn (Unpublish, a kill): an item with pubStatus "canceled" that names it
  (uri, version, headline), so that the partner can find its copy and take it down;
- a story deleted after it came out: the same canceled item, from what its deletion left
  (syndication.deletions);
- a story on the wire put under embargo: a "withheld" item naming it, while it is held
  (syndication.withholding); its embargo's end brings its whole item, a version above.

A change is served once it is CHANGES_SETTLE_SECONDS old (params.py): a save stamps its time
before its transaction commits, and a change committed late must not land behind a position a
partner has already passed. The feed reaches back CHANGES_KEPT_DAYS; older positions are
refused in words.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from heapq import merge
from itertools import groupby, islice

from django.db.models import CharField, Value
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.http import urlencode

from dateline.newsroom.models import Article
from dateline.pagecache import keys

from ..formatters import Formatter
from ..models import DeletedStory, WithheldStory
from ..told import as_told
from . import cursor, params
from .errors import error, reads_only
from .gone import withdrawn_items
from .views import answer, items_by_id, partner_only


@dataclass(frozen=True)
class Position:
    """Just after the change at (at, pk): the next page starts past it."""

    at: datetime
    pk: int


DELETED, WITHHELD = "deleted", "withheld"


def changed_after(position: Position, settled: datetime, limit: int) -> list[tuple]:
    """(id, wire time, status) of the next `limit` changes past `position`, up to `settled`:
    one range of each wire-change index (Article.wire_changed_at, set only on published and
    withdrawn stories, and DeletedStory's), read in its order and merged. A story's id is
    never used again, so it names one change of either kind at a time."""
    stories = (
        Article.objects.filter(wire_changed_at__gte=position.at, wire_changed_at__lte=settled)
        .exclude(wire_changed_at=position.at, pk__lte=position.pk)
        .order_by("wire_changed_at", "pk")
        .values_list("pk", "wire_changed_at", "status")[:limit]
    )
    deleted = _kept_rows(DeletedStory, DELETED, position, settled, limit)
    withheld = _kept_rows(WithheldStory, WITHHELD, position, settled, limit)
    # A withdrawn story deleted between the two reads is in both, at the same place: once.
    in_order = groupby(merge(stories, deleted, withheld, key=place), key=place)
    return [next(same) for _, same in islice(in_order, limit)]


def _kept_rows(model, said: str, position: Position, settled: datetime, limit: int):
    """(id, wire time, `said`) of a table a story's change leaves behind it (a deletion's, a
    withholding's), in its own index's order."""
    return (
        model.objects.filter(wire_changed_at__gte=position.at, wire_changed_at__lte=settled)
        .exclude(wire_changed_at=position.at, article_id__lte=position.pk)
        .order_by("wire_changed_at", "article_id")
        .values_list("article_id", "wire_changed_at", Value(said, output_field=CharField()))
        [:limit]
    )


def place(change: tuple) -> tuple[datetime, int]:
    pk, at, _ = change
    return at, pk


def withheld_items(fmt: Formatter, pks: list[int]) -> dict[int, dict]:
    """"withheld" items for stories still under the embargo that took them off the wire; one
    out again, withdrawn or deleted since is told by its later change instead."""
    told = {pk: (at, version) for pk, at, version in WithheldStory.objects.filter(
        article_id__in=pks).values_list("article_id", "wire_changed_at", "version")}
    items = {}
    for article in Article.objects.filter(pk__in=pks, status=Article.Status.PUBLISHED,
                                          embargo_until__gt=timezone.now()):
        at, version = told.get(article.pk, (timezone.now(), None))
        if version is not None:
            # At the version it was withheld at: the story's own is the one it comes out at.
            article.resent = version - article.version
        told = as_told(article, at)
        if version is not None:  # its time: when partners were told to hold it, not a save's
            told.modified_at = at
        items[article.pk] = fmt.withheld(told)
    return items


# A partner's clock this far ahead of ours is a clock's drift: its since is taken as now.
FUTURE_SKEW = timedelta(minutes=1)


def parse(query: QueryDict, now: datetime) -> tuple[Position, int]:
    unknown = sorted(set(query) - params.CHANGES_KNOWN)
    if unknown:
        raise params.BadParameter(f"Unknown parameter {unknown[0]!r}; the changes feed takes "
                                  f"{', '.join(sorted(params.CHANGES_KNOWN))}.")
    params.refuse_nul_and_repeats(query)
    # An empty cursor is none (clients fill in every parameter the document names).
    if query.get("cursor"):
        try:
            position = Position(*cursor.decode(query["cursor"], cursor.CHANGES_SALT))
        except cursor.BadCursor as exc:
            raise params.BadParameter(str(exc)) from exc
    elif "since" in query:
        position = Position(params.moment("since", query["since"]), 0)
    else:
        raise params.BadParameter(
            "Give since, an ISO 8601 time such as 2024-05-01T09:30:00Z, then follow the "
            "'next' links; to take the archive, page through /api/ninjs/.")
    if position.at < now - timedelta(days=params.CHANGES_KEPT_DAYS):
        raise params.BadParameter(
            f"The changes feed reaches back {params.CHANGES_KEPT_DAYS} days; start from a "
            "later 'since', and take older stories from /api/ninjs/ with since and until.")
    limit = params.DEFAULT_LIMIT
    if "limit" in query:
        limit = params.whole_number("limit", query["limit"], params.MAX_LIMIT)
    # A since still to come answered nothing, and its 'next' stayed there: what was published
    # before that moment was never given (a partner whose clock ran fast lost it unsaid).
    if position.at > now + FUTURE_SKEW:
        raise params.BadParameter(
            f"since is later than the server's time ({now:%Y-%m-%dT%H:%M:%SZ}): give the time "
            "of the last change you took, or follow the 'next' links.")
    return (Position(now, 0) if position.at > now else position), limit


@reads_only
@partner_only
def changes(request: HttpRequest, fmt: Formatter) -> HttpResponse:
    now = timezone.now()
    try:
        position, limit = parse(request.GET, now)
    except params.BadParameter as exc:
        return error(400, str(exc))
    settled = now - timedelta(seconds=params.CHANGES_SETTLE_SECONDS)
    found = changed_after(position, settled, limit)
    live, found_keys = items_by_id(
        fmt, [pk for pk, _, status in found if status == Article.Status.PUBLISHED])
    withdrawn = withdrawn_items(
        fmt, [pk for pk, _, status in found if status in (Article.Status.UNPUBLISHED, DELETED)])
    held = withheld_items(fmt, [pk for pk, _, status in found if status == WITHHELD])
    items = []
    for pk, at, status in found:
        # None: withdrawn between the two queries (it comes again, as such, once settled),
        # or a withholding told since by a later change.
        item = held.get(pk) if status == WITHHELD else live.get(pk) or withdrawn.get(pk)
        if item is not None:
            items.append(item)
        position = Position(at.astimezone(UTC), pk)
    query = {k: v for k, v in request.GET.items() if k not in {"cursor", "since"}}
    query["cursor"] = cursor.encode(position.at, position.pk, cursor.CHANGES_SALT)
    next_url = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
    return answer(request, fmt, {"items": items, "next": next_url},
                  keys.HOME, found_keys, Link=f'<{next_url}>; rel="next"')

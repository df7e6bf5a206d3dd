"""GET /api/search?q=…: the search page's results as JSON, for anyone.

Public, unlike the wire: it returns what /search/ already shows every reader (live stories'
headlines, teasers, snippets and links, never bodies), so a partner key would protect nothing.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import urlencode

from dateline.pagecache import keys
from dateline.search import cache as search_cache
from dateline.search import params as search_params
from dateline.search.cache import SearchTooCostly

from .conditional import json_answer
from .errors import error, reads_only
from .params import BadParameter, check_search, moment


@reads_only
def search(request: HttpRequest) -> HttpResponse:
    try:
        check_search(request.GET)  # the page ignores a malformed value; the API says so
    except BadParameter as exc:
        return error(400, str(exc))
    query = search_params.query_from_params(request.GET)
    # The moment the walk through this search's pages stands at, carried on by the links to
    # the others, so that a story published meanwhile neither shows a result twice nor
    # pushes one past a page unseen.
    until = moment("until", request.GET["until"]) if "until" in request.GET else None
    query = replace(query, until=until)
    if not query.text.strip():
        return error(400, "Give the words to look for as q, e.g. /api/search?q=inflation.")
    # The page shortens such a search and says so; a program is told to send a shorter one.
    over = search_params.over_limits(request.GET)
    if over:
        return error(400, "Over the search's limits: " + " ".join(over))
    try:
        found = search_params.run(query)
    except SearchTooCostly:
        return error(503, "This search took too long and was stopped; send a narrower one "
                     "(fewer words, fewer words ending in *, a section or dates).")
    if until is None:
        # The first page runs without it, shared through the search cache; the moment is
        # taken once it has run, so every story it found was published by then. (A story
        # committed during this very request may show again on a later page: seen twice,
        # never lost.) Rounded up to the millisecond, the precision JSON gives it.
        until = _millisecond_up(timezone.now())
    body = {
        "query": query.text,
        "total": found.results.total,
        # True when more matches exist than were counted: "total" is then a lower bound.
        "more": found.results.more,
        # A filtered search past that count says what it did not look at (search.params).
        **({"note": found.cap_note} if found.cap_note else {}),
        "page": query.page,
        "pages": found.pages,
        "until": _written(until),
        "next": _page_link(request, query.page + 1, until) if found.has_next else None,
        "previous": _page_link(request, query.page - 1, until) if query.page > 1 else None,
        "results": [
            {
                "id": article.pk,
                "url": request.build_absolute_uri(article.get_absolute_url()),
                "headline": article.headline,
                "section": {"id": article.section_id, "path": article.section.display_path},
                "published_at": article.published_at,
                # Said, as the page and the feeds say it: an archive's 2004 story read as news.
                "undated": article.published_at_is_import_time,
                "teaser": article.teaser,
                "snippet_html": hit.snippet,
                "score": hit.score,
            }
            for article, hit in found.articles
        ],
        "facets": {
            name: [{"id": item.pk, "name": search_params.label(item), "count": count}
                   for item, count in items]
            for name, items in found.facets.items()
        },
    }
    # A client asking again while the results are the same gets a 304; scores alone drift
    # with the clock (newer stories rank higher), so the (weak) ETag leaves them out, and the
    # walk's moment: the copy the client holds names an earlier one, as good while no story
    # changed since (the search cache's generation stands for that; the results alone did
    # not: a search past its count's cap kept its first page while a newcomer ranked on a
    # later one, and a client answered 304 walked on at the old moment, never finding it).
    unscored = {**body, "results": [{k: v for k, v in result.items() if k != "score"}
                                    for result in body["results"]]}
    for moving in ("until", "next", "previous"):
        unscored.pop(moving)
    if "until" not in request.GET:
        try:
            unscored["stories_as_of"] = search_cache.generation()
        except Exception:  # the cache away: the moment itself, never a 304 on a stale one
            unscored["stories_as_of"] = until
    return json_answer(request, body, keys.HOME,
                       keys.articles(article for article, _ in found.articles),
                       equivalent=unscored)


def _page_link(request: HttpRequest, page: int, until) -> str:
    """This search's page `page` at the walk's moment `until`."""
    params = {**request.GET.dict(), "page": str(page), "until": _written(until)}
    if page == 1:
        params.pop("page")
    return request.build_absolute_uri(f"{request.path}?{urlencode(params)}")


def _millisecond_up(moment: datetime) -> datetime:
    up = moment + timedelta(microseconds=999)
    return up.replace(microsecond=up.microsecond // 1000 * 1000)


def _written(moment: datetime) -> str:
    """The moment as the body and the links both give it, to the microsecond a client sent
    (JSON's encoder cut it to the millisecond, the links did not)."""
    spec = "microseconds" if moment.microsecond % 1000 else "milliseconds"
    return moment.astimezone(UTC).isoformat(timespec=spec).replace("+00:00", "Z")

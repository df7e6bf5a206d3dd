"""GET /api/search?q=…: the search page's results as JSON, for anyone.

Public, unlike the wire: it returns what /search/ already shows every reader (live stories'
headlines, teasers, snippets and links, never bodies), so a partner key would protect nothing.
"""

from django.http import HttpRequest, HttpResponse

from dateline.pagecache import keys
from dateline.search import params as search_params
from dateline.search.cache import SearchTooCostly

from .conditional import json_answer
from .errors import error, reads_only
from .params import BadParameter, check_search


@reads_only
def search(request: HttpRequest) -> HttpResponse:
    try:
        check_search(request.GET)  # the page ignores a malformed value; the API says so
    except BadParameter as exc:
        return error(400, str(exc))
    query = search_params.query_from_params(request.GET)
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
    body = {
        "query": query.text,
        "total": found.results.total,
        # True when more matches exist than were counted: "total" is then a lower bound.
        "more": found.results.more,
        "page": query.page,
        "pages": found.pages,
        "results": [
            {
                "id": article.pk,
                "url": request.build_absolute_uri(article.get_absolute_url()),
                "headline": article.headline,
                "section": {"id": article.section_id, "path": article.section.display_path},
                "published_at": article.published_at,
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
    # with the clock (newer stories rank higher), so the (weak) ETag leaves them out.
    unscored = {**body, "results": [{k: v for k, v in result.items() if k != "score"}
                                    for result in body["results"]]}
    return json_answer(request, body, keys.HOME,
                       keys.articles(article for article, _ in found.articles),
                       equivalent=unscored)

"""The search page: results with snippets, facets with counts, removable filters, paging."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.text import get_text_list

from dateline.pagecache import keys
from dateline.search import params as search_params
from dateline.search.cache import SearchTooCostly

from .own_url import own_url
from .photos import attach_thumbnails
from .sections import attach_sections


def _url(request: HttpRequest, **changes: object) -> str:
    """This search's URL with some parameters changed (None removes one); back to page 1."""
    values = search_params.kept(request.GET)
    for name, value in changes.items():
        if value is None:
            values.pop(name, None)
        else:
            values[name] = str(value)
    return "?" + urlencode(values)


def _shared_url(request: HttpRequest) -> str:
    """The search's address as link previews name it: its own parameters, as kept."""
    kept = search_params.kept(request.GET)
    return own_url(request, "?" + urlencode(kept) if kept else "")


def search(request: HttpRequest) -> HttpResponse:
    query = search_params.query_from_params(request.GET)
    try:
        found = search_params.run(query) if query.text.strip() else None
    except SearchTooCostly:
        # Said on the page, with the form to narrow it; 503 keeps it out of every cache.
        context = {"q": query.text, "found": None, "too_costly": True,
                   "notes": search_params.over_limits(request.GET),
                   "kept": search_params.kept(request.GET), "shared_url": _shared_url(request)}
        return render(request, "site/search.html", context, status=503)
    context: dict = {"q": query.text.strip(), "found": found, "newest": query.newest_first,
                     "notes": search_params.over_limits(request.GET),
                     "kept": search_params.kept(request.GET), "shared_url": _shared_url(request)}
    if found is None and request.GET:
        # Blank words, or filters alone (a link kept without its words): the page said
        # nothing at all.
        context["notes"].append("Type the words to look for: a search needs at least one. "
                                "Its filters (section, tag, author, dates) then narrow what "
                                "it finds.")
    if found is not None:
        attach_sections([article for article, _ in found.articles])
        attach_thumbnails([article for article, _ in found.articles])
        facets = {
            name: [(search_params.label(item), count, _url(request, **{name: item.pk}))
                   for item, count in items]
            for name, items in found.facets.items()
        }
        active = []
        for name in search_params.FILTERS:
            value = context["kept"].get(name)
            if value:
                label = next((item_label for item_label, _, url in facets.get(name, [])
                              if url == _url(request, **{name: value})), value)
                active.append((name, label, _url(request, **{name: None})))
        page = query.page
        previous = min(page - 1, found.pages)  # past the end: back to the last page
        # The kinds of filter this search offers: "or author" where no story has one misled.
        offered = [name for name, items in facets.items() if items]
        context.update(
            facets=facets, active=active,
            narrow_by=get_text_list(offered, "or"),
            sort_url=_url(request, sort=None if query.newest_first else "newest"),
            previous_url=_url(request, page=previous if previous > 1 else None)
            if page > 1 else None,
            next_url=_url(request, page=page + 1) if found.has_next else None,
            past_the_end=page > found.pages and not found.articles,
        )
        if found.cap_note:
            context["notes"].append(found.cap_note)
    response = render(request, "site/search.html", context, status=200)
    # Any change to any article may change a search, and every such change renews `home`.
    shown = [article for article, _ in found.articles] if found else []
    keys.add(response, keys.HOME, keys.articles(shown))
    return response

"""GET /api/ninjs/ (a page of live stories) and /api/ninjs/<id> (one), for API keys only.

Each answers in the ninjs version the request names (?version=, an Accept profile), else in
the partner's default (api/versions.py).
"""

import json
from collections.abc import Callable
from functools import wraps

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.utils.http import urlencode

from dateline.newsroom.models import Article, Author, Source, Tag
from dateline.pagecache import keys, parts

from ..formatters import Formatter, registry
from ..formatters.ninjs import schema_id
from . import auth, cursor, openapi, versions
from . import params as list_params
from .conditional import json_answer
from .errors import error, reads_only
from .gone import canceled_item


def partner_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer 401 without a good key, 429 over its rate and 400/406 for a version not served;
    else run the view with the version's formatter."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        key = auth.authenticate(request)
        if isinstance(key, HttpResponse):
            return key
        refused = auth.throttle(key)
        if refused is not None:
            return refused
        request.api_key = key
        try:
            version = versions.chosen(request, key.partner.ninjs_version)
        except versions.UnknownVersion as exc:
            return error(400, str(exc))
        except versions.NotAcceptable as exc:
            return error(406, str(exc))
        fmt = registry.get(versions.FORMATTERS[version])
        return view(request, fmt(base_url=request.build_absolute_uri("/")), *args, **kwargs)

    return wrapped


def stories():
    return Article.objects.live().select_related("section").prefetch_related(
        Prefetch("authors", queryset=Author.objects.only("pk", "name")),
        Prefetch("sources", queryset=Source.objects.only(
            "pk", "name", "url", "rights_holder", "copyright_notice", "usage_terms")),
        Prefetch("tags", queryset=Tag.objects.order_by("kind", "name")),
    )


def answer(request: HttpRequest, fmt: Formatter, body: dict, *surrogate_keys,
           **headers: str) -> HttpResponse:
    """The JSON body with an ETag of its bytes, its ninjs version named as a profile."""
    return json_answer(
        request, body, *surrogate_keys,
        content_type=f'application/json; profile="{schema_id(fmt.version).rstrip("#")}"',
        # A partner's answer is theirs: shared caches must not hand it to someone without a
        # key; and the version it is in follows Accept.
        **{"Cache-Control": "private, no-cache", "Vary": "Authorization, X-Api-Key, Accept"},
        **headers,
    )


@reads_only
@partner_only
def item_list(request: HttpRequest, fmt: Formatter) -> HttpResponse:
    try:
        params = list_params.parse(request.GET)
    except list_params.BadParameter as exc:
        return error(400, str(exc))
    found = stories()
    if params.section is not None:
        found = found.in_section(params.section)
    if params.tag_ids is not None:
        # Walked along the publication index or sorted from the tag's links, whichever
        # reads fewer rows: walked, a rare tag's page read the whole archive (80-108 ms at
        # 100,000 stories).
        found = found.linked_to("tags", params.tag_ids, params.limit + 1)
    if params.since is not None:
        found = found.filter(published_at__gte=params.since)
    if params.until is not None:
        found = found.filter(published_at__lt=params.until)
    if params.after is not None:
        published_at, pk = params.after
        found = found.filter(
            Q(published_at__lt=published_at) | Q(published_at=published_at, pk__lt=pk)
        )
    page = list(
        found.order_by("-published_at", "-pk").values_list("pk", "published_at")[
            : params.limit + 1
        ]
    )
    listed, more = page[: params.limit], len(page) > params.limit
    headers = {}
    next_url = None
    if more:
        last_pk, last_published = listed[-1]
        query = {k: v for k, v in request.GET.items() if k != "cursor"}
        query["cursor"] = cursor.encode(last_published, last_pk)  # the same for the same place
        next_url = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
        headers["Link"] = f'<{next_url}>; rel="next"'
    pks = [pk for pk, _ in listed]
    items, found_keys = formatted_items(fmt, pks)
    body = {"items": items, "next": next_url}
    return answer(request, fmt, body, keys.HOME, found_keys, **headers)


def formatted_items(fmt: Formatter, pks: list[int]) -> tuple[list[dict], set[str]]:
    """Wire items for these ids (those still live), in their order."""
    done, found_keys = items_by_id(fmt, pks)
    return [done[pk] for pk in pks if pk in done], found_keys


def items_by_id(fmt: Formatter, pks: list[int]) -> tuple[dict[int, dict], set[str]]:
    """Wire items for these ids, from stored parts where still valid, the rest formatted now;
    an id no longer live has none."""
    name = f"{fmt.name}:{fmt.base_url}:{{}}".format
    done: dict[int, dict] = {}
    found_keys: set[str] = set()
    for pk in pks:
        hit = parts.lookup(name(pk))
        if hit is not None:
            done[pk] = json.loads(hit[0])
            found_keys |= hit[1]
    missing = [pk for pk in pks if pk not in done]
    if missing:
        started = parts.generation()
        articles = list(stories().filter(pk__in=missing))
        for article, item in zip(articles, fmt.format_all(articles), strict=True):
            item_keys = {
                keys.NAV, keys.article(article.pk),
                *(keys.tag(t.pk) for t in article.tags.all()),
                *(keys.author(a.pk) for a in article.authors.all()),
                *(keys.source(s.pk) for s in article.sources.all()),
            }
            parts.keep(name(article.pk), json.dumps(item, cls=DjangoJSONEncoder).encode(),
                       item_keys, started)
            done[article.pk] = item
            found_keys |= item_keys
    return done, found_keys


@reads_only
@partner_only
def item_detail(request: HttpRequest, fmt: Formatter, pk: int) -> HttpResponse:
    if not Article.objects.live().filter(pk=pk).exists():
        canceled = canceled_item(fmt, pk)
        if canceled is None:
            return error(404, f"No live story has the id {pk}.")
        response = answer(request, fmt, canceled, keys.article(pk))
        if response.status_code == 200:  # a 304 stays one: the partner holds this item
            response.status_code = 410
        return response
    items, found_keys = formatted_items(fmt, [pk])
    if not items:  # unpublished between the two queries
        return error(404, f"No live story has the id {pk}.")
    return answer(request, fmt, items[0], found_keys)


@reads_only
def openapi_document(request: HttpRequest) -> HttpResponse:
    # The same bytes until a release changes it: a client revalidates and hears 304.
    return json_answer(request, openapi.document(request.build_absolute_uri("/api/")))

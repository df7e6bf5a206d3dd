"""GET /api/ninjs/ (a page of live stories) and /api/ninjs/<id> (one), for API keys only."""

import hashlib
import json
from collections.abc import Callable
from functools import wraps

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.http import urlencode

from dateline.newsroom.models import Article, Author, Source, Tag
from dateline.pagecache import keys, parts
from dateline.pagecache.policy import etag_matches

from ..formatters import registry
from . import auth, cursor, openapi
from . import params as list_params
from .errors import error, reads_only

FORMATTER = "ninjs31"


def partner_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer 401 without a good key and 429 over its rate; else run the view."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        key = auth.authenticate(request)
        if isinstance(key, HttpResponse):
            return key
        refused = auth.throttle(key)
        if refused is not None:
            return refused
        request.api_key = key
        return view(request, *args, **kwargs)

    return wrapped


def stories():
    return Article.objects.live().select_related("section").prefetch_related(
        Prefetch("authors", queryset=Author.objects.only("pk", "name")),
        Prefetch("sources", queryset=Source.objects.only("pk", "name", "url")),
        Prefetch("tags", queryset=Tag.objects.order_by("kind", "name")),
    )


def formatter(request: HttpRequest):
    return registry.get(FORMATTER)(base_url=request.build_absolute_uri("/"))


def answer(request: HttpRequest, body: dict, *surrogate_keys, **headers: str) -> HttpResponse:
    """The JSON body with an ETag of its bytes; 304 when the client holds those bytes."""
    content = json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    if etag_matches(request.headers.get("If-None-Match", ""), etag):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(content, content_type="application/json")
    response["ETag"] = etag
    # A partner's answer is theirs: shared caches must not hand it to someone without a key.
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Authorization, X-Api-Key"
    for name, value in headers.items():
        response[name] = value
    keys.add(response, *surrogate_keys)
    return response


@reads_only
@partner_only
def item_list(request: HttpRequest) -> HttpResponse:
    try:
        params = list_params.parse(request.GET)
    except list_params.BadParameter as exc:
        return error(400, str(exc))
    found = stories()
    if params.section is not None:
        found = found.in_section(params.section)
    if params.tag_ids is not None:
        tagged = Article.tags.through.objects.filter(
            article_id=OuterRef("pk"), tag_id__in=params.tag_ids
        )
        found = found.filter(Exists(tagged))
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
        query["cursor"] = cursor.encode(last_published, last_pk)
        next_url = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
        headers["Link"] = f'<{next_url}>; rel="next"'
    pks = [pk for pk, _ in listed]
    items, found_keys = formatted_items(request, pks)
    body = {"items": items, "next": next_url}
    return answer(request, body, keys.HOME, found_keys, **headers)


def formatted_items(request: HttpRequest, pks: list[int]) -> tuple[list[dict], set[str]]:
    """Wire items for these ids, from stored parts where still valid, the rest formatted now."""
    fmt = formatter(request)
    name = f"{FORMATTER}:{fmt.base_url}:{{}}".format
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
    return [done[pk] for pk in pks if pk in done], found_keys


@reads_only
@partner_only
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not Article.objects.live().filter(pk=pk).exists():
        return error(404, f"No live story has the id {pk}.")
    items, found_keys = formatted_items(request, [pk])
    if not items:  # unpublished between the two queries
        return error(404, f"No live story has the id {pk}.")
    return answer(request, items[0], found_keys)


@reads_only
def openapi_document(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi.document(request.build_absolute_uri("/api/")))

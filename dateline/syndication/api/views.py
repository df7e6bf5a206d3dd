"""GET /api/ninjs/ (a page of live stories) and /api/ninjs/<id> (one), for API keys only."""

import hashlib
import json
from collections.abc import Callable
from functools import wraps

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from dateline.newsroom.models import Article, Author, Source, Tag
from dateline.pagecache import keys
from dateline.pagecache.policy import etag_matches

from ..formatters import registry
from . import auth, cursor, openapi
from . import params as list_params
from .errors import error

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


@require_safe
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
    page = list(found.order_by("-published_at", "-pk")[: params.limit + 1])
    items, more = page[: params.limit], len(page) > params.limit
    headers = {}
    next_url = None
    if more:
        last = items[-1]
        query = {k: v for k, v in request.GET.items() if k != "cursor"}
        query["cursor"] = cursor.encode(last.published_at, last.pk)
        next_url = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
        headers["Link"] = f'<{next_url}>; rel="next"'
    body = {"items": formatter(request).format_all(items), "next": next_url}
    return answer(request, body, keys.HOME, keys.articles(items), **headers)


@require_safe
@partner_only
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = stories().filter(pk=pk).first()
    if article is None:
        return error(404, f"No live story has the id {pk}.")
    return answer(request, formatter(request).format_all([article])[0], keys.article(pk))


@require_safe
def openapi_document(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi.document(request.build_absolute_uri("/api/")))

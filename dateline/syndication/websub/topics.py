"""Topics are the site's feeds: which URLs are topics, which a story appears in, their bytes."""

import io
import urllib.parse
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.core.handlers.wsgi import WSGIRequest
from django.http import Http404, HttpRequest
from django.urls import Resolver404, ResolverMatch, resolve, reverse

from dateline.newsroom.models import Article, Tag

NAMESPACE = "syndication"
SITE_FEEDS = ("site-rss", "site-atom", "site-json")
SECTION_FEEDS = ("section-rss", "section-atom", "section-json")
TAG_FEEDS = ("tag-rss", "tag-atom", "tag-json")
FEEDS = frozenset((*SITE_FEEDS, *SECTION_FEEDS, *TAG_FEEDS))


@dataclass(frozen=True)
class Content:
    """A topic's current feed, as a reader fetching the topic URL would get it."""

    body: bytes
    content_type: str
    links: str  # the Link header: the hub and the feed itself


def feed_match(path: str) -> ResolverMatch | None:
    """The feed view behind a (percent-decoded) path, or None if it is not a feed."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.namespace != NAMESPACE or match.url_name not in FEEDS:
        return None
    return match


def feed_exists(match: ResolverMatch, request: HttpRequest) -> bool:
    try:
        match.func.get_object(request, *match.args, **match.kwargs)
    except (Http404, ObjectDoesNotExist):
        return False
    return True


def feed_path(name: str, **kwargs) -> str:
    return urllib.parse.unquote(reverse(f"{NAMESPACE}:{name}", kwargs=kwargs or None))


def paths_showing(article_id: int) -> list[str] | None:
    """Paths of every feed the story appears in, or None when the story is gone (deleted)."""
    article = Article.objects.select_related("section").filter(pk=article_id).first()
    if article is None:
        return None
    paths = [feed_path(name) for name in SITE_FEEDS]
    for section_path in article.section.ancestor_paths():
        paths += [feed_path(name, path=section_path) for name in SECTION_FEEDS]
    for kind, slug in article.tags.values_list("kind", "slug"):
        prefix = Tag.URL_PREFIXES[kind]
        paths += [feed_path(name, kind=prefix, slug=slug) for name in TAG_FEEDS]
    return paths


def render(topic: str) -> Content | None:
    """Render the topic in-process, through the same view readers get; None if it is gone."""
    request = get_request(topic)
    match = feed_match(request.path_info)
    if match is None:
        return None
    try:
        response = match.func(request, *match.args, **match.kwargs)
    except Http404:
        return None  # its section or tag was deleted
    return Content(body=response.content, content_type=response["Content-Type"],
                   links=response["Link"])


def get_request(url: str) -> WSGIRequest:
    """An anonymous GET of the URL, as the WSGI server would hand it to Django."""
    parts = urllib.parse.urlsplit(url)
    secure = parts.scheme == "https"
    return WSGIRequest({
        "REQUEST_METHOD": "GET",
        # WSGI carries the path as bytes decoded as Latin-1; Django decodes it as UTF-8.
        "PATH_INFO": urllib.parse.unquote_to_bytes(parts.path).decode("iso-8859-1"),
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "HTTP_HOST": parts.netloc,
        "SERVER_NAME": parts.hostname or "",
        "SERVER_PORT": str(parts.port or (443 if secure else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": parts.scheme,
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    })

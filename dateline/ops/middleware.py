"""Time every request: a Prometheus observation and one access-log line each."""

import errno
import logging
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import Resolver404, resolve

from dateline.base.logged import logged_path
from dateline.base.methods import may_post_to
from dateline.pagecache.outcomes import OUTCOME

from .metrics import observe

logger = logging.getLogger("dateline.access")

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# What Dateline's views answer: reads, and the forms' and the desk's posts. No view tells the
# others apart from a read, so OPTIONS /search/?q=… or TRACE /article/… were read in full, past
# the page cache and the public read budget (which take only GET and HEAD).
ANSWERED = ("GET", "HEAD", "POST")
READS = ("GET", "HEAD")
# The wire API refuses every other method itself, in JSON as its partners read it
# (syndication.api.errors.reads_only).
ANSWERS_ITS_OWN = "/api/"
# Polled every few seconds by machines; at INFO they would drown the readers' requests.
QUIET_ROUTES = frozenset({"ops:healthz", "ops:readyz", "ops:metrics"})


def route_of(request: HttpRequest) -> str:
    """Name the request's route by its URL name, so that metrics have a bounded set of labels."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name  # "site:article"; a view's dotted path when the URL is unnamed
    if request.path_info.startswith(settings.STATIC_URL):
        return "static"  # answered by WhiteNoise before URL resolution
    return "unresolved"


class RequestMetricsMiddleware:
    """List first in MIDDLEWARE, so that the time covers every other middleware too."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        route = route_of(request)
        method = request.method if request.method in METHODS else "OTHER"
        observe(route, method, response.status_code, seconds)
        duration_ms = round(seconds * 1000, 1)
        fields = {"method": request.method, "path": logged_path(request.path),
                  "status": response.status_code, "duration_ms": duration_ms}
        message, args = "%s %s %s %.1fms", [*fields.values()]
        # What the page cache did (its hits are logged by dateline.pagecache.outcomes).
        cache = request.META.get(OUTCOME)
        if cache is not None:
            fields["cache"] = cache
            message, args = message + " cache=%s", [*args, cache]
        logger.log(logging.DEBUG if route in QUIET_ROUTES else logging.INFO, message, *args,
                   extra=fields)
        return response


class AnsweredMethodsMiddleware:
    """Any other method is a 405 before it reaches a view (TRACE never echoes a thing); so is
    a POST outside the desk to a view that only reads (dateline.base.methods)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # As sent: Django upper-cases it, but a method's name is case-sensitive (RFC 9110,
        # 9.1), and the page cache, which reads it as sent, let `get` and `hEAD` past it: a
        # fresh render each, at anyone's will (an outside tester's finding); `hEAD` had the
        # whole body back.
        if request.META.get("REQUEST_METHOD") != request.method:
            return not_allowed(ANSWERED if _takes_posts(request) else READS)
        if request.method in ANSWERED or request.path.startswith(ANSWERS_ITS_OWN):
            return self.get_response(request)
        return not_allowed(ANSWERED if _takes_posts(request) else READS)

    def process_view(self, request: HttpRequest, view, view_args, view_kwargs):
        if (request.method == "POST" and not may_post_to(view)
                and not request.path.startswith(
                    (*settings.DATELINE_PUBLIC_READ_EXEMPT, ANSWERS_ITS_OWN))):
            return not_allowed(READS)
        return None


def _takes_posts(request: HttpRequest) -> bool:
    """Whether the address's view takes a POST, so that Allow names only what it answers
    (the desk's views all do)."""
    return _path_takes_posts(request.path_info)


def _path_takes_posts(path: str) -> bool | None:
    """Whether the view at `path` takes a POST; None where no view answers it."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return may_post_to(match.func) or path.startswith(settings.DATELINE_PUBLIC_READ_EXEMPT)


# refused_unread's answer where no page is (a 404), rather than the methods a page answers.
NOWHERE = ()


def refused_unread(method: str, path: str) -> tuple[str, ...] | None:
    """What these middlewares, or Django after them, will refuse a request with a body for,
    said before it is read (serve's bulkhead: an 80 MB POST to the search was read whole,
    then refused): NOWHERE where no view answers `path`, nor the same with a slash added
    (CommonMiddleware would redirect to that); else the methods `path` answers, where it
    answers a 405; None where the request goes on. The wire API answers its own."""
    if path.startswith(ANSWERS_ITS_OWN):
        return None
    takes = _path_takes_posts(path)
    if takes is None and (path.endswith("/") or _path_takes_posts(path + "/") is None):
        return NOWHERE
    if method not in ANSWERED:
        return ANSWERED if takes else READS
    if method == "POST" and takes is False:
        return READS
    return None


def not_allowed(methods: tuple[str, ...]) -> HttpResponse:
    return HttpResponseNotAllowed(
        methods, content=f"This address answers {', '.join(methods)}.\n".encode(),
        content_type="text/plain; charset=utf-8")


NO_ROOM = ("The server has no room to receive what you sent just now; nothing of yours was "
           "kept. Try again shortly.\n")


def disk_full(error: Exception) -> bool:
    return isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)


class NoRoomForFormsMiddleware:
    """A full disk for a form's uploads (TMPDIR: Django writes an upload over 2.5 MB there)
    answered with a 507 in words; it was a bare 500. The form is read here, before CSRF's
    check reads it, except for views that read their own body after checking its size
    (csrf_exempt ones: the reader's report, the photo upload), whose reading this catches."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view, view_args, view_kwargs):
        if request.method != "POST" or getattr(view, "csrf_exempt", False):
            return None
        try:
            request.POST  # noqa: B018 - parsed here, where a full disk can be said in words
        except OSError as exc:
            answer = self.process_exception(request, exc)
            if answer is None:
                raise
            return answer
        return None

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not disk_full(exception):
            return None
        logging.getLogger(__name__).error(
            "no room for a form's uploads in the temporary folder: %s", exception)
        return HttpResponse(NO_ROOM, status=507, content_type="text/plain; charset=utf-8",
                            headers={"Retry-After": "60"})

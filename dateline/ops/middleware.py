"""Time every request: a Prometheus observation and one access-log line each."""

import logging
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from dateline.pagecache.outcomes import OUTCOME

from .metrics import observe

logger = logging.getLogger("dateline.access")

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
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
        fields = {"method": request.method, "path": request.path,
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

"""Probes and metrics for machines: load balancers, systemd, Prometheus."""

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.utils.log import log_response
from django.views.decorators.cache import never_cache

from . import metrics as prometheus
from .access import may_read_metrics
from .health import CHECKS, NotReady

logger = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Answer that the process serves requests; touches nothing else."""
    return HttpResponse("ok\n", content_type="text/plain")


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Answer 200 if the database, the cache and the schema are ready, else 503 naming why."""
    results: dict[str, str] = {}
    reasons: list[str] = []
    for name, check in CHECKS.items():
        try:
            check()
        except NotReady as reason:
            results[name] = f"failed: {reason}"
            reasons.append(f"{name}: {reason}")
        except Exception as error:  # anything a check raises means "not ready"
            results[name] = f"failed: {type(error).__name__}"
            reasons.append(f"{name}: {type(error).__name__}: {error}")
        else:
            results[name] = "ok"
    failed = [name for name, result in results.items() if result != "ok"]
    response = JsonResponse(
        {"status": "unavailable" if failed else "ok", "checks": results, "failed": failed},
        status=503 if failed else 200,
    )
    if failed:
        # Not ready is an answer, not a server error: said once, as this logger's warning.
        # Django's public log_response marks the response as logged, so the handler's
        # django.request logger does not log the 503 again as an error.
        log_response("Not ready: %s", "; ".join(reasons), response=response, request=request,
                     logger=logger, level="warning")
    return response


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Serve Prometheus metrics to allowed addresses and to holders of the token."""
    if not may_read_metrics(request):
        return HttpResponseForbidden("forbidden\n", content_type="text/plain")
    body, content_type = prometheus.exposition()
    return HttpResponse(body, content_type=content_type)

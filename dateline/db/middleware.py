"""Put every public read request under the database budget of dateline.db.limits."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from . import limits

# Said of a search with too many words and of a page far back in a long listing alike.
TOO_SLOW = ("This page asked the database for more than it answers at once, and was stopped so "
            "that other readers are not kept waiting. Try fewer words or filters, or a page "
            "nearer the start of the list.")


def is_public_read(request: HttpRequest) -> bool:
    """A GET or HEAD outside the desk: anyone may send it, with any query string."""
    return request.method in ("GET", "HEAD") and not request.path.startswith(
        tuple(settings.DATELINE_PUBLIC_READ_EXEMPT)
    )


def too_slow(request: HttpRequest) -> HttpResponse:
    """The clear answer to a request stopped by its budget: JSON under /api/, else text."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": TOO_SLOW, "status": 503}, status=503)
    return HttpResponse(TOO_SLOW, status=503, content_type="text/plain; charset=utf-8")


class PublicReadLimitMiddleware:
    """Stop a public request's costly reads; answer 503 with a reason when a view does not."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.DATELINE_PUBLIC_READ_LIMIT_ON or not is_public_read(request):
            # The desk's and forms' statements are never cut; a silent server's health check is.
            with limits.health_checks_watched():
                return self.get_response(request)
        with limits.public_reads():
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return too_slow(request) if limits.stopped(exception) else None

"""JSON error answers, each saying what to fix, for every way a request can miss the API."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

SAFE_METHODS = ("GET", "HEAD")


def error(status: int, message: str, **headers: str) -> JsonResponse:
    response = JsonResponse({"error": message, "status": status}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def reads_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Run the view for GET and HEAD; any other method is a JSON 405 naming them in Allow."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in SAFE_METHODS:
            return error(405, f"The API only answers reads: send GET (or HEAD), not "
                         f"{request.method}.", Allow=", ".join(SAFE_METHODS))
        return view(request, *args, **kwargs)

    # Nothing here changes state, and a partner's POST should hear 405, not the CSRF page.
    wrapped.csrf_exempt = True
    return wrapped


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Anything under /api/ that names no operation: JSON, never the site's HTML page."""
    return error(404, f"Nothing at {request.path}; /api/openapi.json lists what there is "
                 "(a story is /api/ninjs/<id>, its id a whole number).")

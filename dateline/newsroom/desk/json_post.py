"""The desk's small JSON endpoints: POST only, bounded in size and rate, every refusal JSON."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware

from dateline.base.numbers import TooWide, json_loads
from dateline.base.ratelimits import RateLimit

# An autosave carries the whole form; a 10,000-word story is about 100 kB of HTML.
MAX_BYTES = 2 * 1024 * 1024


_CSRF = CsrfViewMiddleware(lambda request: None)


def refuse(status: int, error: str) -> JsonResponse:
    return JsonResponse({"ok": False, "error": error}, status=status)


def json_post(view: Callable) -> Callable:
    """Call `view(request, payload, ...)` with the posted JSON object, or answer why not.

    The admin's wrapper around desk views has already checked the login.
    """

    @wraps(view)
    def inner(request: HttpRequest, *args, **kwargs) -> JsonResponse:
        if request.method != "POST":
            return refuse(405, "Use POST.")
        if _CSRF.process_view(request, None, (), {}) is not None:
            return refuse(403, "The page's security token is missing or out of date: reload "
                               "the page (your text is still on it) and try again.")
        limit = RateLimit("desk_json", settings.DATELINE_DESK_JSON_PER_MINUTE, 60)
        refusal = limit.count(f"user:{request.user.pk}")
        if refusal is not None:
            answer = refuse(429, f"Too many requests: try again in {refusal.retry_after} s.")
            answer["Retry-After"] = str(refusal.retry_after)
            return answer
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BYTES:
            return refuse(413, f"The text is larger than {MAX_BYTES // 1024 // 1024} MB.")
        try:
            payload = json_loads(request.body or b"{}")
        except TooWide:
            return refuse(400, "A number in the request is larger than any record's.")
        except (ValueError, UnicodeDecodeError):
            return refuse(400, "The request is not JSON.")
        if not isinstance(payload, dict):
            return refuse(400, "Send a JSON object.")
        try:
            return view(request, payload, *args, **kwargs)
        except PermissionDenied as exc:
            return refuse(403, str(exc) or "Your role does not allow this.")
        except Http404:
            return refuse(404, "No such article.")

    # The check is made above, so that a refusal is JSON the page can show, not Django's
    # HTML page; the admin's wrapper and the middleware leave views marked so to them.
    inner.csrf_exempt = True
    return inner

"""Django's answer to a request it cannot read, in words (its own is a bare "Bad Request").

Django raises these before any view runs or while one reads the request: more fields than
DATA_UPLOAD_MAX_NUMBER_FIELDS in a query string or a form, a form body above
DATA_UPLOAD_MAX_MEMORY_SIZE, a Host the site does not answer to, a body in a charset it cannot
decode. The page is plain: the site's templates build absolute links from the Host header,
which may be the very thing refused. The API's callers get JSON, as from every API refusal,
and so do the desk's JSON endpoints (their paths end in .json).
"""

from django.conf import settings
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse


def why(exception: Exception | None) -> str:
    if isinstance(exception, TooManyFieldsSent):
        return (f"The request has more fields than any form or address of this site takes "
                f"(at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,}).")
    if isinstance(exception, RequestDataTooBig):
        return (f"The form is larger than this site takes "
                f"({settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024:.1f} MB without files).")
    if isinstance(exception, DisallowedHost):
        return "This site does not answer to that host name."
    return "The request could not be read (its encoding, or its form, is not one this site takes)."


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    words = why(exception)
    status = 413 if isinstance(exception, RequestDataTooBig) else 400
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": words, "status": status}, status=status)
    elif request.path.endswith(".json"):
        # The desk's JSON endpoints (a photo's upload.json): their scripts read {"ok", "error"}
        # and showed nothing of a plain-text page (a file name of 1,000 letters).
        response = JsonResponse({"ok": False, "error": words}, status=status)
    else:
        response = HttpResponse(f"{words}\n", status=status,
                                content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response

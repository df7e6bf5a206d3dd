"""Renditions served from the public storage when no web server does it (`make run`, tests).

In production nginx serves /media/ itself (deploy/nginx.conf) with the same headers."""

import mimetypes
import re

from django.core.files.storage import storages
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

# Only the names renditions get: anything else (.., %2e, absolute paths, other folders) is 404.
NAME = re.compile(r"(?P<prefix>[0-9a-f]{2})/(?P<digest>[0-9a-f]{64})-[0-9]{1,5}x[0-9]{1,5}"
                  r"\.(?:avif|webp|jpg)")
IMMUTABLE = "public, max-age=31536000, immutable"


@require_safe
def rendition(request: HttpRequest, name: str) -> FileResponse:
    match = NAME.fullmatch(name)
    if match is None or not match["digest"].startswith(match["prefix"]):
        raise Http404("No such picture.")
    storage = storages["default"]
    path = f"pictures/{name}"
    try:
        handle = storage.open(path, "rb")
    except (FileNotFoundError, OSError) as missing:
        raise Http404("No such picture.") from missing
    response = FileResponse(handle, content_type=mimetypes.guess_type(path)[0] or
                            "application/octet-stream")
    response["Cache-Control"] = IMMUTABLE
    response["X-Content-Type-Options"] = "nosniff"
    return response

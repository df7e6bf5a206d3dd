"""A desk page the user's role does not open: said in the desk's own look, with the way back.

Django's default 403 is a bare "403 Forbidden" with no header, no words and no link: an
editor opening "Add campaign" from a list their role may only read met a dead end.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults

DESK_PREFIX = "/desk/"


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    said = str(exception or "") or "Your role does not allow this."
    if not request.path.startswith(DESK_PREFIX) or not getattr(request, "user", None) or \
            not request.user.is_active or not request.user.is_staff:
        return defaults.permission_denied(request, exception)
    if "json" in request.headers.get("Accept", ""):
        return JsonResponse({"error": said, "status": 403}, status=403)
    from django.contrib import admin

    came_from = request.headers.get("Referer", "")
    back = came_from if came_from.startswith(request.build_absolute_uri(DESK_PREFIX)) else ""
    return render(request, "desk/denied.html", {
        **admin.site.each_context(request), "title": "Not for your role", "said": said,
        "back": back}, status=403)

"""The library's upload: a JSON endpoint (one file a request, for the drop zone's progress bars)
and a plain multi-file form that works without JavaScript.

Both bound the request by its Content-Length before Django reads a byte of it, and answer every
refusal with the library's own words (PhotoRefused), never a 500.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.csrf import csrf_exempt

from .models import Photo

_CSRF = CsrfViewMiddleware(lambda request: None)
# The no-JavaScript form takes this many files, and twice the largest photo's bytes, at once;
# the drop zone sends one file a request. deploy/nginx.conf lets 100 MB through to both.
FORM_FILES = 20
FORM_PHOTOS_OF_BYTES = 2


def max_bytes() -> int:
    """The largest original accepted (the library checks pixels; this bounds the bytes)."""
    return settings.DATELINE_PHOTO_MAX_BYTES


def _length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _too_big(limit: int) -> str:
    return f"The file is larger than {limit // 1024 // 1024} MB."


def _add(request: HttpRequest, upload) -> dict:
    """Add one uploaded file; what to tell the editor about it, as a dict."""
    from .library import PhotoRefused, add_photo

    name = upload.name or "photo"
    try:
        photo, created = add_photo(upload, name=name, user=request.user,
                                   origin=Photo.Origin.UPLOAD, fields={})
    except PhotoRefused as refusal:
        return {"ok": False, "name": name, "error": str(refusal)}
    url = reverse("admin:pictures_photo_change", args=[photo.pk])
    message = "Added to the library." if created else "Already in the library."
    return {"ok": True, "name": name, "id": photo.pk, "created": created, "url": url,
            "title": str(photo), "message": message}


def _refuse(status: int, error: str) -> JsonResponse:
    return JsonResponse({"ok": False, "error": error}, status=status)


@csrf_exempt  # checked inside, after the length, so that a refusal is JSON too
def upload_json(request: HttpRequest) -> JsonResponse:
    """POST one file as `file` (multipart): 201 a new photo, 200 one already in the library."""
    if request.method != "POST":
        return _refuse(405, "Use POST.")
    if not request.user.has_perm("pictures.add_photo"):
        return _refuse(403, "Your role does not allow adding photos.")
    if _length(request) > max_bytes() + 64 * 1024:  # the multipart envelope's few lines
        return _refuse(413, _too_big(max_bytes()))
    try:
        # Reads the body (the token may be a form field): bounded just above.
        if _CSRF.process_view(request, None, (), {}) is not None:
            return _refuse(403, "The page's security token is missing or out of date: reload "
                                "the page and try again.")
        files = request.FILES.getlist("file")
    except (RequestDataTooBig, TooManyFilesSent):
        return _refuse(413, "Send one file at a time.")
    if len(files) != 1:
        return _refuse(400, "Send exactly one file, as the form field “file”.")
    if files[0].size > max_bytes():
        return _refuse(413, _too_big(max_bytes()))
    answer = _add(request, files[0])
    if not answer["ok"]:
        return JsonResponse(answer, status=400)
    return JsonResponse(answer, status=201 if answer["created"] else 200)


def upload_page(request: HttpRequest, admin) -> HttpResponse:
    """The drop zone, and the plain form behind it: each file's result is listed on return."""
    from .checks import ACCEPTED_NAMES

    context = {**admin.admin_site.each_context(request), "opts": Photo._meta,
               "title": "Add photos", "max_mb": max_bytes() // 1024 // 1024,
               # The formats the checks take, named as their refusals name them.
               "formats": ACCEPTED_NAMES,
               "form_files": FORM_FILES, "form_mb": max_bytes() * FORM_PHOTOS_OF_BYTES // 2**20,
               "results": None,
               "endpoint": reverse("admin:pictures_photo_upload_json")}
    status = 200
    if request.method == "POST":
        context["results"], status = _form_results(request)
    return TemplateResponse(request, "pictures/admin/upload.html", context, status=status)


def _form_results(request: HttpRequest) -> tuple[list[dict], int]:
    limit = max_bytes()
    if _length(request) > limit * FORM_PHOTOS_OF_BYTES:
        error = (f"These files are larger than {limit * FORM_PHOTOS_OF_BYTES // 1024 // 1024} MB "
                 "in all: send fewer at once.")
        return [{"ok": False, "name": "", "error": error}], 413
    try:
        files = request.FILES.getlist("file")
    except (RequestDataTooBig, TooManyFilesSent):
        return [{"ok": False, "name": "", "error": f"Send at most {FORM_FILES} files."}], 413
    if not files:
        return [{"ok": False, "name": "", "error": "Choose one or more photos."}], 400
    if len(files) > FORM_FILES:
        return [{"ok": False, "name": "", "error": f"Send at most {FORM_FILES} files."}], 400
    results = [
        _add(request, f) if f.size <= limit else {"ok": False, "name": f.name,
                                                  "error": _too_big(limit)}
        for f in files
    ]
    return results, 200 if all(r["ok"] for r in results) else 400


def used_in(photo: Photo, viewer=None) -> str:
    """The stories that carry the photo that `viewer` may see, linked to their desk screens;
    the others counted, not named (a reporter read another desk's draft headlines here)."""
    from dateline.newsroom.permissions import can_see_all, is_owner

    every = list(photo.uses.select_related("article").order_by("article__headline"))
    if not every:
        return "No story uses this photo yet."
    uses = every if viewer is None or can_see_all(viewer) else [
        u for u in every if u.article.is_live or is_owner(viewer, u.article)]
    hidden = len(every) - len(uses)
    more = format_html("<li>and {} other stor{} not yours to see</li>", hidden,
                       "y" if hidden == 1 else "ies") if hidden else ""
    items = format_html_join("", '<li><a href="{}">{}</a> ({}, {})</li>', (
        (reverse("admin:newsroom_article_change", args=[u.article_id]), u.article.headline,
         u.article.get_status_display(), u.get_role_display().lower())
        for u in uses))
    return format_html('<ul class="photo-used-in">{}{}</ul>', items, more)

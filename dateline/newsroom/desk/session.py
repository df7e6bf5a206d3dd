"""A desk page's link to its login: an ended session is said in JSON, not a login page.

An editor's session can end with a page open: it expired, they logged out in another tab,
their password was changed. Django's admin answers such a request with a redirect to the
login page, which the editor's scripts read as "no connection", and a Save then posted the
text to that redirect: it was gone. Here the page's JSON requests hear 401 instead, and every
desk page asks `check` before it posts a form (`static/desk/session.js`), which also gives it
the CSRF token of a login made in another tab (Django gives a new one at every login, so the
page's own no longer passes).
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.admin import AdminSite
from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import get_token
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .json_post import refuse

ENDED = ("You are logged out, so nothing on this page can be saved. Your text is still here: "
         "log in again in another tab, then come back to this one.")


def desk_json(admin_site: AdminSite, view: Callable, door: bool = True) -> Callable:
    """`admin_site.admin_view(view)`, but a request without a desk login hears 401 in JSON.

    `door=False` skips the admin's other checks, for `check`: an account sent to enrol in
    two-factor is logged in, and the enrolment page's own form must be let through.
    """
    admitted = admin_site.admin_view(view) if door else never_cache(view)

    @wraps(view)
    def inner(request: HttpRequest, *args, **kwargs):
        if not admin_site.has_permission(request):
            answer = refuse(401, ENDED)
            answer["Cache-Control"] = "no-store"
            return answer
        return admitted(request, *args, **kwargs)

    return inner


@require_safe
def check(request: HttpRequest) -> JsonResponse:
    """The session holds: here is the CSRF token that goes with it now."""
    return JsonResponse({"ok": True, "csrf": get_token(request)})

"""The desk's Content Security Policy: the site's, plus the editor's import map by its hash."""

import base64
import hashlib
import re
from functools import cache

from django.conf import settings
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override

_IMPORTMAP = re.compile(r'<script type="importmap">(.*?)</script>', re.S)


@cache
def desk_policy() -> dict:
    """Allow exactly the import map the body editor ships, and no other inline script."""
    from django_prose_editor.widgets import prose_editor_media

    hashes = [
        f"'sha256-{base64.b64encode(hashlib.sha256(m.encode()).digest()).decode()}'"
        for m in _IMPORTMAP.findall(str(prose_editor_media()))
    ]
    policy = dict(settings.SECURE_CSP)
    policy["script-src"] = [*policy.get("script-src", [CSP.SELF]), *hashes]
    # The admin's widgets and the editor set style attributes from their templates; styles
    # cannot run code, so the desk allows them while scripts stay locked down.
    policy["style-src"] = [*policy.get("style-src", [CSP.SELF]), CSP.UNSAFE_INLINE]
    return policy


class DeskContentSecurityPolicyMiddleware:
    """Give /desk/ responses the desk policy; list it after ContentSecurityPolicyMiddleware.

    Django's `csp_override` decorates every desk view here at once: the admin's own views, the
    live desk's and the desk's "not found" pages alike, which no list of views would cover.
    It applies last, so a desk view needing another policy needs a path test here.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/desk/"):
            return csp_override(desk_policy())(self.get_response)(request)
        return self.get_response(request)

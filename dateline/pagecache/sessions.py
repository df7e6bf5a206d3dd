"""Whether a request's session cookie names a signed-in session: only such a request skips the
page cache.

Any cookie named like the session's did, and any Authorization or X-Api-Key header: a client
sending `Cookie: sessionid=x` had every page rendered afresh, past the page cache and the
coalescing of identical renders (and nginx's micro-cache), as often as it liked, and readers'
pages waited up to 2.5 s behind a few such clients (an outside tester's finding). A signed-in
session costs one read of the session store, only for requests that carry the cookie; one
that cannot be read now (the store away) is taken as none, so the stored page is answered.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http.cookie import parse_cookie

# Django's session keys are 32 characters; anything much longer is not one.
_LONGEST_KEY = 64


def signed_in(cookies: str) -> bool:
    """Whether the Cookie header names a live session with a user signed in."""
    key = parse_cookie(cookies).get(settings.SESSION_COOKIE_NAME, "")
    if not key or len(key) > _LONGEST_KEY:
        return False
    try:
        store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
        return store.get(SESSION_KEY) is not None
    except Exception:
        return False

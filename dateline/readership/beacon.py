"""The beacon: POST /r/<kind>/<key> from the page script counts one view or impression.

`BeaconFirst` answers it in front of Django (dateline.ops.serving composes it), so a beacon
costs a regular expression, a user-agent lookup and count(): no middleware, no session, no
database, no log line. `views.beacon` answers the same where Django serves alone (runserver).
Nothing about the sender is read but the user agent, only to refuse robots, and its network,
only to count one sender's repeats of a story a few times (repeats.py); neither is kept
anywhere but, hashed, in memory for an hour at most.
"""

import re

from dateline.base.clients import network_in

from . import repeats
from .counting import count
from .robots import is_robot

PREFIX = "/r/"
# The kinds a page's script reports; clicks are counted by the ads app's redirect.
BEACON = re.compile(r"/r/(view|impression)/([1-9][0-9]{0,17})/?")
# navigator.sendBeacon() with no data sends no body; a little is tolerated, never read.
_LARGEST_BODY = 1024
_NO_STORE = [("Cache-Control", "no-store")]


def answer(method: str, path: str, user_agent: str, fetch_site: str,
           length: int, network: str) -> tuple[int, str]:
    """Count the beacon if it is one a reader's browser sent; return the status and why."""
    match = BEACON.fullmatch(path)
    if match is None:
        return 404, "No such beacon: /r/view/<story id> or /r/impression/<campaign id>."
    if method != "POST":
        return 405, "Beacons are POSTed by the page's script (navigator.sendBeacon)."
    if length > _LARGEST_BODY:
        return 413, "A beacon carries no body."
    if fetch_site == "cross-site":
        return 403, "Beacons are counted from this site's own pages."
    if counts(user_agent, network, match[1], match[2]):
        count(match[1], match[2])
    return 204, ""


def body_length(meta: dict) -> int:
    """The body's length as the request announces it (a WSGI environ or request.META); past
    the largest tolerated when it cannot be known: a length that is no number, or a body sent
    in chunks (the server de-chunks it and gives no length; sendBeacon never sends one)."""
    if "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower():
        return _LARGEST_BODY + 1
    try:
        return int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _LARGEST_BODY + 1


def counts(user_agent: str, network: str, kind: str, key: str) -> bool:
    """Whether a beacon answered 204 is counted (here, and from nginx's lines: beacon_log.py).

    A robot's beacon, or one sender's repeats past its allowance, is answered as a reader's
    and not counted: a page fetched by a headless browser shows no error, and neither learns
    anything to change its name or pace by."""
    return not is_robot(user_agent) and repeats.allowed(network, kind, key)


class BeaconFirst:
    """Answer /r/ beacons before the wrapped WSGI application; hand on everything else."""

    def __init__(self, application) -> None:
        self.application = application

    def __call__(self, environ: dict, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(PREFIX):
            return self.application(environ, start_response)
        status, why = answer(environ.get("REQUEST_METHOD", ""), path,
                             environ.get("HTTP_USER_AGENT", ""),
                             environ.get("HTTP_SEC_FETCH_SITE", ""), body_length(environ),
                             network_in(environ))
        if status == 204:
            start_response("204 No Content", _NO_STORE)
            return []
        body = why.encode()
        headers = [*_NO_STORE, ("Content-Type", "text/plain; charset=utf-8"),
                   ("Content-Length", str(len(body)))]
        if status == 405:
            headers.append(("Allow", "POST"))
        start_response(f"{status} {_REASONS[status]}", headers)
        return [body]


_REASONS = {403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
            413: "Content Too Large"}

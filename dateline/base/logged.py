"""A request's path as a log line may carry it: percent-encoded, as it came on the wire.

The path Django and WSGI hand over is decoded: a request for `/x%0AGET%20/desk/%20200` wrote
a line of its own, a forged entry, in the access log. Encoded again, a line holds one request.
"""

from urllib.parse import quote

# RFC 3986's characters allowed in a path as they are, and `%` (a decoded path holding one
# came as %25: shown as it reads).
_AS_IS = "/!$&'()*+,;=:@-._~%"


def logged_path(path: str) -> str:
    return quote(path, safe=_AS_IS)

"""JSON answers with an ETag of their bytes, and 304 when the client already holds them."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse

from dateline.pagecache import keys
from dateline.pagecache.policy import etag_matches


def json_answer(request: HttpRequest, body: dict, *surrogate_keys, content_type: str =
                "application/json", equivalent: object = None, **headers: str) -> HttpResponse:
    """The body as JSON with an ETag of its bytes; a 304 when If-None-Match names that ETag.

    The ETag depends only on the bytes, so a body that holds nothing time-dependent (no
    timestamped cursor, no "generated at") keeps its ETag while what it says is unchanged.
    `equivalent`, when given, is what the body says less what drifts with the clock (a
    search's recency-weighted scores): the ETag is then a weak one (RFC 9110 8.8.1) of it.
    """
    content = json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    validated = content if equivalent is None else json.dumps(
        equivalent, cls=DjangoJSONEncoder).encode()
    etag = '"' + hashlib.sha256(validated).hexdigest()[:32] + '"'
    if etag_matches(request.headers.get("If-None-Match", ""), etag):
        # With the body's own type, as the feeds' and pages' 304s have: a cache refreshes
        # what it stored from the 304's headers (RFC 9111 4.3.4), and Django's default type
        # (text/html) relabelled a stored JSON answer.
        response = HttpResponse(status=304, content_type=content_type)
    else:
        response = HttpResponse(content, content_type=content_type)
    response["ETag"] = etag if equivalent is None else "W/" + etag
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    if surrogate_keys:
        keys.add(response, *surrogate_keys)
    return response

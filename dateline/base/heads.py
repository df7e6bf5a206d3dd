"""Request heads Django cannot build a request from: answered in words before it tries.

Django reads a request's Content-Type while it builds the request, before any middleware or
handler of ours runs, and refuses one past `MAX_HEADER_LENGTH` characters by raising: the
server then answered an empty 500 (to any address, a 10,001-character Content-Type was
enough), and no log line said why. nginx's header buffers stop such a head in production;
`dateline serve` alone did not.
"""

import json

from django.utils.http import MAX_HEADER_LENGTH


class ReadableHeads:
    """Wrap a WSGI application: a Content-Type too long to read is a 400 that says so."""

    def __init__(self, application) -> None:
        self.application = application

    def __call__(self, environ: dict, start_response):
        if len(environ.get("CONTENT_TYPE", "")) <= MAX_HEADER_LENGTH:
            return self.application(environ, start_response)
        words = (f"The Content-Type header is longer than {MAX_HEADER_LENGTH:,} characters: "
                 "send a shorter one.")
        if environ.get("PATH_INFO", "").startswith("/api/"):  # the API answers in JSON
            body, kind = json.dumps({"error": words, "status": 400}), "application/json"
        else:
            body, kind = words + "\n", "text/plain; charset=utf-8"
        body = body.encode()
        start_response("400 Bad Request", [("Content-Type", kind),
                                           ("Content-Length", str(len(body))),
                                           ("X-Content-Type-Options", "nosniff")])
        return [body]

"""The server's ceiling: a WSGI application that answers every request with one page's bytes
and headers as the site sent them, and does nothing else (production.py's reference row).

granian runs it with the command line `dateline serve` gives the site's own application, so
that the app alone can be read against what the same server does for an application that
costs no Python at all: the part of the gap to nginx that no change in Dateline can close.
"""

import json
import os
from pathlib import Path

_PAGE = Path(os.environ["DATELINE_CEILING_PAGE"])
BODY = _PAGE.read_bytes()
HEADERS = [tuple(pair) for pair in json.loads(_PAGE.with_suffix(".headers.json").read_text())]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]

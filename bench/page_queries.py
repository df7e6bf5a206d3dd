"""The SQL queries behind each page `make bench` times, counted in one Django process.

`python page_queries.py PATH...` (with the bench's environment) prints a JSON object: for each
path, the queries of a request answered by the page cache, of one rendered with the page's
parts stored (the page cache off), and of one rendered from the database alone (both off).
Each is counted on a second request, once this process holds the section tree as every
server process does after its first page.
"""

import json
import os
import sys

os.environ["DATELINE_PAGE_CACHE"] = "on"

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from dateline.pagecache.wsgi import CachedPagesApplication  # noqa: E402
from dateline.wsgi import django_application  # noqa: E402


def get(app: CachedPagesApplication, path: str) -> int:
    environ = RequestFactory().get(path, HTTP_HOST="127.0.0.1").environ
    status = []
    body = app(environ, lambda code, headers, exc_info=None: status.append(code))
    b"".join(body)
    if hasattr(body, "close"):
        body.close()
    assert status[0].startswith("200"), (path, status[0])
    with CaptureQueriesContext(connection) as queries:
        second = app(RequestFactory().get(path, HTTP_HOST="127.0.0.1").environ,
                     lambda code, headers, exc_info=None: None)
        b"".join(second)
        if hasattr(second, "close"):
            second.close()
    return len(queries.captured_queries)


def counts(paths: list[str]) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {path: {} for path in paths}
    for mode, page_cache, parts in (("cached", True, True), ("parts", False, True),
                                    ("cold", False, False)):
        settings.DATELINE_PAGE_CACHE_ON = page_cache
        settings.DATELINE_FRAGMENT_CACHE_ON = parts
        app = CachedPagesApplication(django_application)  # it reads the setting once
        for path in paths:
            found[path][mode] = get(app, path)
    return found


if __name__ == "__main__":
    print(json.dumps(counts(sys.argv[1:])))

"""What the page cache did with each request: counted for /metrics, named in the access log.

Hits are answered in `wsgi.py`, before Django's middleware, so they are counted and logged
here; every other request carries its outcome in the WSGI environ to the access-log line
that `dateline.ops.middleware` writes. Counters are prometheus_client's, so several worker
processes add up under PROMETHEUS_MULTIPROC_DIR like the other metrics (`dateline.ops`).
"""

import logging
import time
from functools import cache

from django.core.handlers.wsgi import get_path_info
from prometheus_client import Counter

from dateline.base.logged import logged_path

OUTCOME = "dateline.pagecache.outcome"

# outcome: hit (answered from the cache), miss (looked up, not there: rendered), stored
# (rendered and kept), bypass (never looked up: reason says why), refused (rendered, not
# kept: reason says why). A bounded set of reasons: see policy.bypass_reason and refusal.
PAGE_CACHE = Counter(
    "dateline_page_cache", "What the page cache did, by outcome and reason.",
    ("outcome", "reason"),
)

# The same logger and line as dateline.ops.middleware writes for requests Django answers
# (this package sits below ops and cannot import it).
access_log = logging.getLogger("dateline.access")


@cache
def counter(outcome: str, reason: str = ""):
    """The labelled counter, looked up once (a few microseconds a hit otherwise). Not bound
    at import: a bound child creates the process's metrics file at once."""
    return PAGE_CACHE.labels(outcome, reason)


def note(environ: dict, outcome: str, reason: str = "") -> None:
    """Count the outcome and keep it for the request's access-log line."""
    counter(outcome, reason).inc()
    environ[OUTCOME] = f"{outcome}:{reason}" if reason else outcome


def log_hit(environ: dict, status: int, started: float) -> None:
    """Count a hit and write its access-log line, as Django's requests get theirs."""
    counter("hit").inc()
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    if not access_log.isEnabledFor(logging.INFO):
        return
    method = environ.get("REQUEST_METHOD", "")
    path = logged_path(environ.get("SCRIPT_NAME", "") + get_path_info(environ))
    access_log.info(
        "%s %s %s %.1fms cache=%s", method, path, status, duration_ms, "hit",
        extra={"method": method, "path": path, "status": status, "duration_ms": duration_ms,
               "cache": "hit"},
    )

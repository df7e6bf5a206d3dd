"""A background task queued once, however many callers ask for it before the worker runs it.

The mark lives in a cache every process shares; the task clears it when it starts (`done`),
and it expires by itself after `seconds`, so a worker that was down is asked again.
"""

import logging
from datetime import datetime

from django.core.cache import caches

from .cachefailure import log_failure

logger = logging.getLogger(__name__)


def enqueue_once(task, key: str, seconds: int, cache: str,
                 run_after: datetime | None = None) -> bool:
    """Queue `task` unless it was asked for within `seconds`; whether this call queued it."""
    try:
        first = caches[cache].add(key, True, seconds)
    except Exception:
        # Without the shared mark every caller would queue one (each reader of a page): none
        # does until the cache answers, and the next caller after that asks again.
        log_failure(logger, "%s not queued: the cache holding its mark is unavailable", key)
        return False
    if not first:
        return False
    (task.using(run_after=run_after) if run_after else task).enqueue()
    return True


def done(key: str, cache: str) -> None:
    """The task has started: the next caller asks again."""
    caches[cache].delete(key)

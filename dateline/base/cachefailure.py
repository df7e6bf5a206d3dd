"""What the shared cache's callers need when it fails, without loading the Redis client: most
processes (the embedded default, every `dateline` command) never talk to Redis, and importing
redis-py took 90 ms of each one's start. The Redis backend itself is dateline.base.sharedcache.
"""

import logging
import sys

from django.dispatch import Signal

from .errors import in_words

# Sent in each process that finds Redis answering again after an outage, with `away_since`:
# the time.time() at which this process first found it silent.
shared_cache_answering = Signal()


def not_answering(error: BaseException) -> bool:
    """Whether `error` is Redis not answering (refusing, or silent past its timeout)."""
    return _is_redis(error, "ConnectionError", "TimeoutError")


def redis_failed(error: BaseException) -> bool:
    """Whether `error` is any of Redis's (redis-py's RedisError)."""
    return _is_redis(error, "RedisError")


def _is_redis(error: BaseException, *names: str) -> bool:
    # Without redis-py loaded no Redis error can have been raised: it is not loaded for this.
    exceptions = sys.modules.get("redis.exceptions")
    return exceptions is not None and isinstance(
        error, tuple(getattr(exceptions, name) for name in names))


def log_failure(log: logging.Logger, message: str, *args, level: int = logging.WARNING,
                when_away: int = logging.DEBUG) -> None:
    """In an `except` block around a cache operation. Redis not answering, or a disk that
    refuses the page cache's files (OSError), is one line at `when_away`: the cache said the
    outage itself (dateline.base.sharedcache, dateline.pagecache.filecache), and a miss that
    only costs speed need not be said again. Any other failure is said at `level` with its
    traceback."""
    error = sys.exc_info()[1]
    if isinstance(error, OSError) or not_answering(error):
        log.log(when_away, message + " (%s)", *args, in_words(error))
    else:
        log.log(level, message, *args, exc_info=True)

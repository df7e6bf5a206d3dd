"""Rate limits for every app, counted by django-ratelimit in a store all workers share.

The counts live in the cache RATELIMIT_USE_CACHE ("ratelimit"): Redis where DATELINE_REDIS_URL
is set, else the database (counters.py). Windows are fixed, each key's shifted by a hash of the
key so that not every window closes at once. Keys are whatever the caller counts by, already
keyed hashes for people (a network, a mailbox); django-ratelimit hashes them again into the
cache key, so no address is ever stored.
"""

import logging
from dataclasses import dataclass

from django.db import DatabaseError
from django_ratelimit.core import get_usage

from .cachefailure import redis_failed
from .errors import in_words

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refusal:
    """A limit was reached; the client may try again in `retry_after` seconds."""

    limit: "RateLimit"
    retry_after: int


@dataclass(frozen=True)
class RateLimit:
    """At most `allowed` events per `window` seconds for one key (a sender, an address)."""

    name: str
    allowed: int
    window: int

    def reached(self, who: str) -> Refusal | None:
        """Look without counting: would one more event be over the limit?"""
        usage = self._usage(who, increment=False)
        if usage is None or usage["count"] < self.allowed:
            return None
        return Refusal(self, max(1, usage["time_left"]))

    def count(self, who: str) -> Refusal | None:
        """Count one event; refuse it if it is over the limit."""
        usage = self._usage(who, increment=True)
        if usage is None or not usage["should_limit"]:
            return None
        return Refusal(self, max(1, usage["time_left"]))

    def _usage(self, who: str, *, increment: bool) -> dict | None:
        try:
            # No request: the key is given, and no method filter needs one.
            return get_usage(None, group=f"dateline.{self.name}", key=lambda _g, _r: who,
                             rate=(self.allowed, self.window), increment=increment)
        except Exception as error:
            if not isinstance(error, (DatabaseError, OSError)) and not redis_failed(error):
                raise
            # A store that stops answering must not take the forms down with it: the limits
            # wait for it to come back (and the log says so, in a line a request: its
            # traceback, the same each time, would fill the log while the store is away),
            # the readers do not.
            logger.error("rate limit %s not counted: its store failed (%s)", self.name,
                         in_words(error))
            return None

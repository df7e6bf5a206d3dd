"""How much one reader may send: the size of a request, and reports per hour.

Counts live in a Django cache (DATELINE_SUBMISSION_RATE_CACHE), in fixed windows: `add`
creates a window's counter and `incr` raises it, both atomic on Redis and within one process
on the local-memory cache. Keys hold keyed hashes (see senders.py), never an IP or address.
"""

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest


def request_size(request: HttpRequest) -> int:
    """The body's size as the client declares it (what Django will read, never more)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0  # Django reads no body then either


def too_large(request: HttpRequest) -> bool:
    """Tell whether the body is over DATELINE_SUBMISSION_MAX_REQUEST_BYTES, before reading it."""
    return request_size(request) > settings.DATELINE_SUBMISSION_MAX_REQUEST_BYTES


@dataclass(frozen=True)
class Refusal:
    """A limit was reached; the reader may try again in `retry_after` seconds."""

    limit: "RateLimit"
    retry_after: int


@dataclass(frozen=True)
class RateLimit:
    """At most `allowed` events per `window` seconds for one key (a sender, an address)."""

    name: str
    allowed: int
    window: int

    def _slot(self, who: str) -> tuple[str, int]:
        now = time.time()
        slot = int(now // self.window)
        # The counter's key, and the seconds until its window closes (at least one).
        seconds_left = max(1, math.ceil((slot + 1) * self.window - now))
        return f"submissions:rate:{self.name}:{who}:{slot}", seconds_left

    def reached(self, who: str) -> Refusal | None:
        """Look without counting: would one more event be over the limit?"""
        key, seconds_left = self._slot(who)
        count = caches[settings.DATELINE_SUBMISSION_RATE_CACHE].get(key, 0)
        return Refusal(self, seconds_left) if count >= self.allowed else None

    def count(self, who: str) -> Refusal | None:
        """Count one event; refuse it if it is over the limit."""
        cache = caches[settings.DATELINE_SUBMISSION_RATE_CACHE]
        key, seconds_left = self._slot(who)
        cache.add(key, 0, timeout=seconds_left + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # the window closed between add and incr: this is its first event
            cache.add(key, 1, timeout=seconds_left + 1)
            count = 1
        return Refusal(self, seconds_left) if count > self.allowed else None


def attempts_per_sender() -> RateLimit:
    """Every POST, mistakes included: what a robot retrying forever runs into."""
    return RateLimit("attempts", settings.DATELINE_SUBMISSION_ATTEMPTS_PER_SENDER,
                     settings.DATELINE_SUBMISSION_RATE_WINDOW)


def reports_per_sender() -> RateLimit:
    return RateLimit("sender", settings.DATELINE_SUBMISSION_REPORTS_PER_SENDER,
                     settings.DATELINE_SUBMISSION_RATE_WINDOW)


def reports_per_address() -> RateLimit:
    return RateLimit("address", settings.DATELINE_SUBMISSION_REPORTS_PER_ADDRESS,
                     settings.DATELINE_SUBMISSION_RATE_WINDOW)

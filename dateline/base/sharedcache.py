"""Django's Redis cache, failing fast while Redis does not answer.

A page asks the shared cache a dozen times: the page itself, its parts, their keys' versions,
the search generation. With the client's one-second socket timeout, a Redis that stops
answering without refusing (a partition, a stalled host) made each of those wait out its
second: on the 100,000-story database an article page took 19 s, the home page 24 s, and
every thread of a worker was soon waiting. Every caller already treats a failed cache as a miss
(the page is rendered from the database, not stored), so the cost was the wait alone.

Here, once an operation finds Redis not answering, this process does not ask it again for
AWAY_SECONDS: every operation raises CacheAway at once, which callers take as the same
failure. The first operation after that asks Redis again. The outage is logged once, when it
starts, and once when Redis answers again; callers note each miss only at DEBUG
(`dateline.base.cachefailure.log_failure`).
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .cachefailure import shared_cache_answering
from .errors import in_words

logger = logging.getLogger(__name__)

AWAY_SECONDS = 5.0
NOT_ANSWERING = (RedisConnectionError, RedisTimeoutError)
# Per Redis (every alias of a site shares one): until when it is not asked, and since when it
# has not answered (None while it answers). Threads may race on these: at worst two of them
# both ask Redis, or both log the start of one outage.
_away: dict[tuple[str, ...], list] = {}


class CacheAway(RedisConnectionError):
    """Raised without asking Redis, within AWAY_SECONDS of its last failure to answer."""


class GuardedClient(RedisCacheClient):
    def __init__(self, servers, **options) -> None:
        super().__init__(servers, **options)
        self._state = _away.setdefault(tuple(servers), [0.0, None])

    def _guarded(self, operation, *args):
        since = self._state[1]
        if since is not None:
            if time.monotonic() < self._state[0]:
                raise CacheAway(f"the shared cache has not answered for "
                                f"{time.monotonic() - since:.0f} s; not asked again yet")
            # Asked with a PING first: what this process could not write meanwhile (lost
            # invalidations) is written before this operation reads anything.
            self._failing(lambda: self.get_client().ping())
            self._state[:] = [0.0, None]
            logger.warning("shared cache answering again, after %.0f s",
                           time.monotonic() - since)
            shared_cache_answering.send(
                sender=type(self), away_since=time.time() - (time.monotonic() - since))
        return self._failing(operation, *args)

    def _failing(self, operation, *args):
        """`operation`'s result; if Redis does not answer, held away from now on."""
        try:
            return operation(*args)
        except NOT_ANSWERING as error:
            now = time.monotonic()
            if self._state[1] is None:
                logger.error("shared cache not answering (%s); pages are rendered without it, "
                             "and it is asked again every %.0f s", in_words(error),
                             AWAY_SECONDS)
            self._state[:] = [now + AWAY_SECONDS, self._state[1] or now]
            raise


def _guard(name: str):
    unguarded = getattr(RedisCacheClient, name)

    def operation(self, *args):
        return self._guarded(lambda *a: unguarded(self, *a), *args)

    operation.__name__ = name
    return operation


# Every operation Django's RedisCache makes of its client.
for _name in ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr",
              "set_many", "delete_many", "clear"):
    setattr(GuardedClient, _name, _guard(_name))


class RedisCache(DjangoRedisCache):
    """CACHES' BACKEND for Redis in production (dateline.settings.prod)."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = GuardedClient

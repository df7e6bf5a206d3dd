"""Refuse a rate-limit store that each process keeps to itself when several processes serve."""

from django.conf import settings
from django.core.cache import caches
from django.core.checks import Error, register

PER_PROCESS = ("django.core.cache.backends.locmem.LocMemCache",
               "django.core.cache.backends.dummy.DummyCache")


@register()
def rate_limit_store(app_configs, **kwargs) -> list[Error]:
    """With DATELINE_WORKERS > 1, limits in process memory would let each client N times over."""
    alias = getattr(settings, "RATELIMIT_USE_CACHE", "default")
    backend = type(caches[alias])
    path = f"{backend.__module__}.{backend.__qualname__}"
    if settings.DATELINE_WORKERS > 1 and path in PER_PROCESS:
        return [Error(
            f"Rate limits count in the cache {alias!r} ({backend.__name__}), which each of the "
            f"{settings.DATELINE_WORKERS} workers keeps apart: every client would get "
            f"{settings.DATELINE_WORKERS} times its limit.",
            hint="Point CACHES[" + repr(alias) + "] at Redis (DATELINE_REDIS_URL) or at "
                 "dateline.base.counters.DatabaseCounterCache.",
            id="dateline_base.E001",
        )]
    return []

"""Production settings: everything that differs between deployments comes from the environment.

deploy/env.example lists every variable read here and in `base`, with what it does.
"""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from dateline.base.environment import one_of, whole_number
from dateline.db.config import replica_databases_from_env

from .base import *  # noqa: F403
from .base import (
    ALLOWED_HOSTS,
    CACHES,
    DATABASES,
    DATELINE_BEHIND_PROXY,
    DATELINE_NEWSDESK_EMAIL,
    LOGGING,
    SECRET_KEY,
)

if not SECRET_KEY:
    raise ImproperlyConfigured("Set DATELINE_SECRET_KEY to a long random string.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set DATELINE_ALLOWED_HOSTS, e.g. news.example.org.")
if not os.environ.get("DATELINE_SITE_URL") or urlsplit(
        os.environ["DATELINE_SITE_URL"]).hostname in (None, "127.0.0.1", "localhost", "::1"):
    # The public origin names every story to partners and feed readers (a GUID, a ninjs uri)
    # and links the mails and the PDF: the default, 127.0.0.1, named them all wrongly.
    raise ImproperlyConfigured("Set DATELINE_SITE_URL to the site's public origin, e.g. "
                               "https://news.example.org.")
if DATELINE_NEWSDESK_EMAIL.endswith(("@example.org", "@example.com", "@example.net")):
    # Readers are told to write there to withdraw a report or ask what is held about them,
    # and every mail comes from it: the example address sent them nowhere.
    raise ImproperlyConfigured("Set DATELINE_NEWSDESK_EMAIL to the news desk's own address.")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("DATELINE_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

# HTTPS ends at the reverse proxy; DATELINE_BEHIND_PROXY=1 trusts the X-Forwarded-Proto it sets.
_https = one_of("DATELINE_HTTPS", "1", ("0", "1")) == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _https
if DATELINE_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Without a proxy to say a request came over HTTPS, redirecting to HTTPS would loop.
SECURE_SSL_REDIRECT = _https and DATELINE_BEHIND_PROXY
# Probes and scrapers may ask the app server itself, in plain HTTP on its private address.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = whole_number("DATELINE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = one_of("DATELINE_HSTS_INCLUDE_SUBDOMAINS", "0", ("0", "1")) == "1"
SECURE_HSTS_PRELOAD = one_of("DATELINE_HSTS_PRELOAD", "0", ("0", "1")) == "1"

# Each worker thread keeps its connection this many seconds instead of opening one per request.
DATABASES["default"]["CONN_MAX_AGE"] = whole_number("DATELINE_DB_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL's connect_timeout (5 s) is in base.py: development and tests need it too.

# ---- Read replicas -----------------------------------------------------------------------
# DATELINE_DB_REPLICA_HOSTS names PostgreSQL streaming replicas of the primary; the router sends
# reads to them (outside transactions) and writes, migrations and sessions to the primary.
# Last among the database settings, so that the replicas inherit the primary's.
_replicas, DATELINE_DB_REPLICAS = replica_databases_from_env(DATABASES["default"])
DATABASES.update(_replicas)
DATABASE_ROUTERS = ["dateline.db.routers.PrimaryReplicaRouter"]
# -------------------------------------------------------------------------------------------

# One Redis shared by every worker process and app server, so that what one of them stores or
# invalidates, all of them see. Without it each process (default) or machine (pages) has its own.
_redis_url = os.environ.get("DATELINE_REDIS_URL", "")
# Several machines must learn of invalidations through Redis, not a file of one of them; a
# single machine may still name a file (see base.py) for faster cache hits.
DATELINE_PAGE_CACHE_BOARD = os.environ.get("DATELINE_PAGE_CACHE_BOARD", "")
if _redis_url:
    CACHES = {
        alias: {
            # Django's, failing fast while Redis does not answer (dateline/base/sharedcache.py).
            "BACKEND": "dateline.base.sharedcache.RedisCache",
            "LOCATION": _redis_url,
            "TIMEOUT": cache.get("TIMEOUT", 300),
            "KEY_PREFIX": alias,  # the aliases share one Redis database
            # A Redis that stops answering costs one request of each process a second every
            # few seconds (sharedcache.AWAY_SECONDS), instead of hanging every request.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        for alias, cache in CACHES.items()
    }

# One JSON object per line on stderr, for journald and a log collector.
LOGGING = {
    **LOGGING,
    "formatters": {"json": {"()": "dateline.ops.logs.JsonFormatter"}},
    "handlers": {
        name: {**handler, "formatter": "json"} for name, handler in LOGGING["handlers"].items()
    },
}

"""Settings for the test suite; DATELINE_DB_ENGINE=postgresql runs it against PostgreSQL."""

import os

from dateline.base.environment import number

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# The public origin pages name as their own (canonical, og:url, feed GUIDs): the test
# client's host, as a site's is the host its readers use (never a developer's exported one).
DATELINE_SITE_URL = "http://testserver"
# Live-server threads must not keep connections open, or PostgreSQL cannot drop the test database.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Lets two test runs share one PostgreSQL server without dropping each other's database.
if os.environ.get("DATELINE_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["DATELINE_TEST_DB_NAME"]}  # noqa: F405
elif DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, as a site has, not Django's in-memory default: that one is a single connection
    # the live server's request threads share with the test (Django's own warning), so a page's
    # background requests (autosave, presence) interleave their transactions with its clicks
    # and fail at random; and it fails a second writer at once where a file makes it wait.
    # One per process, so that two runs in one checkout do not drop each other's.
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405  (a fresh clone has none)
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")  # noqa: F405
    }
# PostgreSQL's own backend, but for how it empties the database after a test that commits.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    DATABASES["default"]["ENGINE"] = "tests.backends.postgresql"  # noqa: F405
# A second alias on the same test database, for the read-replica router's tests (tests/db/).
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "pictures_originals": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "reader_reports": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages",
              "TIMEOUT": None},
    "ratelimit": {"BACKEND": "dateline.base.counters.DatabaseCounterCache"},
}
DATELINE_PAGE_CACHE_BOARD = ""  # the tests that want one give it a temporary file
# The page cache's tests (marker "cache") also run against a real Redis: `make test-redis`.
if os.environ.get("DATELINE_REDIS_URL"):
    CACHES["pages"] = {
        "BACKEND": "dateline.base.sharedcache.RedisCache",
        "LOCATION": os.environ["DATELINE_REDIS_URL"], "KEY_PREFIX": "pages", "TIMEOUT": None,
    }
# The rate limits' counters too (their tests are marked "cache").
if os.environ.get("DATELINE_REDIS_URL"):
    CACHES["ratelimit"] = {
        "BACKEND": "dateline.base.sharedcache.RedisCache",
        "LOCATION": os.environ["DATELINE_REDIS_URL"], "KEY_PREFIX": "ratelimit",
    }
# The default cache as well, so that the readiness check meets the real Redis (tests/ops/).
if os.environ.get("DATELINE_REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "dateline.base.sharedcache.RedisCache",
        "LOCATION": os.environ["DATELINE_REDIS_URL"], "KEY_PREFIX": "default",
    }
# The WebSub tests subscribe real HTTP servers listening on loopback.
DATELINE_WEBSUB_ALLOW_PRIVATE = True
# Ingest's tests poll outlets served on loopback, quickly (tests/ingest/outlets.py).
DATELINE_INGEST_ALLOW_PRIVATE = True
DATELINE_INGEST_HOST_GAP = 0
# Counts are written when a test calls flush(), not by a thread racing the test's transaction.
DATELINE_READERSHIP_FLUSH_SECONDS = number("DATELINE_READERSHIP_FLUSH_SECONDS", 0)
# Campaigns read afresh at each pick: a test's change shows at once.
DATELINE_ADS_REFRESH_SECONDS = 0

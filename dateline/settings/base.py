"""Settings shared by every environment; values a deployment changes come from the environment."""

import os
import urllib.parse
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from dateline.base.environment import (
    clock_time,
    log_level,
    number,
    one_of,
    time_zone,
    whole_number,
)
from dateline.pictures.storages import storages_from_env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("DATELINE_VAR_DIR", BASE_DIR / "var")).resolve()

SECRET_KEY = os.environ.get("DATELINE_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("DATELINE_ALLOWED_HOSTS", "").split(",") if h]

INSTALLED_APPS = [
    "dateline.base",
    "dateline.newsroom",
    "dateline.pictures",
    "dateline.ingest",
    "dateline.intelligence",
    "dateline.site",
    "dateline.db",
    "dateline.pagecache",
    "dateline.syndication",
    "dateline.search",
    "dateline.live",
    "dateline.submissions",
    "dateline.edition",
    "dateline.readership",
    "dateline.ads",
    "dateline.ops",
    # django.contrib.admin, whose `admin.site` is the desk (two-factor at its door).
    "dateline.newsroom.desk.apps.DeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_prose_editor",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
]

MIDDLEWARE = [
    "dateline.ops.middleware.RequestMetricsMiddleware",
    "dateline.ops.middleware.AnsweredMethodsMiddleware",
    "dateline.pagecache.middleware.PageCacheMiddleware",
    # After the page cache, whose hits touch no database: public reads get a time budget.
    "dateline.db.middleware.PublicReadLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # A section, tag or author page renamed: its old address (and all below it) redirects.
    "dateline.site.moved.MovedPagesMiddleware",
    # A parameter no view reads is dropped by a redirect, not rendered afresh each time.
    "dateline.pagecache.queries.UnreadQueryMiddleware",
    # A form read before CSRF's check reads it: a full disk for its uploads said in words.
    "dateline.ops.middleware.NoRoomForFormsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "dateline.newsroom.desk.csp.DeskContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dateline.urls"
WSGI_APPLICATION = "dateline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "dateline.site.context_processors.site",
            ],
        },
    },
]


def database_from_env() -> dict:
    """Build the default database from DATELINE_DB_* variables (SQLite unless told otherwise)."""
    engine = one_of("DATELINE_DB_ENGINE", "sqlite", ("sqlite", "postgresql"))
    if engine == "postgresql":
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("DATELINE_DB_NAME", "dateline"),
            "USER": os.environ.get("DATELINE_DB_USER", "dateline"),
            "PASSWORD": os.environ.get("DATELINE_DB_PASSWORD", ""),
            "HOST": os.environ.get("DATELINE_DB_HOST", "127.0.0.1"),
            "PORT": os.environ.get("DATELINE_DB_PORT", "5432"),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            # A server that takes connections and never answers (frozen, a hung disk) fails a
            # request (and /readyz) in seconds: libpq alone waits for ever. libpq reads 1 as 2.
            "OPTIONS": {"connect_timeout": whole_number("DATELINE_DB_CONNECT_TIMEOUT", 5)},
        }
    return {
        # Django's, remembering each statement's placeholders (dateline/db/backends/sqlite3).
        "ENGINE": "dateline.db.backends.sqlite3",
        "NAME": os.environ.get("DATELINE_DB_NAME", str(VAR_DIR / "dateline.sqlite3")),
        "OPTIONS": {
            # WAL lets readers carry on while the desk or an import writes; IMMEDIATE makes a
            # writer wait for the lock at BEGIN instead of failing half-way through.
            # mmap: pages are read from the file's mapping, shared by every connection and
            # process through the kernel's page cache, where each connection's own page cache
            # (2 MB) copied them in with a read call each: a cold article at 100k stories spent
            # a fifth less in SQLite (bench/README.md). Only the first DATELINE_SQLITE_MMAP_MB
            # of the file are mapped; 0 reads as SQLite's default.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                f" PRAGMA mmap_size={whole_number('DATELINE_SQLITE_MMAP_MB', 1024, least=0) << 20};"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        # Opening SQLite and reading its schema costs more than most page queries: keep
        # each server thread's connection.
        "CONN_MAX_AGE": None,
        "CONN_HEALTH_CHECKS": True,
    }


DATABASES = {"default": database_from_env()}
# Read-replica aliases for dateline.db.routers.PrimaryReplicaRouter (prod: from the environment).
DATELINE_DB_REPLICAS: list[str] = []
# A replica that refuses connections or falls behind rests this long (reads go elsewhere); a
# write waits at most this long for the replicas to replay it (dateline/db/replicas.py).
DATELINE_DB_REPLICA_REST_SECONDS = 5.0
DATELINE_DB_REPLICA_WAIT_MS = 1000
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ---- The desk's door (dateline/newsroom/desk/login.py) -------------------------------------
# django-axes refuses logins after AXES_FAILURE_LIMIT failures for one account from one address,
# and apart for one address whatever the accounts (an IPv4 address or an IPv6 /64, as the proxy
# saw it), until AXES_COOLOFF_TIME has passed since the last failure. Counted in the database,
# which every worker shares. Not for an account alone: five wrong passwords sent by anyone
# then kept its editor out from everywhere, a lock-out a stranger could renew every quarter
# of an hour during breaking news. Guessing spread over many addresses is met by two-factor
# codes and Django's password rules instead.
# Where a login with no usable `next` (none, or another site's: refused) lands: the desk, not
# Django's /accounts/profile/, which is no page here.
LOGIN_REDIRECT_URL = "admin:index"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = whole_number("DATELINE_LOGIN_FAILURE_LIMIT", 5)
# The desk's messages (all of them: no public page sends one) kept in the editor's session,
# not a cookie: a new API key's token travelled to its shown-once page in a signed, not
# encrypted, cookie (an outside tester's finding).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
AXES_COOLOFF_TIME = timedelta(minutes=whole_number("DATELINE_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_CLIENT_IP_CALLABLE = "dateline.newsroom.desk.login.login_address"
AXES_LOCKOUT_CALLABLE = "dateline.newsroom.desk.login.locked_out"
# A login clears only its own account's failures from its own address
# (newsroom.desk.login.forget_own_failures): axes' own reset on success clears everything its
# lock-out rules match, and the rule by address alone matches every account's failures from
# that address, so any desk login wiped the count of guesses at the chief editor's password.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False  # no banner on every command; lock-outs are still logged as warnings

LANGUAGE_CODE = "en-gb"
FORMAT_MODULE_PATH = ["dateline.formats"]
# The agency's own clock: datelines, "today" and day archives are in this zone.
TIME_ZONE = time_zone("DATELINE_TIME_ZONE", "Europe/Sofia")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    # "default": public files readers may fetch (photo renditions, under content-hashed names);
    # "pictures_originals": photos as uploaded, with their metadata, for the desk and the
    # worker, never served. Local disk, or S3-compatible buckets with DATELINE_MEDIA_STORAGE=s3
    # (dateline/pictures/storages.py lists the variables).
    **storages_from_env(os.environ, VAR_DIR),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# A CDN in front of the public files: its URL here, e.g. https://cdn.example.org/media/.
MEDIA_URL = os.environ.get("DATELINE_MEDIA_URL", "/media/")

# Background tasks run in `dateline worker` (started by `dateline serve`): the "outlets" queue
# (polling other outlets' feeds, whose answers may take half a minute) in a loop of its own,
# so that a slow outlet never holds back a scheduled publication or anything else queued.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                     "QUEUES": ["default", "outlets"]}}

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Pages must be shared by the web server's processes and the worker that invalidates
    # them; files do that on one machine, production points this at Redis.
    "pages": {
        "BACKEND": "dateline.pagecache.filecache.FileCache",
        "LOCATION": str(VAR_DIR / "cache" / "pages"),
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 200_000},
    },
    # Rate-limit counters, shared by every process through the database (Redis in production:
    # the whole dict is pointed at it there). See dateline/base/ratelimits.py.
    "ratelimit": {"BACKEND": "dateline.base.counters.DatabaseCounterCache"},
}
# django-ratelimit counts in this cache, for every limit of every app.
RATELIMIT_USE_CACHE = "ratelimit"
# Web processes that serve at once (`dateline serve --workers`): with more than one, a check
# refuses rate limits counted in one process's memory.
DATELINE_WORKERS = whole_number("DATELINE_WORKERS", 1)
DATELINE_PAGE_CACHE = "pages"
# One machine: processes learn of invalidations from this memory-mapped file. Production
# with several machines sets DATELINE_PAGE_CACHE_BOARD="" and relies on the shared cache.
DATELINE_PAGE_CACHE_BOARD = os.environ.get(
    "DATELINE_PAGE_CACHE_BOARD", str(VAR_DIR / "cache" / "generation")
)
# Off only to measure or debug rendering: every request then goes through Django...
DATELINE_PAGE_CACHE_ON = one_of("DATELINE_PAGE_CACHE", "on", ("on", "off")) == "on"
# ...and with this off too, every part of every page is rendered from the database.
DATELINE_FRAGMENT_CACHE_ON = one_of("DATELINE_FRAGMENT_CACHE", "on", ("on", "off")) == "on"
# Where cached pages are also written for nginx to serve as files (dateline/pagecache/
# pagefiles.py, deploy/nginx.conf): /var/lib/dateline/pages in production. Empty: none written.
DATELINE_PAGE_FILES_DIR = os.environ.get("DATELINE_PAGE_FILES_DIR", "")
# Pages each web worker writes there between two changes, at most (a crawler walking the whole
# archive meanwhile: about 20 KB a page with its gzipped twin); the rest stay the app's.
DATELINE_PAGE_FILES_MAX_PAGES = whole_number("DATELINE_PAGE_FILES_MAX_PAGES", 10_000)
# Seconds a CDN may keep a page (it is purged by Surrogate-Key on change), and may serve it
# stale while fetching a fresh copy.
DATELINE_PAGE_CACHE_TIMEOUT = whole_number("DATELINE_PAGE_CACHE_TIMEOUT", 300)
DATELINE_PAGE_CACHE_STALE = whole_number("DATELINE_PAGE_CACHE_STALE", 60)
# /api/ answers partners by API key: a stored copy would reach readers without one.
DATELINE_PAGE_CACHE_EXCLUDE = ("/desk/", "/preview/", "/static/", "/media/", "/healthz",
                               "/readyz", "/metrics", "/api/")
# Pages each process remembers having checked, answered without a second cache read.
DATELINE_PAGE_CACHE_LOCAL_PAGES = 5000

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True

# Real time (dateline.live). The event stream is served by its own ASGI server so that pages
# keep WSGI's speed: `dateline serve` starts it on PORT+1 and sets DATELINE_LIVE_URL; behind
# a proxy, route /live/ to it and set DATELINE_LIVE_URL=/live/events. Empty: no live updates
# (the pages still show the latest stories and breaking news as rendered).
DATELINE_LIVE_URL = os.environ.get("DATELINE_LIVE_URL", "")
if DATELINE_LIVE_URL.startswith(("http://", "https://")):
    _live = urllib.parse.urlsplit(DATELINE_LIVE_URL)
    SECURE_CSP["connect-src"] = [CSP.SELF, f"{_live.scheme}://{_live.netloc}"]
DATELINE_LIVE_REDIS_URL = os.environ.get(
    "DATELINE_LIVE_REDIS_URL", os.environ.get("DATELINE_REDIS_URL", "")
)
# How publishing processes wake streaming ones: see dateline/live/brokers/__init__.py.
DATELINE_LIVE_BROKER = os.environ.get("DATELINE_LIVE_BROKER") or (
    "redis" if DATELINE_LIVE_REDIS_URL
    else "postgresql" if DATABASES["default"]["ENGINE"].endswith("postgresql")
    else "local"
)
# Brokers beyond the built-ins, by name: {"name": "dotted.path.BrokerSubclass"}.
DATELINE_LIVE_BROKERS: dict[str, str] = {}
DATELINE_LIVE_BOARD = os.environ.get("DATELINE_LIVE_BOARD", str(VAR_DIR / "cache" / "live"))
DATELINE_LIVE_LOCAL_POLL = 0.05
# Streams also read the table this often, whatever the broker says (or fails to say).
DATELINE_LIVE_SAFETY_POLL = number("DATELINE_LIVE_SAFETY_POLL", 5)
DATELINE_LIVE_HEARTBEAT = 15
DATELINE_LIVE_RETENTION_DAYS = 7
# Events a stream keeps in memory for reconnecting readers; older ones come from the table,
# at most DATELINE_LIVE_REPLAY_LIMIT of them (a reader away longer starts afresh).
DATELINE_LIVE_RING = whole_number("DATELINE_LIVE_RING", 2000)
DATELINE_LIVE_REPLAY_LIMIT = whole_number("DATELINE_LIVE_REPLAY_LIMIT", 1000)
# Bytes written to one stream before it ends and its reader comes back for the rest (with its
# Last-Event-ID, a quarter of a second later): what a reader that reads nothing holds in the
# server, which cannot tell read from unread (a few hundred live entries per stream).
DATELINE_LIVE_STREAM_MAX_BYTES = whole_number("DATELINE_LIVE_STREAM_MAX_BYTES", 256 * 1024)
# WebSub (dateline.syndication.websub): Dateline is the hub of its own feeds, at /websub/.
# Callbacks on private, loopback or link-local addresses are refused unless this is on (dev
# and tests).
DATELINE_WEBSUB_ALLOW_PRIVATE = False
# Leases: what a subscriber gets when it asks for none, and the bounds of what it may ask.
DATELINE_WEBSUB_LEASE_SECONDS = 10 * 86400
DATELINE_WEBSUB_MIN_LEASE_SECONDS = 3600
DATELINE_WEBSUB_MAX_LEASE_SECONDS = 30 * 86400
# Subscriptions plus unverified requests one callback host may hold.
DATELINE_WEBSUB_MAX_PER_HOST = 1000
# Requests one sender (an IPv4 address, an IPv6 /64) may make of the hub in an hour: each is
# a row and a worker's GET to a callback, which may wait DATELINE_WEBSUB_TIMEOUT for nothing.
# A feed reader subscribes to a few feeds and renews each every few days.
DATELINE_WEBSUB_REQUESTS_PER_SENDER = 120
# Seconds to connect or wait for each read of a callback (a whole answer: twice that).
DATELINE_WEBSUB_TIMEOUT = 5
# Attempts at pushing one change before giving up; the pause doubles from RETRY_SECONDS.
DATELINE_WEBSUB_DELIVERY_ATTEMPTS = 6
DATELINE_WEBSUB_RETRY_SECONDS = 60
# Pushes made at the same time by one worker.
DATELINE_WEBSUB_DELIVERY_THREADS = 8
# Ingest (dateline.ingest): how outlets' feeds are fetched, politely and within limits.
# Services fetch (http, folder, imap built in); name more as {"name": "dotted.path.Class"}.
DATELINE_INGEST_SERVICES: dict[str, str] = {}
# Parsers read a format (rss, atom, jsonfeed, ninjs, newsml-g2, jsonlines, email built in); add
# more as {"name": "dotted.path.Class"} (dateline.ingest.parsers.Parser subclasses).
DATELINE_INGEST_PARSERS: dict[str, str] = {}
# Seconds to connect and for each read; a whole answer gets TOTAL at most.
DATELINE_INGEST_TIMEOUT = 10
DATELINE_INGEST_TOTAL_TIMEOUT = 30
# Seconds one poll of a feed may spend fetching its new teasers' pages (Feed.full_text); the
# items left when they are spent keep their teasers. Pages come one at a time per host, each
# up to TOTAL_TIMEOUT: without it, an outlet whose pages drip took half a minute an item.
DATELINE_INGEST_FULL_TEXT_SECONDS = 60
# The folders the folder service may read, and only below them (colon-separated in
# DATELINE_INGEST_FOLDERS): an editor types a feed's path, and any other would hand them the
# server's files (the secret key, the database) as "unreadable payloads".
DATELINE_INGEST_FOLDER_ROOTS = [
    Path(folder) for folder in
    os.environ.get("DATELINE_INGEST_FOLDERS", str(VAR_DIR / "ingest")).split(":") if folder]
# Bytes of one answer, counted while it streams and again after decompression (gzip bombs).
DATELINE_INGEST_MAX_BYTES = 10 * 1024 * 1024
DATELINE_INGEST_MAX_REDIRECTS = 5
# The imap service (imaps://user@host:993/INBOX feeds): passwords by "user@host", never in a
# URL, from environment variables DATELINE_IMAP_PASSWORD_<ANY NAME>="user@host password".
DATELINE_INGEST_IMAP_PASSWORDS: dict[str, str] = {
    account.strip(): password
    for name, value in os.environ.items() if name.startswith("DATELINE_IMAP_PASSWORD_")
    for account, _, password in [value.partition(" ")] if account.strip() and password
}
# Plain imap:// sends the password unencrypted: refused unless on (loopback tests only).
DATELINE_INGEST_IMAP_ALLOW_PLAIN = False
# New messages read by one poll of a mailbox, oldest first; the rest wait for the next poll.
DATELINE_INGEST_IMAP_BATCH = 50
# Private, loopback and link-local addresses are refused unless this is on (demo and tests).
DATELINE_INGEST_ALLOW_PRIVATE = False
# Seconds between the end of one request to a host and the start of the next.
DATELINE_INGEST_HOST_GAP = 1.0
# Where the per-host locks live (one small file per host, shared by every worker process).
DATELINE_INGEST_LOCK_DIR = str(VAR_DIR / "cache" / "ingest-hosts")
# After a failed poll the next waits doubling from BACKOFF seconds, with jitter, up to
# BACKOFF_MAX; after PAUSE_AFTER failures in a row the feed is paused until an editor resumes.
DATELINE_INGEST_BACKOFF = 60
DATELINE_INGEST_BACKOFF_MAX = 6 * 3600
DATELINE_INGEST_PAUSE_AFTER = 10
# Seconds between the worker's looks for feeds that are due.
DATELINE_INGEST_TICK = 60
# Hosts polled at once in a round, each host's feeds one after another in its thread (a slow
# outlet holds back only its own feeds); 1 polls every feed one after another.
DATELINE_INGEST_POLL_THREADS = 4
# Items unused in a draft or a press review go after this many days; unreadable payloads
# kept for diagnosis after FAILED_KEEP_DAYS, at most FAILED_PAYLOAD_BYTES of each.
DATELINE_INGEST_KEEP_DAYS = whole_number("DATELINE_INGEST_KEEP_DAYS", 30)
DATELINE_INGEST_FAILED_KEEP_DAYS = 7
DATELINE_INGEST_FAILED_PAYLOAD_BYTES = 256 * 1024
# The foreign-media monitor looks for the site's country (ISO 3166 alpha-2): its watched terms
# are seeded while none exist, then edited in the desk (Ingest > Watched terms).
DATELINE_COUNTRY = os.environ.get("DATELINE_COUNTRY", "BG").strip().upper()


def _watched_terms(country: str, words: str | None) -> list[str]:
    """The country's name (pycountry), then DATELINE_WATCHED_TERMS' own words, comma-separated
    (what a newsroom adds: the people's name, the capital); for the demo's Bulgaria, these."""
    import pycountry

    found = pycountry.countries.get(alpha_2=country)
    if found is None:
        raise ImproperlyConfigured(
            f"DATELINE_COUNTRY={country!r} is not an ISO 3166 alpha-2 country code (BG, FR).")
    if words is None:
        words = {"BG": "Bulgarian, Bulgarians, Sofia"}.get(country, "")
    names = [getattr(found, "common_name", ""), found.name.split(",")[0],
             *(word.strip() for word in words.split(","))]
    return list(dict.fromkeys(name for name in names if name))


DATELINE_WATCHED_TERMS = _watched_terms(DATELINE_COUNTRY,
                                        os.environ.get("DATELINE_WATCHED_TERMS"))
# Where drafts made from outlets' items start (a top-level section's slug); blank: the first.
DATELINE_INGEST_DRAFT_SECTION = os.environ.get("DATELINE_INGEST_DRAFT_SECTION", "")

# Newsroom intelligence (dateline.intelligence): the parts the worker runs on each saved
# story, by registry name; more parts by dotted path in DATELINE_INTELLIGENCE_TAGGERS,
# _CLASSIFIERS, _RANKERS, _SUMMARISERS ({"name": "dotted.path.Class"}).
DATELINE_INTELLIGENCE_USE = {"tagger": "gazetteer", "classifier": "linear",
                             "ranker": "tfidf", "summariser": "lead"}
# What trained parts learnt (`dateline intelligence train`) is kept here.
DATELINE_INTELLIGENCE_DIR = str(VAR_DIR / "intelligence")
# Suggested tags at or above this confidence are applied without an editor (0 < x <= 1; 1.01
# applies none); editors' decisions are never overridden.
DATELINE_INTELLIGENCE_APPLY_AT = number("DATELINE_INTELLIGENCE_APPLY_AT", 0.9)
# The longest brief of News in Brief, in words.
DATELINE_BRIEF_MAX_WORDS = 60
# Newest breaking story shown in the banner while it is younger than this.
DATELINE_BREAKING_HOURS = whole_number("DATELINE_BREAKING_HOURS", 12)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A request refused for what its client sent is logged in one line (ClientFault), and so
    # is one answered 503 while the database is away (DatabaseAway).
    "filters": {"client_fault": {"()": "dateline.ops.logs.ClientFault"},
                "database_away": {"()": "dateline.ops.logs.DatabaseAway"}},
    "handlers": {"console": {"class": "logging.StreamHandler",
                             "filters": ["client_fault", "database_away"]}},
    "root": {"handlers": ["console"], "level": log_level("DATELINE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"},
                # Every login attempt is logged at INFO; lock-outs come as warnings.
                "axes": {"level": "WARNING"},
                # Django logs every task's start and end at INFO: `make run`'s console got
                # 458 such lines in its first hour (an outlet's feed polled every minute, a
                # story analysed after each change), burying the requests. A failed task is
                # logged at ERROR with its traceback, and still is.
                "django.tasks": {"level": log_level("DATELINE_TASKS_LOG_LEVEL", "WARNING")}},
}

# What the public site calls itself; a deployment overrides these from the environment.
DATELINE_SITE_NAME = os.environ.get("DATELINE_SITE_NAME", "Dateline")
# Who readers see as the author of a live entry whose account has no public name (never the
# login name); also what authenticator apps call the desk's entry (django-otp).
DATELINE_DESK_NAME = os.environ.get("DATELINE_DESK_NAME", f"{DATELINE_SITE_NAME} desk")
OTP_TOTP_ISSUER = DATELINE_DESK_NAME
# An authenticator's secret is shown once, to its owner, at enrolment (/desk/two-factor/); the
# admin's device screens would show any account's QR code and key to whoever may view devices
# (and answered an unknown device with a 500). With this on they answer 403.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
DATELINE_SITE_TAGLINE = os.environ.get(
    "DATELINE_SITE_TAGLINE", "News agency: the story as it happens"
)
DATELINE_PAGE_SIZE = 20
# How long a signed preview link of an unpublished article works, in seconds.
DATELINE_PREVIEW_MAX_AGE = whole_number("DATELINE_PREVIEW_MAX_AGE", 48 * 3600)
# Feeds carry the whole sanitised body when on, else the teaser and a link.
DATELINE_FEED_FULL_CONTENT = one_of("DATELINE_FEED_FULL_CONTENT", "0", ("0", "1")) == "1"
# The house's rights, carried by feeds (<rights>, <copyright>), ninjs and JSON-LD for every story
# that names no source of its own.
DATELINE_RIGHTS_HOLDER = os.environ.get("DATELINE_RIGHTS_HOLDER", DATELINE_SITE_NAME)
DATELINE_COPYRIGHT_NOTICE = os.environ.get(
    "DATELINE_COPYRIGHT_NOTICE", f"Copyright {DATELINE_RIGHTS_HOLDER}. All rights reserved."
)
DATELINE_USAGE_TERMS = os.environ.get(
    "DATELINE_USAGE_TERMS",
    f"Republication only under an agreement with {DATELINE_RIGHTS_HOLDER}.",
)
# Wire formats beyond the built-in ninjs15, ninjs16, ninjs21 and ninjs31, by name:
# {"name": "dotted.path.FormatterSubclass"}.
DATELINE_SYNDICATION_FORMATTERS: dict[str, str] = {}
# The news desk's address: told of every reader's report, and the site's contact.
DATELINE_NEWSDESK_EMAIL = os.environ.get("DATELINE_NEWSDESK_EMAIL", "newsdesk@example.org")

# ---- Pictures: the photo library (dateline.pictures) ---------------------------------------
# Bytes per original as uploaded, and pixels per photo: a photo is decoded only when its header
# promises at most this many pixels (60 MP admits every current camera), so a small file that
# unpacks to gigabytes is refused before it is unpacked.
DATELINE_PHOTO_MAX_BYTES = 40 * 1024 * 1024
DATELINE_PHOTO_MAX_PIXELS = 60_000_000

# ---- "Be a reporter": readers' reports (dateline.submissions) ------------------------------
# Photos per report, bytes per photo as sent, and pixels per photo: a photo is decoded (to
# strip its metadata) only when its header promises at most this many pixels, so a small file
# that unpacks to gigabytes is refused before it is unpacked. 50 megapixels admits 48 MP phones.
DATELINE_SUBMISSION_MAX_PHOTOS = 5
DATELINE_SUBMISSION_PHOTO_MAX_BYTES = 10 * 1024 * 1024
DATELINE_SUBMISSION_PHOTO_MAX_PIXELS = 50_000_000
# A whole POST to the form: every photo at its largest, plus a megabyte for the text. Larger
# requests are answered 413 before any of the body is read (nginx must allow as much).
DATELINE_SUBMISSION_MAX_REQUEST_BYTES = (
    DATELINE_SUBMISSION_MAX_PHOTOS * DATELINE_SUBMISSION_PHOTO_MAX_BYTES + 1024 * 1024
)
# The largest request body any view takes: the desk's photo form without JavaScript, two
# originals at their largest. `dateline serve` answers 413 to a larger one announced, before
# reading any of it and without a thread of Django's (a handful trickling such bodies into
# views that read them, the desk's login or the WebSub hub, held every slot). The paths named
# below take less, and refuse a larger one with their own page, by its length, unread.
DATELINE_REQUEST_MAX_BYTES = 2 * DATELINE_PHOTO_MAX_BYTES + 1024 * 1024
DATELINE_REQUEST_MAX_BYTES_BY_PATH = {"/report/": DATELINE_SUBMISSION_MAX_REQUEST_BYTES}
# Reports accepted per sender (IPv4 address, IPv6 /64) and per e-mail address in each window
# of RATE_WINDOW seconds, and POSTs of any kind (mistakes included) per sender: counted in
# the "ratelimit" cache, which every web process shares.
DATELINE_SUBMISSION_REPORTS_PER_SENDER = whole_number("DATELINE_SUBMISSION_REPORTS_PER_SENDER", 5)
DATELINE_SUBMISSION_REPORTS_PER_ADDRESS = whole_number("DATELINE_SUBMISSION_REPORTS_PER_ADDRESS", 3)
DATELINE_SUBMISSION_ATTEMPTS_PER_SENDER = 30
DATELINE_SUBMISSION_RATE_WINDOW = 3600
# Seconds the confirmation page's signed link shows the reference (it is in the e-mail too).
DATELINE_SUBMISSION_RECEIPT_MAX_AGE = 24 * 3600
# Text fields of any POST (Django's default, named here because the report form relies on it:
# 50,000 characters are at most 200 kB); uploaded files larger than this wait on disk, not in
# memory, while they are checked.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The article editor's autosaves and heartbeats per desk account and minute (a page sends about
# 20; several tabs fit); more are answered 429 (dateline/newsroom/desk/json_post.py).
DATELINE_DESK_JSON_PER_MINUTE = 120
# The desk's front page: its shortcuts and its list of models, app by app in this order.
DATELINE_DESK_APP_ORDER = ["newsroom", "ingest", "submissions", "pictures", "live", "edition",
                           "intelligence", "readership", "ads", "syndication", "auth", "axes"]

# ---- E-mail: readers' confirmations and the news desk's notices ---------------------------
# Django 6.1's MAILERS (the EMAIL_HOST family is deprecated and refused beside it). With
# DATELINE_EMAIL_HOST set, mail goes to that SMTP server (STARTTLS on port 587 unless
# DATELINE_EMAIL_SECURITY says "ssl" or "none"); without it, each mail is written to the
# console (the service's log) instead of being sent: right for `make run`, a warning sign in
# production. A slow server delays a reader's confirmation page by at most `timeout` seconds.
_email_host = os.environ.get("DATELINE_EMAIL_HOST", "")
_email_security = one_of("DATELINE_EMAIL_SECURITY", "starttls", ("starttls", "ssl", "none"))
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _email_host,
            "port": whole_number("DATELINE_EMAIL_PORT", 587),
            "username": os.environ.get("DATELINE_EMAIL_USER", ""),
            "password": os.environ.get("DATELINE_EMAIL_PASSWORD", ""),
            "use_tls": _email_security == "starttls",
            "use_ssl": _email_security == "ssl",
            "timeout": 10,
        },
    } if _email_host else {"BACKEND": "django.core.mail.backends.console.EmailBackend"},
}
DEFAULT_FROM_EMAIL = os.environ.get(
    "DATELINE_EMAIL_FROM", f"{DATELINE_SITE_NAME} <{DATELINE_NEWSDESK_EMAIL}>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Behind a reverse proxy (nginx), which sets X-Forwarded-Proto and appends to X-Forwarded-For.
DATELINE_BEHIND_PROXY = one_of("DATELINE_BEHIND_PROXY", "0", ("0", "1")) == "1"
# /metrics answers these addresses or networks, and requests with the bearer token.
DATELINE_METRICS_ALLOWED_IPS = [
    a.strip() for a in os.environ.get("DATELINE_METRICS_ALLOWED_IPS", "127.0.0.1,::1").split(",")
    if a.strip()
]
DATELINE_METRICS_TOKEN = os.environ.get("DATELINE_METRICS_TOKEN", "")

# Search backends, like CACHES: "default" always exists and uses the database's own full-text
# search (FTS5 on SQLite, tsvector on PostgreSQL). HALF_LIFE_DAYS: how fast relevance fades;
# on PostgreSQL, RANK: "ts_rank" (the default) or "ts_rank_cd" (cover density, slower).
# Every backend named here is kept indexed; searches use "default" unless told otherwise.
DATELINE_SEARCH_BACKENDS = {
    "default": {
        "BACKEND": "dateline.search.backends.database.DatabaseSearchBackend",
        "HALF_LIFE_DAYS": number("DATELINE_SEARCH_HALF_LIFE_DAYS", 30),
    },
}
# Results of identical public searches, shared by every process, until a story changes.
DATELINE_SEARCH_CACHE = "pages"
DATELINE_SEARCH_CACHE_TIMEOUT = 300

# Public reads (GET and HEAD outside these paths) stop past a budget (dateline.db.limits):
# on SQLite the CPU their statements use in all, on PostgreSQL each statement's time.
DATELINE_PUBLIC_READ_LIMIT_ON = one_of("DATELINE_PUBLIC_READ_LIMIT", "on", ("on", "off")) == "on"
DATELINE_PUBLIC_READ_CPU_MS = whole_number("DATELINE_PUBLIC_READ_CPU_MS", 120)
DATELINE_PUBLIC_STATEMENT_TIMEOUT_MS = whole_number("DATELINE_PUBLIC_STATEMENT_TIMEOUT_MS", 500)
DATELINE_PUBLIC_READ_EXEMPT = ("/desk/",)
# How old the sitemaps' archive figures may grow before the worker works them out again
# (dateline.syndication.sitemap_figures): what a publication changes shows at once; an
# unpublished or moved story leaves its month, section or tag within this.
DATELINE_SITEMAP_FIGURES_SECONDS = whole_number("DATELINE_SITEMAP_FIGURES_SECONDS", 600)

# The daily edition (dateline.edition): built and sent every morning at this site time from the
# previous 24 hours' stories.
DATELINE_EDITION_NAME = os.environ.get(
    "DATELINE_EDITION_NAME", f"{DATELINE_SITE_NAME} Morning News"
)
DATELINE_EDITION_TIME = clock_time("DATELINE_EDITION_TIME", "07:00")
DATELINE_EDITION_PER_SECTION = 4
# A send stopped half-way (its worker killed) is resumed by a worker starting within this many
# hours of its start; later it would reach readers as today's mail with yesterday's news.
DATELINE_EDITION_RESUME_HOURS = 20
DATELINE_EDITION_BRIEFS = 12
# The newsletter: mails are read away from any request, so their links need the site's origin.
DATELINE_SITE_URL = os.environ.get("DATELINE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Seconds a confirmation link works; sign-ups per hour from one sender and for one address
# (each sign-up mails the address, so the second limit keeps anyone from flooding an inbox).
DATELINE_NEWSLETTER_CONFIRM_MAX_AGE = 7 * 86400
# A reader who unsubscribed is forgotten (address, times, deliveries) this long after, by the
# morning run; `dateline edition forget ADDRESS` erases one at once.
DATELINE_NEWSLETTER_FORGET_UNSUBSCRIBED_DAYS = 30
DATELINE_NEWSLETTER_SIGNUPS_PER_SENDER = 10
DATELINE_NEWSLETTER_SIGNUPS_PER_ADDRESS = 3

# Readership (dateline.readership): counts kept in memory and written about this often (a
# worker killed outright loses at most this much); at most this many distinct (kind, key,
# hour) a process holds between writes, so a flood of made-up keys cannot fill its memory.
DATELINE_READERSHIP_FLUSH_SECONDS = number("DATELINE_READERSHIP_FLUSH_SECONDS", 1)
DATELINE_READERSHIP_MAX_BATCH = 100_000
# Where nginx writes the beacons it answers itself (deploy/nginx.conf), a file per 100 seconds,
# for `dateline serve` to count (dateline/readership/beacon_log.py); nothing there, nothing read.
DATELINE_BEACON_LOG_DIR = Path(os.environ.get("DATELINE_BEACON_LOG_DIR", VAR_DIR / "beacons"))
# One sender's (network's) beacons for one story or campaign counted at most this many times a
# window (dateline/readership/repeats.py); 0: no limit.
DATELINE_READERSHIP_REPEATS = whole_number("DATELINE_READERSHIP_REPEATS", 10)
DATELINE_READERSHIP_REPEAT_SECONDS = 1800
# The "Most read" block (last 24 hours) is counted afresh this often.
DATELINE_READERSHIP_MOST_READ_SECONDS = 300

# Advertising (dateline.ads): each process keeps the running campaigns and the impressions of
# capped ones this long (a cap may be passed by these seconds' impressions); the in-story slot
# follows this paragraph, the listing slot comes after every this many stories.
DATELINE_ADS_REFRESH_SECONDS = number("DATELINE_ADS_REFRESH_SECONDS", 5)
DATELINE_ADS_AFTER_PARAGRAPH = 3
DATELINE_ADS_LISTING_EVERY = 5

"""Which requests the page cache answers, and under which key it files a page."""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseBase
from django.utils.cache import get_max_age
from django.utils.http import parse_http_date_safe, split_directive_names, split_header_value

from dateline.base.bodies import has_body

from .sessions import signed_in

# Where a key (Authorization, X-Api-Key) is read: the wire API and the metrics, whatever the
# path list says. On any other page a key changes nothing, and made every page render afresh,
# past the cache and the coalescing of renders, for anyone sending a made-up one.
_READ_CREDENTIALS = ("/api/", "/metrics")
# A list's page (`page=`) or a sitemap's (`p=`, Django's sitemap views): nothing else.
_PAGE_QUERY = re.compile(r"^((page|p)=\d{1,6})?$")


class PagePolicy:
    """The settings page_key needs, read once: a cache hit should not pay for settings."""

    def __init__(self) -> None:
        self.on = settings.DATELINE_PAGE_CACHE_ON
        self.excluded = tuple(settings.DATELINE_PAGE_CACHE_EXCLUDE)
        self.session_cookie = settings.SESSION_COOKIE_NAME + "="
        self.hosts = site_hosts()

    def page_key(self, environ: dict) -> str | None:
        return page_key(environ, self)

    def bypass_reason(self, environ: dict) -> str | None:
        return bypass_reason(environ, self)


def bypass_reason(environ: dict, policy: PagePolicy | None = None) -> str | None:
    """Why this request is neither answered from the cache nor stored; None when it may be."""
    policy = policy or PagePolicy()
    if not policy.on:
        return "off"
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return "method"
    if ("CONTENT_LENGTH" in environ or "HTTP_TRANSFER_ENCODING" in environ) and has_body(environ):
        return "body"  # refused 400, unread, by serve's bulkhead; never a page
    if environ.get("PATH_INFO", "").startswith(policy.excluded):
        return "path"  # a second guard: the response's own headers are the first
    if ("HTTP_AUTHORIZATION" in environ or "HTTP_X_API_KEY" in environ) and environ.get(
            "PATH_INFO", "").startswith(_READ_CREDENTIALS):
        return "authorization"  # a partner's key: its answer is theirs, and checked each time
    cookies = environ.get("HTTP_COOKIE", "")
    if cookies and policy.session_cookie in cookies and signed_in(cookies):
        return "session"  # a logged-in editor gets fresh pages, never a reader's copy
    if not _PAGE_QUERY.match(environ.get("QUERY_STRING", "")):
        # Unknown parameters would let anyone fill the cache at will; a key passed in the
        # query string (?api_key=…) never reaches the cache either.
        return "query"
    host = environ.get("HTTP_HOST", "")
    spelled = normal_host(environ) if host else ""
    if host and (host != spelled or _served_name(spelled, environ) not in policy.hosts):
        # Django takes any port, any capitals, a trailing dot and (with a wildcard) any
        # subdomain of an allowed name: each spelling was a page of its own, a render and an
        # entry each, at anyone's will. Pages are kept for the site's own names, asked in their
        # one spelling: feeds and sitemaps write their links on the host as asked, and a copy
        # made for "LOCALHOST." or "host:80" was the page every other reader got.
        return "host"
    return None


_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _name_and_port(host: str) -> tuple[str, str]:
    host = host.lower()
    name, colon, port = host.rpartition(":")
    if not colon or name.endswith(":") or host.endswith("]"):  # no port (IPv6 in brackets)
        return host.rstrip("."), ""
    return name.rstrip("."), port


def request_scheme(environ: dict) -> str:
    """The scheme the reader asked with, as Django's `request.scheme` reads it: what a proxy
    trusted with SECURE_PROXY_SSL_HEADER (DATELINE_BEHIND_PROXY=1) says, else the server's.
    Behind nginx every request reaches the app over plain HTTP: the HTTPS site's pages were
    filed under http, and written as files where nginx, looking under $scheme, never found one."""
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if proxy:
        header, secure = proxy
        said = environ.get(header)
        if said is not None:
            return "https" if said.split(",", 1)[0].strip() == secure else "http"
    return environ.get("wsgi.url_scheme", "http")


def normal_host(environ: dict) -> str:
    """The Host as one spelling: lower case, no trailing dot, no port where it is its scheme's
    default (the same origin). Any other port stays: feeds and sitemaps write their links on
    the host asked, so "127.0.0.1" and "127.0.0.1:8000" are two pages, or the first asked
    would give the other's readers links to a port nothing serves."""
    name, port = _name_and_port(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""))
    if port == _DEFAULT_PORTS.get(environ.get("wsgi.url_scheme", "http")):
        port = ""
    return f"{name}:{port}" if port else name


def _served_name(host: str, environ: dict) -> str:
    """`host` (normal_host's spelling), also without the port the server listens on: the name
    the site's own names are checked against (`localhost:8000`, as a browser names `make run`,
    is the site's `localhost`; a proxy's `$host:$server_port`)."""
    name, port = _name_and_port(host)
    return name if port and port == environ.get("SERVER_PORT", "") else host


def site_hosts() -> frozenset[str]:
    """The site's own names, as normal_host spells them: each exact ALLOWED_HOSTS entry (a
    wildcard allows, but names nothing) and DATELINE_SITE_URL's host, with its port."""
    names = {_name_and_port(h)[0] for h in settings.ALLOWED_HOSTS
             if h and not h.startswith(".") and h != "*"}
    site = urlsplit(settings.DATELINE_SITE_URL)
    if site.hostname:
        name = site.hostname.lower().rstrip(".")
        name = f"[{name}]" if ":" in name else name  # IPv6, as Host writes it
        port = str(site.port or _DEFAULT_PORTS.get(site.scheme, ""))
        names |= {name, f"{name}:{port}"} if port else {name}
    return frozenset(names)


def page_key(environ: dict, policy: PagePolicy | None = None) -> str | None:
    """The cache key of an anonymous GET or HEAD for a cacheable page, else None."""
    return None if bypass_reason(environ, policy) is not None else cache_key(environ)


def cache_key(environ: dict) -> str:
    """The key a page is filed under: its scheme, host (one spelling), path and (page) query."""
    return (f"{request_scheme(environ)}://{normal_host(environ)}"
            f"{environ.get('PATH_INFO', '')}?{environ.get('QUERY_STRING', '')}")


# Directives by which a view keeps its answer from shared caches (RFC 9111, 5.2.2).
_NOT_SHARED = ("private", "no-store", "no-cache")


def refusal(response: HttpResponseBase) -> str | None:
    """Why a rendered answer may not be kept for other readers; None when it is public."""
    if response.status_code != 200:
        return "status"
    if response.streaming:
        return "streaming"
    if response.cookies or response.has_header("Set-Cookie"):
        return "cookie"
    control = response.get("Cache-Control", "")
    directives = set(split_directive_names(control))
    for directive in _NOT_SHARED:
        if directive in directives:
            return directive.replace("-", "_")
    if control and (shared_max_age(control) == 0
                    or ("s-maxage" not in directives and get_max_age(response) == 0)):
        return "max_age"
    varies = {name.lower() for name in split_header_value(response.get("Vary", ""))}
    if varies - {"accept-encoding"}:
        return "vary"  # one stored copy cannot answer for each Cookie, Authorization, …
    return None


def store_refusal(request, response: HttpResponseBase) -> str | None:
    """Why a rendered page is not stored for other readers; None when it may be."""
    if getattr(response, "surrogate_keys", None) is None:
        return "unkeyed"  # a page that names no keys could not be purged when they change
    return refusal(response) or editor(request)


def editor(request) -> str | None:
    """"editor" when someone is logged in (without the session cookie page_key looks for)."""
    user = getattr(request, "user", None)
    return "editor" if user is not None and user.is_authenticated else None


def shared_max_age(control: str) -> int | None:
    """The s-maxage of a Cache-Control value, or None (Django reads only max-age)."""
    for part in split_header_value(control):
        name, _, value = part.partition("=")
        if name.strip().lower() == "s-maxage":
            try:
                return int(value.strip().strip('"'))
            except ValueError:
                return 0  # unreadable: treat as "do not keep"
    return None


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Does an If-None-Match header name this ETag? Weak forms count: gzip proxies add W/."""
    if not if_none_match:
        return False
    wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in wanted or "*" in wanted


def not_modified(environ_or_headers, etag: str, last_modified: str | None) -> bool:
    """RFC 9110 conditional GET: If-None-Match decides when sent, else If-Modified-Since."""
    get = environ_or_headers.get
    if_none_match = get("HTTP_IF_NONE_MATCH") or get("If-None-Match") or ""
    if if_none_match:
        return etag_matches(if_none_match, etag)
    since = parse_http_date_safe(get("HTTP_IF_MODIFIED_SINCE") or get("If-Modified-Since") or "")
    modified = parse_http_date_safe(last_modified or "")
    return since is not None and modified is not None and modified <= since


def cache_control() -> str:
    """Browsers revalidate every time (cheap, with ETag); CDNs keep the page until purged."""
    return (
        f"public, max-age=0, s-maxage={settings.DATELINE_PAGE_CACHE_TIMEOUT}, "
        f"stale-while-revalidate={settings.DATELINE_PAGE_CACHE_STALE}"
    )

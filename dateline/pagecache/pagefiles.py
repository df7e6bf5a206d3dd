"""Cached pages written where nginx serves them as files (DATELINE_PAGE_FILES_DIR).

nginx answers a file for what a static file costs it; a hit in its micro-cache cost a quarter
more (the stored headers read and parsed again on every hit: bench/README.md), and gzipped
each page again for every reader. So the pages the page cache answers are also written as
files, each with its gzipped twin, under a folder named by the generation they were checked
against (store.py):

    <dir>/current -> <generation>       the folder nginx reads: a symbolic link
    <dir>/<generation>/<mark>/<scheme>/<host><path>index.html   (and index.html.gz)
    <dir>/headers.conf                  the headers nginx adds to them (add_header lines)
                                        and their mark (set $dateline_page_headers)

The mark names the headers the pages were made with (headers_mark). nginx looks only under
the mark of the headers.conf it read, so settings that change the headers (a new
Content-Security-Policy, another live-stream address) never have nginx add old headers to new
pages, nor new headers to old ones, whenever it is reloaded: until it is, it serves the
pages made under the headers it adds and asks the app for the rest.

Anything invalidated anywhere renews the generation; `current` is then pointed at a new, empty
folder: at once by the process that invalidated (store.invalidate), and within FOLLOW_S by
`dateline serve`'s follower for every other (another app server, the background worker), which
also deletes the folders of past generations. nginx then answers those pages from the app
until they are written again, which the page cache's next hit does. Coarse on purpose: a
per-page purge needs an index of which file shows which key, on every server's disk; a news
site changes a few times a minute at most, and each page is written again once after it.

nginx learns of a new `current` when it looks at the name again: deploy/nginx.conf has it do
so at least every half-second (two spellings of the folder, one per half-second, each checked
again when a new second begins), so an edit reaches readers as fast as it did through the
micro-cache: within half a second and a render.

Only what any anonymous reader of the address would get is written: a 200 of a GET or HEAD
without a query, an address ending in "/" (the file is <path>index.html, so no two addresses
share one), and only when the page's headers are the ones nginx adds (expected_headers): a
page with any other header is left to the app.
"""

import contextlib
import gzip
import hashlib
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.utils.csp import CSP, build_policy
from django.utils.http import parse_http_date_safe

from dateline.base.cachefailure import log_failure

from .policy import cache_control, normal_host, request_scheme

logger = logging.getLogger(__name__)

CURRENT = "current"
HEADERS_CONF = "headers.conf"
FOLLOW_S = 0.02
SWEEP_EVERY_S = 30.0
# Headers that are the page's own (nginx writes its own Content-Length and Last-Modified, from
# the file, and no ETag: deploy/nginx.conf) or said nothing to readers.
_PER_PAGE = frozenset({"content-length", "etag", "last-modified", "surrogate-key", "x-cache",
                       "date", "server"})
_GENERATION = re.compile(r"^[0-9a-f]{32}$")
_HOST = re.compile(r"^[a-z0-9][a-z0-9.\-]*(:[0-9]{1,5})?$|^\[[0-9a-f:.]+\](:[0-9]{1,5})?$")
_SEGMENT_MAX = 200  # bytes: ext4 and most file systems stop at 255
_PATH_MAX = 1000
_WRITTEN_KEPT = 50_000


def folder() -> str:
    return settings.DATELINE_PAGE_FILES_DIR


def expected_headers() -> dict[str, str]:
    """The headers a cached page carries, as Django's middleware writes them with these
    settings (lower-case names): what nginx adds to the files (headers.conf)."""
    found = {"content-type": "text/html; charset=utf-8",
             "cache-control": cache_control()}
    for name, config in ((CSP.HEADER_ENFORCE, settings.SECURE_CSP),
                         (CSP.HEADER_REPORT_ONLY, settings.SECURE_CSP_REPORT_ONLY)):
        if config:
            found[name.lower()] = build_policy(config)
    if settings.X_FRAME_OPTIONS:
        found["x-frame-options"] = settings.X_FRAME_OPTIONS.upper()
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        found["x-content-type-options"] = "nosniff"
    if referrer := settings.SECURE_REFERRER_POLICY:  # as SecurityMiddleware joins it
        found["referrer-policy"] = ",".join(
            [v.strip() for v in referrer.split(",")] if isinstance(referrer, str) else referrer)
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        found["cross-origin-opener-policy"] = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
    if settings.SECURE_HSTS_SECONDS:  # the files are for the HTTPS site (policy: scheme)
        sts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            sts += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            sts += "; preload"
        found["strict-transport-security"] = sts
    return found


def headers_mark(headers: dict[str, str]) -> str:
    """The folder, within a generation's, of the pages made with `headers`."""
    return hashlib.sha256(repr(sorted(headers.items())).encode()).hexdigest()[:16]


def nginx_headers(headers: dict[str, str]) -> str:
    """headers.conf: one add_header a header (Content-Type is nginx's own, from the name), and
    the mark of the folder that holds the pages made with them."""
    lines = ["# Written by Dateline (dateline/pagecache/pagefiles.py) from its settings: the",
             "# headers of its cached pages, for the copies nginx serves as files, and the",
             "# folder of the pages made with them. Reload nginx when Dateline says they",
             "# changed (until then it serves only pages made with these).",
             f'set $dateline_page_headers "{headers_mark(headers)}";']
    for name, value in headers.items():
        if name == "content-type":
            continue
        if any(c in value for c in '"\\$\n\r'):  # each would end or change nginx's string
            raise ValueError(f"{name}: {value!r} cannot be written into nginx's configuration")
        lines.append(f'add_header {_spelled(name)} "{value}";')
    return "\n".join(lines) + "\n"


def _spelled(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def write_nginx_headers() -> bool:
    """Write headers.conf if it says anything else; True when it changed. The web workers do,
    as they start: theirs are the settings the pages are made with (`dateline serve` sets
    DATELINE_LIVE_URL for them, which the Content-Security-Policy names). nginx adds what it
    read when it started or was reloaded, so a change is logged as a warning."""
    root = folder()
    if not root:
        return False
    text = nginx_headers(expected_headers())
    path = os.path.join(root, HEADERS_CONF)
    try:
        with open(path) as kept:
            before = kept.read()
    except FileNotFoundError:
        before = None
    if before == text:
        return False
    os.makedirs(root, exist_ok=True)
    _replace(path, text.encode(), mode=0o644)
    if before is None:
        logger.info("%s written: the headers nginx adds to the pages it serves as files", path)
    else:
        logger.warning("%s changed: reload nginx (until then it serves as files only the "
                       "pages made with the headers it read, and asks for the rest)", path)
    return True


class PageFiles:
    """Writes the pages this process answers from its cache, once a generation each."""

    def __init__(self) -> None:
        self.written: dict[tuple[str, str], str] = {}  # (folder, key) -> generation
        self.refused_headers: set[str] = set()
        # Pages this process wrote into the current generation's folder: a crawler walking the
        # whole archive between two changes stops filling the disk at the limit.
        self.counted: tuple[str, int] = ("", 0)

    def offer(self, environ: dict, key: str, generation: str, page) -> None:
        """Write `page` (a store.CachedPage checked against `generation`) if it may be a file.
        Never raises: a file not written leaves the page to the app."""
        root = folder()
        if not root or self.written.get((root, key)) == generation:
            return
        name = _file_name(environ, page)
        expected = expected_headers() if name is not None else {}
        if name is None or not self._headers_agree(page.headers, expected):
            self._remember(root, key, generation)
            return
        done = self.counted[1] if self.counted[0] == generation else 0
        if done >= settings.DATELINE_PAGE_FILES_MAX_PAGES:
            return
        try:
            if _current(root) != generation:
                return  # not the folder nginx reads (yet: the follower is behind, or past)
            modified = parse_http_date_safe(dict(page.headers).get("Last-Modified", ""))
            if modified is None:
                return
            name = (headers_mark(expected), *name)
            base = os.path.join(root, generation, *name)
            _public_folders(os.path.join(root, generation), name[:-1])
            # The twin first: nginx finding the page finds the twin beside it.
            _replace(base + ".gz", gzip.compress(page.body, 6, mtime=modified),
                     mode=0o644, mtime=modified)
            _replace(base, page.body, mode=0o644, mtime=modified)
        except OSError:
            log_failure(logger, "page files: could not write %s", key)
            return
        self.counted = (generation, done + 1)
        self._remember(root, key, generation)

    def _remember(self, root: str, key: str, generation: str) -> None:
        if len(self.written) >= _WRITTEN_KEPT:
            self.written.clear()
        self.written[(root, key)] = generation

    def _headers_agree(self, headers, expected: dict[str, str]) -> bool:
        given = {name.lower(): value for name, value in headers
                 if name.lower() not in _PER_PAGE}
        if given == expected:
            return True
        differing = sorted(n for n in given.keys() | expected.keys()
                           if given.get(n) != expected.get(n))
        said = ",".join(differing)
        if said not in self.refused_headers:  # once a process for each difference
            self.refused_headers.add(said)
            logger.info("page files: a page with other headers than nginx adds (%s) is left "
                        "to the app", said)
        return False


def _file_name(environ: dict, page) -> tuple[str, ...] | None:
    """(scheme, host, *segments, "index.html") where nginx looks for this request's page under
    the headers' mark (deploy/nginx.conf: /$dateline_page_headers/$scheme/$host${uri}index.html),
    or None when it may not be a file."""
    if page.status != 200 or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    if environ.get("QUERY_STRING"):
        return None
    scheme = request_scheme(environ)  # the reader's: nginx looks under its own $scheme
    if scheme not in ("http", "https"):
        return None
    host = normal_host(environ)  # the page cache's own spelling of the host
    path = environ.get("PATH_INFO", "")
    if not _HOST.match(host) or not path.endswith("/") or len(path) > _PATH_MAX:
        return None
    # WSGI's PATH_INFO holds the request's bytes as Latin-1; nginx's $uri holds those bytes.
    raw = os.fsdecode(path.encode("latin-1", "replace"))
    segments = raw.split("/")[1:-1]
    if any(s in ("", ".", "..") or "\x00" in s or len(os.fsencode(s)) > _SEGMENT_MAX
           for s in segments):
        return None
    return (scheme, host, *segments, "index.html")


def _public_folders(top: str, names: tuple[str, ...]) -> None:
    """The folders under `top`, each made readable by nginx's workers whatever the umask (a
    service's 027 would hide the pages from them, and nginx would quietly ask the app)."""
    path = top
    for name in names:
        path = os.path.join(path, name)
        try:
            os.mkdir(path)
        except FileExistsError:
            continue
        os.chmod(path, 0o755)


def _current(root: str) -> str | None:
    try:
        return os.readlink(os.path.join(root, CURRENT))
    except OSError:
        return None


def _replace(path: str, data: bytes, *, mode: int, mtime: float | None = None) -> None:
    """Write `path` whole under another name, then rename it: nginx opens the old or the new."""
    partial = f"{path}.{os.getpid()}-{threading.get_ident()}.part"
    try:
        with open(partial, "wb") as out:
            out.write(data)
        os.chmod(partial, mode)  # public pages; nginx's workers run as another user
        if mtime is not None:
            os.utime(partial, (mtime, mtime))  # nginx's Last-Modified is the page's
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise


def follow(generation: str) -> bool:
    """Point `current` at an empty folder for `generation`; True when it moved."""
    root = folder()
    if not root or not _GENERATION.match(generation) or _current(root) == generation:
        return False
    try:
        target = os.path.join(root, generation)
        os.makedirs(target, exist_ok=True)
        os.chmod(target, 0o755)
        link = os.path.join(root, f".{CURRENT}-{os.getpid()}-{threading.get_ident()}")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(link)
        os.symlink(generation, link)
        os.replace(link, os.path.join(root, CURRENT))  # one rename: nginx sees old or new
    except OSError:
        log_failure(logger, "page files: could not move %s to %s", CURRENT, generation,
                    level=logging.ERROR)
        return False
    return True


def sweep() -> int:
    """Delete the folders of past generations (and renames left half done); how many."""
    root = folder()
    if not root:
        return 0
    removed = 0
    try:
        names = os.listdir(root)
    except FileNotFoundError:
        return 0
    for name in names:
        path = os.path.join(root, name)
        if name.startswith(f".{CURRENT}-"):
            if _older_than(path, 60):
                with contextlib.suppress(OSError):
                    os.unlink(path)
            continue
        if not _GENERATION.match(name) or name == _current(root):
            continue  # asked again each time: it may have moved meanwhile
        shutil.rmtree(path, ignore_errors=True)
        removed += 1
    return removed


def _older_than(path: str, seconds: float) -> bool:
    try:
        return time.time() - os.lstat(path).st_mtime > seconds
    except OSError:
        return False


def start_following(read_generation: Callable[[], str],
                    stop: threading.Event | None = None) -> threading.Thread | None:
    """In `dateline serve`: keep `current` on the generation every FOLLOW_S, and delete past
    generations' folders, until `stop` is set. None when page files are off."""
    if not folder():
        return None
    thread = threading.Thread(target=_follow, args=(read_generation, stop or threading.Event()),
                              name="page-files", daemon=True)
    thread.start()
    return thread


def _follow(read_generation: Callable[[], str], stop: threading.Event) -> None:
    swept = 0.0
    away = False
    while not stop.is_set():
        try:
            moved = follow(read_generation())
            away = False
            if moved or time.monotonic() - swept > SWEEP_EVERY_S:
                sweep()
                swept = time.monotonic()
        except Exception:
            # The shared cache away: changes made meanwhile on other servers cannot be heard
            # of, and the app itself renders every page until it answers again; nginx is
            # given nothing older either (a folder no generation names, so none is written).
            log_failure(logger, "page files: could not read the generation")
            if not away:
                away = follow(os.urandom(16).hex())
        stop.wait(FOLLOW_S)


pages = PageFiles()

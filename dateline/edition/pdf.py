"""The edition as a newspaper PDF: CSS paged media laid out by WeasyPrint.

Rendering takes one to five seconds of a core, so each PDF is kept as a file under
var/cache/edition-pdf/, named by the edition's date and a hash of everything it is made from
(the HTML, the stylesheet, the site's address for links). The same edition, unchanged, is
rendered once however often it is asked for and whichever process is asked; any change a
reader would see (a story edited, moved, unpublished, the edition rebuilt) changes the HTML
and so the name. Nothing needs invalidating, and a stale PDF cannot be served.

Its links are on DATELINE_SITE_URL, as the newsletter's are: a PDF is kept and passed on, far
from the request that made it. (On the request's own host, every port a client wrote in its
Host header was a new render.) One PDF is rendered at a time, across processes: a reader who
asks while another renders hears 503 and when to try again (`Busy`), so however many ask, one
core at most lays PDFs out and the bulkhead's slots are not all spent waiting on them.

The lead story's photo is printed from its JPEG rendition, read from the storage by the URL
fetcher (photos.py); rendition names are content hashes, so a new photo is a new HTML too.
Nothing else is fetched, from anywhere.
"""

import fcntl
import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.text import slugify

from . import photos
from .models import Edition

STYLESHEET = "edition/pdf.css"
PDF_VARIANT = "pdf/ua-1"
# WeasyPrint logs every step of every render at INFO; the service's log wants none of it.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
# Older versions of a day's PDF kept beside the newest: one per address the site answers
# to (example.org and www.example.org give different links), so that two do not take
# turns rendering.
KEEP_PER_DAY = 3
# How long the desk's preview waits for another render to end; a reader does not wait.
DESK_WAIT_SECONDS = 30
RETRY_AFTER_SECONDS = 5


class Busy(Exception):
    """Another PDF is being rendered now."""


def site_base_url() -> str:
    return f"{settings.DATELINE_SITE_URL}/"


def pdf_filename(edition: Edition) -> str:
    """dateline-morning-news-2024-12-11.pdf"""
    return f"{slugify(edition.name) or 'edition'}-{edition.date:%Y-%m-%d}.pdf"


def pdf_folder() -> Path:
    return Path(settings.VAR_DIR) / "cache" / "edition-pdf"


@cache
def stylesheet() -> str:
    found = finders.find(STYLESHEET)
    if found is None:
        raise FileNotFoundError(f"static file {STYLESHEET} is missing from dateline.edition")
    return Path(found).read_text(encoding="utf-8")


def edition_pdf(edition: Edition, context: dict, wait: float = 0) -> bytes:
    """The PDF of `context` (assembly.layout(edition)): the kept file, or rendered now.

    Raises Busy if another PDF is being rendered and has not ended within `wait` seconds.
    """
    base_url = site_base_url()
    lead = context.get("lead")
    lead_image = photos.printed(getattr(lead, "photo", None))
    html = render_to_string("edition/pdf.html", {
        **context, "site_name": settings.DATELINE_SITE_NAME, "lead_image": lead_image,
        # On paper, the address without its scheme: "news.example.org/articles/7/…".
        "site_url": settings.DATELINE_SITE_URL,
        "site_address": settings.DATELINE_SITE_URL.split("://", 1)[-1]})
    css = stylesheet()
    digest = hashlib.blake2b(digest_size=12)
    for part in (base_url, css, html, PDF_VARIANT):
        digest.update(part.encode())
        digest.update(b"\0")
    folder = pdf_folder()
    path = folder / f"{edition.date:%Y-%m-%d}-{digest.hexdigest()}.pdf"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    folder.mkdir(parents=True, exist_ok=True)
    with one_render_at_a_time(folder, wait):
        try:  # the same PDF, rendered by the request that held the turn before
            return path.read_bytes()
        except FileNotFoundError:
            pass
        body = render_pdf(html, css, base_url,
                          files={lead_image.url: lead_image.name} if lead_image else None)
    # Written aside and renamed, so another process never reads half a file.
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        os.replace(temporary, path)
    prune(folder, f"{edition.date:%Y-%m-%d}-")
    return body


@contextmanager
def one_render_at_a_time(folder: Path, wait: float) -> Iterator[None]:
    """The turn to render, held by one thread of one process at a time: an advisory lock on a
    file (each open of it is its own lock, so threads of one process take turns too), let go
    by the kernel if the process dies."""
    handle = os.open(folder / ".rendering", os.O_CREAT | os.O_RDWR, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise Busy from None
                time.sleep(0.1)
        yield
    finally:
        os.close(handle)


def render_pdf(html: str, css: str, base_url: str, files: dict[str, str] | None = None) -> bytes:
    """Lay the HTML out with the stylesheet; fonts are the system's. Of all the URLs the page
    names, only those in `files` ({url: name in the public storage}) are read, from storage."""
    from weasyprint import CSS, HTML  # a heavy import only the PDF's first render pays

    restore_strict_image_loading()
    fetcher = refuse_fetching(files or {})
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    # PDF/UA: tagged (headings, paragraphs, links and reading order for a screen reader) and
    # in the page's language; a plain PDF was an image of text to assistive technology.
    return document.write_pdf(stylesheets=[CSS(string=css, url_fetcher=fetcher)],
                              pdf_variant=PDF_VARIANT)


def restore_strict_image_loading() -> None:
    """Importing WeasyPrint tells Pillow, for the whole process, to accept truncated images.
    Readers' photos (dateline.submissions) must be refused when half-sent, and the edition's
    PDF holds only our own whole renditions, so the process keeps Pillow's strict default."""
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = False


def refuse_fetching(files: dict[str, str]):
    """A URL fetcher that fetches nothing over the network: a story's embedded image or a
    stray stylesheet link must not make the server call out (SSRF) or wait on another site.
    The photos the edition prints are read from the storage by name."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StorageOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url in files:
                return URLFetcherResponse(url, photos.read_rendition(files[url]),
                                          {"Content-Type": "image/jpeg"})
            # WeasyPrint catches this, leaves the resource out and carries on.
            raise ValueError(f"the edition PDF fetches nothing, not {url[:200]}")

    return StorageOnly()


def prune(folder: Path, prefix: str) -> None:
    """Delete a day's older versions, keeping the newest few."""
    def age(path: Path) -> float:
        try:
            return -path.stat().st_mtime
        except FileNotFoundError:  # another process pruned it meanwhile
            return 0.0

    for old in sorted(folder.glob(prefix + "*.pdf"), key=age)[KEEP_PER_DAY:]:
        old.unlink(missing_ok=True)

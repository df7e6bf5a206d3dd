"""The edition as a newspaper PDF: CSS paged media laid out by WeasyPrint.

Rendering takes one to three seconds, so each PDF is kept as a file under
var/cache/edition-pdf/, named by the edition's date and a hash of everything it is made from
(the HTML, the stylesheet, the site's address for links). The same edition, unchanged, is
rendered once however often it is asked for and whichever process is asked; any change a
reader would see (a story edited, moved, unpublished, the edition rebuilt) changes the HTML
and so the name. Nothing needs invalidating, and a stale PDF cannot be served.

The lead story's photo is printed from its JPEG rendition, read from the storage by the URL
fetcher (photos.py); rendition names are content hashes, so a new photo is a new HTML too.
Nothing else is fetched, from anywhere.
"""

import hashlib
import logging
import os
import tempfile
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.text import slugify

from . import photos
from .models import Edition

STYLESHEET = "edition/pdf.css"
# WeasyPrint logs every step of every render at INFO; the service's log wants none of it.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
# Older versions of a day's PDF kept beside the newest: one per address the site answers
# to (example.org and www.example.org give different links), so that two do not take
# turns rendering.
KEEP_PER_DAY = 3


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


def edition_pdf(edition: Edition, context: dict, base_url: str) -> bytes:
    """The PDF of `context` (assembly.layout(edition)): the kept file, or rendered now."""
    lead = context.get("lead")
    lead_image = photos.printed(getattr(lead, "photo", None))
    html = render_to_string("edition/pdf.html", {
        **context, "site_name": settings.DATELINE_SITE_NAME, "lead_image": lead_image})
    css = stylesheet()
    digest = hashlib.blake2b(digest_size=12)
    for part in (base_url, css, html):
        digest.update(part.encode())
        digest.update(b"\0")
    folder = pdf_folder()
    path = folder / f"{edition.date:%Y-%m-%d}-{digest.hexdigest()}.pdf"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    body = render_pdf(html, css, base_url,
                      files={lead_image.url: lead_image.name} if lead_image else None)
    folder.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed, so another process never reads half a file.
    handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(body)
    os.replace(temporary, path)
    prune(folder, f"{edition.date:%Y-%m-%d}-")
    return body


def render_pdf(html: str, css: str, base_url: str, files: dict[str, str] | None = None) -> bytes:
    """Lay the HTML out with the stylesheet; fonts are the system's. Of all the URLs the page
    names, only those in `files` ({url: name in the public storage}) are read, from storage."""
    from weasyprint import CSS, HTML  # a heavy import only the PDF's first render pays

    restore_strict_image_loading()
    fetcher = refuse_fetching(files or {})
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[CSS(string=css, url_fetcher=fetcher)])


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

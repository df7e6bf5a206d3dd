"""`dateline import` records' photos: into the library, then into the story they came with.

The importer (newsroom) knows nothing of pictures; it sends story_imported after each batch
commits, and this receiver does the rest. A photo that cannot be had is a problem in the
summary, never a reason to lose the story; the same record imported again finds the same
photos (add_photo dedupes by content, attach by story and photo).
"""

import io
from pathlib import Path

from dateline.newsroom.models import Article

from .attach import attach
from .fetch import FetchRefused, fetch, max_bytes
from .models import Photo


def add_imported_photos(sender, *, article: Article, record, base_dir: Path,
                        **kwargs) -> list[str]:
    from .library import PhotoRefused

    problems = []
    for number, entry in enumerate(record.photos, start=1):
        try:
            add_one(article, entry, base_dir)
        except (FetchRefused, PhotoRefused, OSError) as exc:
            problems.append(f"photo {number} was left out: {exc}")
    return problems


def add_one(article: Article, entry: dict, base_dir: Path) -> None:
    from .library import add_photo

    name, data = _read(entry, base_dir)
    fields = {"alt_text": entry.get("alt", "")[:500], "caption": entry.get("caption", "")[:2000],
              "credit": entry.get("credit", "")[:300]}
    photo, _ = add_photo(io.BytesIO(data), name=name, user=None, origin=Photo.Origin.IMPORT,
                         fields={key: value for key, value in fields.items() if value})
    attach(article, photo, after_paragraph=entry.get("after_paragraph"))


def _read(entry: dict, base_dir: Path) -> tuple[str, bytes]:
    if entry.get("url"):
        url = entry["url"]
        return url.rsplit("/", 1)[-1][:200] or "photo", fetch(url)
    path = Path(base_dir, entry["file"])
    if not path.is_file():
        raise FetchRefused(f"{entry['file'][:200]!r}: no such file")
    if path.stat().st_size > max_bytes():
        raise FetchRefused(f"{path.name} is larger than {max_bytes():,} bytes")
    return path.name, path.read_bytes()

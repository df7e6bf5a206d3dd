"""A watched folder: each new file is one payload (a wire drops files; an editor saves one).

What was read is remembered on the feed as a mark, the newest file's modification time and
name (in `last_modified` and `etag`): a later poll reads only files after it. Files still
being written by convention (".part", ".tmp", hidden) are left for the next poll.

Only folders under DATELINE_INGEST_FOLDER_ROOTS are read, and no file that a link takes out
of its folder: the path is typed on the desk, and a file that cannot be parsed is shown there
by its first bytes.
"""

import mimetypes
from pathlib import Path

from django.conf import settings

from .base import Fetched, Payload, Service, ServiceError

# Files read by one poll; the rest wait for the next one, so one poll stays short.
BATCH = 100
UNFINISHED = (".part", ".tmp", ".crdownload")


def allowed_folder(path: str) -> Path:
    """The folder a feed names, resolved, if it lies under one of the operator's roots."""
    roots = [Path(root).resolve() for root in settings.DATELINE_INGEST_FOLDER_ROOTS]
    folder = Path(path.removeprefix("file://"))
    resolved = folder.resolve() if folder.is_absolute() else None
    if resolved is None or not any(resolved.is_relative_to(root) for root in roots):
        opened = ", ".join(map(str, roots)) or "none"
        raise ServiceError(f"The folder {folder} is not one feeds may read: folders are read "
                           f"only under those the operator opened to them "
                           f"(DATELINE_INGEST_FOLDERS: {opened})")
    return resolved


class FolderService(Service):
    name = "folder"
    remembers_failures = True

    def fetch(self, feed) -> Fetched:
        folder = allowed_folder(feed.url)
        if not folder.is_dir():
            raise ServiceError(f"The folder {folder} does not exist or cannot be read")
        mark = (int(feed.last_modified or 0) if feed.last_modified.isdigit() else 0, feed.etag)
        waiting = sorted(
            (entry.stat().st_mtime_ns, entry.name, entry)
            for entry in folder.iterdir()
            # A link, even to a file beside it, is never followed: it could lead anywhere. A
            # file with more than one name may be a hard link to one (/etc/passwd): left too.
            if not entry.is_symlink() and entry.is_file() and entry.stat().st_nlink == 1
            and not entry.name.startswith(".") and not entry.name.endswith(UNFINISHED)
        )
        new = [found for found in waiting if found[:2] > mark][:BATCH]
        if not new:
            return Fetched(not_modified=True, etag=feed.etag, last_modified=feed.last_modified)
        limit = settings.DATELINE_INGEST_MAX_BYTES
        payloads = []
        for _, name, path in new:
            with path.open("rb") as file:
                body = file.read(limit + 1)
            # Too large: kept as unreadable (its first bytes), so the mark passes it.
            error = f"The file {name} is larger than {limit / 1024 / 1024:g} MB" if len(
                body) > limit else ""
            payloads.append(Payload(body[:limit], mimetypes.guess_type(name)[0] or "", name,
                                    error=error))
        last_mtime, last_name, _ = new[-1]
        return Fetched(payloads=payloads, etag=last_name, last_modified=str(last_mtime))

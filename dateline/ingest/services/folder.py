"""A watched folder: each new file is one payload (a wire drops files; an editor saves one).

What was read is remembered on the feed as a mark, the newest file's modification time and
name (in `last_modified` and `etag`): a later poll reads only files after it. Files still
being written by convention (".part", ".tmp", hidden) are left for the next poll.

Only folders under DATELINE_INGEST_FOLDER_ROOTS are read, and no file that a link takes out
of its folder: the path is typed on the desk, and a file that cannot be parsed is shown there
by its first bytes.
"""

import mimetypes
import os
import stat
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
        try:
            # The folder opened once, and every file within it by that handle without
            # following a link: a file swapped for a link between the listing and the read
            # fails to open instead of being read through it.
            handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            raise ServiceError(f"The folder {folder} does not exist or cannot be read") from None
        try:
            return self._read(feed, handle)
        finally:
            os.close(handle)

    def _read(self, feed, handle: int) -> Fetched:
        mark = (int(feed.last_modified or 0) if feed.last_modified.isdigit() else 0, feed.etag)
        with os.scandir(handle) as entries:
            waiting = sorted(
                (entry.stat(follow_symlinks=False).st_mtime_ns, entry.name)
                for entry in entries
                # A link, even to a file beside it, is never followed: it could lead anywhere.
                if entry.is_file(follow_symlinks=False) and not entry.name.startswith(".")
                and not entry.name.endswith(UNFINISHED))
        new = [found for found in waiting if found > mark][:BATCH]
        if not new:
            return Fetched(not_modified=True, etag=feed.etag, last_modified=feed.last_modified)
        payloads = [_payload(handle, name) for _, name in new]
        last_mtime, last_name = new[-1]
        return Fetched(payloads=payloads, etag=last_name, last_modified=str(last_mtime))


def _payload(handle: int, name: str) -> Payload:
    """One file as a payload; one that cannot be read safely is kept as unreadable, in words
    and without its bytes, so the desk sees it and the mark passes it."""
    kind = mimetypes.guess_type(name)[0] or ""
    try:
        descriptor = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=handle)
    except OSError as exc:
        return Payload(b"", kind, name, error=f"The file {name} could not be opened "
                                               f"({exc.strerror or exc})")
    with os.fdopen(descriptor, "rb") as file:
        found = os.fstat(file.fileno())
        if not stat.S_ISREG(found.st_mode):
            return Payload(b"", kind, name, error=f"{name} is not a plain file: not read")
        if found.st_nlink != 1:
            # A second name may be a hard link to a file outside (/etc/passwd). Copy files in
            # (snapshot tools that link them, cp -al or rsync --link-dest, are refused here).
            return Payload(b"", kind, name, error=f"The file {name} has {found.st_nlink} names "
                                                  "(a hard link): not read; copy it in instead")
        limit = settings.DATELINE_INGEST_MAX_BYTES
        body = file.read(limit + 1)
    # Too large: kept as unreadable (its first bytes), so the mark passes it.
    error = f"The file {name} is larger than {limit / 1024 / 1024:g} MB" if len(
        body) > limit else ""
    return Payload(body[:limit], kind, name, error=error)

"""The page cache's files on one machine: Django's file cache without its two slow steps.

Django's FileBasedCache writes a new file and renames it over the old one. On ext4 (with its
default auto_da_alloc) a rename over an existing file first flushes the new file's data to
disk, a crash safety a cache does not need: 1 to 25 ms a write on a busy disk, where a rename
to a free name takes 20 µs. An invalidation writes six to eight keys (the story, home, its
sections, the generation) one after another while readers wait to see the change, and every
page rendered after it is written over its old file. Here the old file is removed first: a
reader in between finds no file, which every user of this cache reads as "changed" (a page
rendered again, a version renewed), never as a stale answer.

Django also lists the whole directory before every write to see whether to cull, a cost that
grows with the pages stored: 38 ms with 16,000 files on this machine, about half a second at
the 200,000 allowed. Here each process looks again only when it could have used a share of
the room the last look found (ROOM_SHARE), and never sooner than CULL_EVERY writes: far from
the limit, a crawler reading the archive (each story's page and parts written once) no longer
pays for a listing every hundred writes; near it, the looks are as frequent as before.
"""

import contextlib
import logging
import os
import random
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

from dateline.base.errors import in_words

logger = logging.getLogger(__name__)

CULL_EVERY = 100
# A process looks again after writing this share of the room left at its last look: with up
# to this many processes writing at that pace, the limit is not passed before someone looks.
ROOM_SHARE = 8
# Per process and directory (Django makes a cache object per thread): the writes so far, and
# the count at which this process lists the directory again. Threads may race on these; at
# worst a look comes one write early or late.
_looks: dict[str, list[int]] = {}
# A disk that refuses writes (full, read-only, its folder gone) fails each of a page's stores:
# said once a minute here, instead of a traceback for every one of them (the page cache's
# callers note each at DEBUG: dateline.base.sharedcache.log_failure).
SAY_AGAIN_S = 60
_said_until = [0.0]


def _refused(folder: str, error: OSError) -> None:
    if time.monotonic() >= _said_until[0]:
        _said_until[0] = time.monotonic() + SAY_AGAIN_S
        logger.error("page cache files cannot be written in %s (%s); pages are served without "
                     "being stored", folder, in_words(error))


class FileCache(FileBasedCache):
    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        try:
            with contextlib.suppress(FileNotFoundError):
                os.remove(self._key_to_file(key, version))
            super().set(key, value, timeout, version)
        except OSError as error:
            _refused(self._dir, error)
            raise

    def _createdir(self) -> None:
        try:
            super()._createdir()
        except OSError as error:
            _refused(self._dir, error)
            raise

    def _cull(self) -> None:
        looks = _looks.setdefault(self._dir, [0, 0])
        written = looks[0] = looks[0] + 1
        if written < looks[1]:
            return
        files = self._list_cache_files()
        entries = len(files)
        if entries >= self._max_entries:
            if self._cull_frequency == 0:
                self.clear()
                entries = 0
            else:  # as Django does: a random share of the entries goes
                gone = random.sample(files, entries // self._cull_frequency)
                for name in gone:
                    self._delete(name)
                entries -= len(gone)
        room = self._max_entries - entries
        looks[1] = written + max(CULL_EVERY, room // ROOM_SHARE)

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
grows with the pages stored; here each process looks every CULL_EVERY writes, so the number
of entries goes past MAX_ENTRIES by at most that many per process before a cull.
"""

import contextlib
import itertools
import os

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY = 100
_writes = itertools.count()  # per process: Django makes a cache object per thread


class FileCache(FileBasedCache):
    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(self._key_to_file(key, version))
        super().set(key, value, timeout, version)

    def _cull(self) -> None:
        if next(_writes) % CULL_EVERY == 0:
            super()._cull()

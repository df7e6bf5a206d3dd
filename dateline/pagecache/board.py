"""The generation on a small shared file, for the processes of one machine.

Reading it is a slice of a memory map, a fraction of a microsecond, where asking the cache
backend costs a file read or a network round trip on every hit. Several machines share the
cache backend's copy instead (leave DATELINE_PAGE_CACHE_BOARD unset).
"""

import mmap
import os
from pathlib import Path

SIZE = 32  # a uuid4 in hex


class GenerationBoard:
    def __init__(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self.fd).st_size < SIZE:
            os.pwrite(self.fd, os.urandom(SIZE // 2).hex().encode(), 0)
        self.map = mmap.mmap(self.fd, SIZE, access=mmap.ACCESS_READ)

    def read(self) -> str:
        return self.map[:SIZE].decode("ascii", "replace")

    def write(self, generation: str) -> None:
        # One small write at offset 0: readers see the old or the new value; a torn read,
        # however unlikely, only reads as "changed", which is safe.
        os.pwrite(self.fd, generation.encode()[:SIZE].ljust(SIZE, b"0"), 0)

"""The SQLite database is never readable by other users of the machine.

It holds password hashes, unpublished stories and readers' addresses, as its backups do (which
are written readable by their owner only); SQLite made the file with the process's umask, so
0644 on most machines, and its -wal and -shm files copy the file's mode. Group access is left
as it is: a web server and a worker may share a group.
"""

import os
import stat

from django.db.backends.signals import connection_created


def not_for_everyone(sender, connection, **kwargs) -> None:
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        return
    for path in (name, f"{name}-wal", f"{name}-shm"):
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
            if mode & 0o007:
                os.chmod(path, mode & ~0o007)
        except OSError:  # not there (yet), or not ours to change: nothing to tighten
            continue


connection_created.connect(not_for_everyone, dispatch_uid="db.private")

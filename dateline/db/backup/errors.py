"""The one error backups raise: something an operator can act on, never a bug."""


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""

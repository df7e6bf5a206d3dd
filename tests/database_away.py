"""A site whose SQLite database cannot be opened (a folder where its file should be) until a
test brings it back: the migrated file put in the folder's place."""

import os
from pathlib import Path

from tests import prepared


def sqlite_environment(var_dir) -> dict:
    """A site on the SQLite file in `var_dir`, whatever database the suite runs on."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("DATELINE_DB_")},
            "DATELINE_VAR_DIR": str(var_dir), "DATELINE_DB_ENGINE": "sqlite",
            "DJANGO_SETTINGS_MODULE": "dateline.settings.dev",
            "DATELINE_SECRET_KEY": "test-only-not-secret"}


class AwayDatabase:
    """`var` is a site's folder whose database is away; `back()` returns it, migrated."""

    def __init__(self, folder: Path) -> None:
        self.ready, self.var = folder / "ready", folder / "var"
        self.ready.mkdir()
        prepared.migrate(sqlite_environment(self.ready))
        self.var.mkdir()
        (self.var / "dateline.sqlite3").mkdir()  # where the database file should be

    @property
    def env(self) -> dict:
        return sqlite_environment(self.var)

    def back(self) -> None:
        (self.var / "dateline.sqlite3").rmdir()
        (self.ready / "dateline.sqlite3").rename(self.var / "dateline.sqlite3")

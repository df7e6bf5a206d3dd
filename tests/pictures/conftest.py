"""Every pictures test starts with empty file storages, as it starts with an empty database.

The test settings keep files in InMemoryStorage, which outlives a test's rolled-back rows:
without this, a photo stored by one test would make the next test that stores the same file
get a renamed copy (Django adds a suffix to a name already taken).
"""

import pytest
from django.conf import settings
from django.core.files.storage import InMemoryStorage, storages

from dateline.pictures.models import Photo, Rendition


def _empty(storage, folder: str = "") -> None:
    folders, files = storage.listdir(folder)
    for name in files:
        storage.delete(f"{folder}/{name}" if folder else name)
    for name in folders:
        _empty(storage, f"{folder}/{name}" if folder else name)


@pytest.fixture(autouse=True)
def _empty_storages():
    yield
    # The fields hold their storage instances (a callable storage is called once), so these
    # are emptied, whatever the handler holds now.
    kept = {Photo._meta.get_field("original").storage, Rendition._meta.get_field("file").storage,
            *(storages[alias] for alias in settings.STORAGES)}
    for storage in kept:
        if isinstance(storage, InMemoryStorage):
            _empty(storage)

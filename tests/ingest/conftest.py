"""Ingest's fixtures: the outlet server on loopback, and feeds of an outlet pointed at it."""

import pytest

from dateline.ingest.models import Feed
from dateline.newsroom.models import Source

from .outlets import Outlets


@pytest.fixture
def outlets():
    server = Outlets()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _host_locks(settings, tmp_path):
    # Each test's per-host locks in its own folder: no stamp from another test's requests.
    settings.DATELINE_INGEST_LOCK_DIR = str(tmp_path / "hosts")
    # Folder feeds read the test's own folder, as an operator opens one to them.
    settings.DATELINE_INGEST_FOLDER_ROOTS = [tmp_path]


@pytest.fixture(autouse=True)
def _fresh_story_index():
    # The clustering's in-memory index belongs to a process; each test's database is new.
    from dateline.ingest import receivers

    receivers.reset()
    yield
    receivers.reset()


@pytest.fixture
def make_feed(db):
    def make(url: str, name: str = "", **fields) -> Feed:
        outlet, _ = Source.objects.get_or_create(name=fields.pop("outlet_name", "BBC News"))
        return Feed.objects.create(outlet=outlet, name=name or url.rsplit("/", 1)[-1] or url,
                                   url=url, **fields)

    return make

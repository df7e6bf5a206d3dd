"""Every backend in DATELINE_SEARCH_BACKENDS is kept indexed, not only the default."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import override_settings

from dateline.search.backends import get_backend, indexed_backends
from dateline.search.backends.base import DATABASE_BACKEND

from .recording import RecordingBackend

pytestmark = pytest.mark.django_db

TWO_BACKENDS = {
    "default": {"BACKEND": DATABASE_BACKEND},
    # The database's own index again, ranked otherwise: one index, written once.
    "desk": {"BACKEND": DATABASE_BACKEND, "HALF_LIFE_DAYS": 365.0},
    "second": {"BACKEND": "tests.search.recording.database"},
}


@pytest.fixture
def second():
    with override_settings(DATELINE_SEARCH_BACKENDS=TWO_BACKENDS):
        backend = get_backend("second")
        backend.reset_index()
        yield backend


def test_a_backend_whose_path_ends_in_database_is_not_taken_for_the_built_in(second):
    assert type(second) is RecordingBackend
    assert get_backend().vendor in ("sqlite", "postgresql")
    assert [type(b) for b in indexed_backends()] == [type(get_backend()), RecordingBackend]


def test_both_backends_are_written_on_save_and_on_delete(second, make_article, search):
    article = make_article("Harbour strike ends", body="<p>Dockers return.</p>")
    assert search("harbour") == [article.pk]
    assert second.entries[article.pk].startswith("Harbour strike ends")
    article.headline = "Port strike ends"
    article.save()
    assert search("port") == [article.pk] and search("harbour") == []
    assert second.entries[article.pk].startswith("Port strike ends")
    article.delete()
    assert search("port") == [] and second.entries == {}


def test_imports_and_reindex_write_both_backends(second, tmp_path, search):
    from dateline.newsroom.importer import import_file

    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"id": "r-1", "title": "COCOA REVIEW", "body": "Rain in Bahia.",
                                "published": "2020-02-26T15:01:01"}) + "\n")
    import_file(path)
    [pk] = search("bahia")
    assert "Bahia" in second.entries[pk]
    get_backend().reset_index()
    second.reset_index()
    call_command("search", "reindex", "--progress", "never", stdout=io.StringIO())
    assert search("bahia") == [pk] and "Bahia" in second.entries[pk]

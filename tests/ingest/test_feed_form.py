"""The desk's feed form: a service and a format chosen from those configured, and a folder
only where the operator opened folders to feeds."""

import pytest

from dateline.ingest.models import Feed
from dateline.newsroom.models import Source

pytestmark = pytest.mark.django_db
ADD = "/desk/ingest/feed/add/"


@pytest.fixture
def editor(desk_client, make_user):
    return desk_client(make_user("Editor"))


def form(outlet: Source, url: str, **fields) -> dict:
    return {"name": "Wire drop", "outlet": outlet.pk, "url": url, "service": "http",
            "parser": "", "poll_interval": 900, "active": "on", "may_quote": "on",
            "failed_payloads-TOTAL_FORMS": 0, "failed_payloads-INITIAL_FORMS": 0,
            **fields}


def test_a_service_or_format_no_one_configured_is_refused(editor):
    outlet = Source.objects.create(name="Le Monde")
    refused = editor.post(ADD, form(outlet, "https://lemonde.example/rss", service="nosuch"))
    assert refused.status_code == 200
    assert "Select a valid choice. nosuch is not one of the available choices." in refused.text
    refused = editor.post(ADD, form(outlet, "https://lemonde.example/rss", parser="rsss"))
    assert "rsss is not one of the available choices" in refused.text
    assert not Feed.objects.exists()


def test_a_folder_outside_the_opened_ones_is_refused_on_the_form(editor, tmp_path):
    outlet = Source.objects.create(name="Wire")
    for path in ("/etc", str(tmp_path / ".." / "elsewhere")):
        refused = editor.post(ADD, form(outlet, path, service="folder"))
        assert "is not one feeds may read" in refused.text
    assert not Feed.objects.exists()
    drop = tmp_path / "wire"
    drop.mkdir()
    saved = editor.post(ADD, form(outlet, str(drop), service="folder"))
    assert saved.status_code == 302
    assert Feed.objects.get().url == str(drop.resolve())


def test_an_encoding_is_checked_and_kept_by_its_usual_name(editor):
    outlet = Source.objects.create(name="Trud")
    refused = editor.post(ADD, form(outlet, "https://trud.example/rss", encoding="cyrillic-ish"))
    assert "No character set is named" in refused.text
    for codec in ("zlib", "rot13", "base64", "unicode_escape", "idna", "utf-7", "undefined"):
        assert "No character set is named" in editor.post(
            ADD, form(outlet, "https://trud.example/rss", encoding=codec)).text
    assert editor.post(ADD, form(outlet, "https://trud.example/rss",
                                 encoding="Windows-1251")).status_code == 302
    assert Feed.objects.get().encoding == "cp1251"

"""`dateline import` with a record's `photos`: files, URLs (hostile ones too), and re-imports."""

import functools
import http.server
import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from dateline.newsroom.importer.loader import import_file
from dateline.newsroom.models import Article
from dateline.pictures.models import Photo, StoryPhoto
from tests.serving import serve_in_thread

from ..conftest import require_shared

pytestmark = pytest.mark.django_db

IPTC = "corpus/photos/IPTC-PhotometadataRef-Std2017.1.jpg"


def record(**fields) -> dict:
    return {"id": "wire-1", "title": "Harbour flooded", "section": "World",
            "body": "First paragraph.\n\nSecond paragraph.\n\nThird.", **fields}


def write(folder: Path, *records: dict) -> Path:
    path = folder / "import.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.fixture
def photo_server(tmp_path):
    """A real HTTP server on loopback serving real photos from a folder."""
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    serve_in_thread(server)
    yield served, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def test_a_relative_file_becomes_the_lead_photo_with_its_own_metadata(tmp_path):
    shutil.copy(require_shared(IPTC), tmp_path / "iptc.jpg")
    path = write(tmp_path, record(photos=[{"file": "iptc.jpg", "alt": "A test chart."}]))
    report = import_file(path)
    assert (report.created, report.errors, report.warnings) == (1, [], [])
    use = StoryPhoto.objects.select_related("photo").get(article__external_id="wire-1")
    photo = use.photo
    assert use.role == StoryPhoto.Role.LEAD
    assert (photo.origin, photo.alt_text) == (Photo.Origin.IMPORT, "A test chart.")
    # Nothing else was given, so the file's own IPTC words fill the library's fields.
    assert (photo.caption, photo.credit, photo.source) == (
        "The description aka caption (ref2017.1)", "Credit Line (ref2017.1)",
        "Source (ref2017.1)")


def test_given_words_win_over_the_files_and_later_photos_go_into_the_body(tmp_path):
    shared = require_shared("corpus/photos")
    for name in ("rocket.jpg", "coffee.png", "chelsea.png"):
        shutil.copy(shared / name, tmp_path / name)
    path = write(tmp_path, record(photos=[
        {"file": str(tmp_path / "rocket.jpg"), "caption": "Launch day", "credit": "NASA"},
        {"file": "coffee.png", "after_paragraph": 1},
        {"file": "chelsea.png"},
    ]))
    assert import_file(path).warnings == []
    uses = list(StoryPhoto.objects.select_related("photo").filter(article__external_id="wire-1")
                .order_by("position"))
    assert [(u.role, u.photo.original_name) for u in uses] == [
        ("lead", "rocket.jpg"), ("body", "coffee.png"), ("body", "chelsea.png")]
    assert (uses[0].photo.caption, uses[0].photo.credit) == ("Launch day", "NASA")
    # After paragraph 1 as asked; else after the last of the body's three.
    assert [u.after_paragraph for u in uses[1:]] == [1, 3]


def test_a_url_is_fetched_where_the_setting_allows_loopback(tmp_path, photo_server, settings):
    settings.DATELINE_PHOTO_FETCH_PRIVATE = True
    served, base = photo_server
    shutil.copy(require_shared("corpus/photos/rocket.jpg"), served / "rocket.jpg")
    path = write(tmp_path, record(photos=[{"url": f"{base}/rocket.jpg", "alt": "A rocket"}]))
    report = import_file(path)
    assert report.warnings == []
    use = StoryPhoto.objects.select_related("photo").get(article__external_id="wire-1")
    assert (use.role, use.photo.alt_text, use.photo.origin) == ("lead", "A rocket", "import")
    assert use.photo.size == (served / "rocket.jpg").stat().st_size


def test_a_private_address_is_refused_by_default_and_the_story_still_imported(
        tmp_path, photo_server):
    served, base = photo_server
    shutil.copy(require_shared("corpus/photos/rocket.jpg"), served / "rocket.jpg")
    path = write(tmp_path, record(photos=[
        {"url": f"{base}/rocket.jpg"}, {"url": "http://[::1]/x.jpg"},
        {"url": "http://10.0.0.1/x.jpg"}, {"url": "file:///etc/passwd"},
    ]))
    report = import_file(path)
    assert report.created == 1
    assert [line for line, _ in report.warnings] == [1, 1, 1, 1]
    problems = [problem for _, problem in report.warnings]
    assert "private or local address" in problems[0]
    assert "private or local address" in problems[1]
    assert "private or local address" in problems[2]
    assert "not an http(s) URL" in problems[3]
    assert not Photo.objects.exists()


def test_a_redirect_to_a_private_address_is_refused(settings):
    from dateline.pictures.fetch import FetchRefused, _CheckedRedirects

    settings.DATELINE_PHOTO_FETCH_PRIVATE = False
    for target, refusal in (("http://127.0.0.1:1/x.jpg", "private or local"),
                            ("http://169.254.169.254/latest/", "private or local"),
                            ("ftp://example.org/x.jpg", "not an http")):
        with pytest.raises(FetchRefused, match=refusal):
            _CheckedRedirects().redirect_request(None, None, 302, "Found", {}, target)


def test_a_name_that_does_not_resolve_is_said_in_words():
    from dateline.pictures.fetch import FetchRefused, fetch

    with pytest.raises(FetchRefused, match=r"^nowhere\.invalid could not be found$"):
        fetch("http://nowhere.invalid/x.jpg")


def test_a_url_larger_than_the_photo_limit_is_cut_off(tmp_path, photo_server, settings):
    settings.DATELINE_PHOTO_FETCH_PRIVATE = True
    settings.DATELINE_PHOTO_MAX_BYTES = 10_000
    served, base = photo_server
    shutil.copy(require_shared("corpus/photos/rocket.jpg"), served / "rocket.jpg")
    path = write(tmp_path, record(photos=[{"url": f"{base}/rocket.jpg"},
                                          {"url": f"{base}/missing.jpg"}]))
    problems = [problem for _, problem in import_file(path).warnings]
    assert "larger than 10,000 bytes" in problems[0]
    assert "answered 404" in problems[1]


class Trickle(QuietHandler):
    """Headers at once, then the body a byte at a time, never finishing within the test."""

    def do_GET(self) -> None:
        import time

        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        for _ in range(200):
            try:
                self.wfile.write(b"\xff")
                self.wfile.flush()
            except OSError:
                return
            time.sleep(0.1)


def test_a_url_sending_a_byte_at_a_time_is_cut_at_the_total_limit(settings, monkeypatch):
    """read(64 KB) waited for the whole chunk: a byte every 2 s held an import 36 hours."""
    import time

    from dateline.pictures import fetch

    settings.DATELINE_PHOTO_FETCH_PRIVATE = True
    monkeypatch.setattr(fetch, "TOTAL", 1)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    serve_in_thread(server)
    try:
        started = time.monotonic()
        with pytest.raises(fetch.FetchRefused, match="took longer than 1 seconds"):
            fetch.fetch(f"http://127.0.0.1:{server.server_address[1]}/slow.jpg")
        assert time.monotonic() - started < 5
    finally:
        server.shutdown()
        server.server_close()


def test_a_missing_file_is_reported_in_the_summary_and_the_story_imported(tmp_path):
    path = write(tmp_path, record(photos=[{"file": "nowhere.jpg"}]))
    out, err = StringIO(), StringIO()
    call_command("import", str(path), "--progress", "never", stdout=out, stderr=err)
    assert Article.objects.filter(external_id="wire-1").exists()
    assert "1 created" in out.getvalue() and "1 photo problems" in out.getvalue()
    assert f"{path}:1: imported, but photo 1 was left out: 'nowhere.jpg': no such file" in (
        err.getvalue())


def test_a_file_that_is_no_photo_is_reported(tmp_path):
    (tmp_path / "notes.jpg").write_text("not a photo at all")
    path = write(tmp_path, record(photos=[{"file": "notes.jpg"}]))
    report = import_file(path)
    assert report.created == 1
    assert report.warnings and "photo 1 was left out" in report.warnings[0][1]


def test_photos_of_the_wrong_shape_refuse_the_record(tmp_path):
    path = write(tmp_path, record(photos="iptc.jpg"), record(id="wire-2", photos=[{"alt": "x"}]))
    errors = [reason for _, reason in import_file(path).errors]
    assert "'photos' must be a list" in errors[0]
    assert "needs one 'file' or 'url'" in errors[1]


def test_importing_the_same_record_again_adds_no_photo_twice(tmp_path):
    shutil.copy(require_shared(IPTC), tmp_path / "iptc.jpg")
    shutil.copy(require_shared("corpus/photos/rocket.jpg"), tmp_path / "rocket.jpg")
    photos = [{"file": "iptc.jpg"}, {"file": "rocket.jpg"}]
    import_file(write(tmp_path, record(photos=photos)))
    # Changed text: the story is written again and its photos offered again.
    report = import_file(write(tmp_path, record(title="Harbour flooded again", photos=photos)))
    assert report.updated == 1
    assert Photo.objects.count() == 2
    assert StoryPhoto.objects.filter(article__external_id="wire-1").count() == 2


def test_the_address_is_checked_where_the_socket_connects(photo_server, settings):
    """Not only before the request: a name that resolves anew (DNS rebinding) is caught too."""
    from dateline.base.outbound import PRIVATE, AddressRefused
    from dateline.pictures.fetch import _HTTPConnection

    _, base = photo_server
    port = int(base.rsplit(":", 1)[1])
    settings.DATELINE_PHOTO_FETCH_PRIVATE = False
    connection = _HTTPConnection("localhost", port, timeout=5)
    with pytest.raises(AddressRefused) as refused:
        connection.connect()
    assert refused.value.reason == PRIVATE and connection.sock is None
    settings.DATELINE_PHOTO_FETCH_PRIVATE = True  # read at each connect, not at import
    connection = _HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", "/missing.jpg")
    assert connection.getresponse().status == 404
    connection.close()


class DeclaringHandler(QuietHandler):
    """Sends the photo with the Content-Length the test names, streamed until it closes."""

    declared = ""

    def do_GET(self) -> None:
        body = (Path(self.directory) / self.path.lstrip("/")).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", self.declared)
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)


@pytest.mark.parametrize("declared, problem", [
    ("9" * 5000, "larger than 10,000 bytes"),  # over the 4,300 digits Python reads as an int
    ("²", None),  # passes str.isdigit, refused by int(): ignored, the photo read as sent
])
def test_a_declared_length_that_is_endless_or_no_number_is_handled(
        tmp_path, settings, declared, problem):
    settings.DATELINE_PHOTO_FETCH_PRIVATE = True
    settings.DATELINE_PHOTO_MAX_BYTES = 10_000 if problem else 40 * 1024 * 1024
    served = tmp_path / "served"
    served.mkdir()
    shutil.copy(require_shared("corpus/photos/rocket.jpg"), served / "rocket.jpg")
    handler = functools.partial(type("Declaring", (DeclaringHandler,), {"declared": declared}),
                                directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    serve_in_thread(server)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/rocket.jpg"
        result = import_file(write(tmp_path, record(photos=[{"url": url}])))
    finally:
        server.shutdown()
        server.server_close()
    problems = [p for _, p in result.warnings]
    if problem:
        assert problem in problems[0]
    else:
        assert problems == []
        assert StoryPhoto.objects.count() == 1

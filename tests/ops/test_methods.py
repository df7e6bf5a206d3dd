"""Methods no view answers are a 405 before any view runs: OPTIONS, TRACE or an invented
method were read as a GET (the search run, the page rendered) past the page cache and the
public read budget, which only GET and HEAD come under."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "PUT", "PATCH", "DELETE", "PROPFIND"])
@pytest.mark.parametrize(("path", "answers"), [
    ("/search/?q=oil+prices", "GET, HEAD"), ("/", "GET, HEAD"), ("/feeds/rss/", "GET, HEAD"),
    ("/no/such/page/", "GET, HEAD"), ("/report/", "GET, HEAD, POST"),
    ("/desk/", "GET, HEAD, POST")])
def test_a_method_no_view_answers_is_refused_before_any_view(client, make_article, method,
                                                             path, answers):
    """Allow names what the address answers: a POST only where its view takes one."""
    make_article("Oil prices rise")
    with CaptureQueriesContext(connection) as queries:
        response = client.generic(method, path, HTTP_X_ECHO_ME="secret")
    assert response.status_code == 405
    assert response["Allow"] == answers
    assert response.content == f"This address answers {answers}.\n".encode()  # nothing echoed
    assert queries.captured_queries == []


@pytest.mark.parametrize("path", ["/search/?q=oil+prices", "/", "/section/world/",
                                  "/feeds/rss/", "/news-in-brief/", "/edition/"])
def test_a_post_to_a_page_that_only_reads_is_refused_before_its_view(client, make_article,
                                                                      path):
    """With the token any public form hands out, a POST was a read outside the page cache
    and the public read budget: a hostile search sent so ran with no time limit."""
    make_article("Oil prices rise")
    with CaptureQueriesContext(connection) as queries:
        response = client.post(path, {"q": "oil"})
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert queries.captured_queries == []


def test_reads_and_the_public_forms_posts_still_reach_their_views(client, make_article):
    story = make_article("Oil prices rise")
    assert client.get("/search/?q=oil").status_code == 200
    assert client.head(story.get_absolute_url()).status_code == 200
    for form in ("/report/", "/edition/subscribe/"):
        response = client.post(form, {})
        assert response.status_code in (200, 400), (form, response.status_code)
        assert b"answers GET" not in response.content
    # The desk takes posts on every page it has.
    assert client.post("/desk/login/", {"username": "x", "password": "y"}).status_code == 200


def test_a_full_disk_for_a_forms_uploads_is_a_507_in_words(client, monkeypatch):
    """Django writes an upload over 2.5 MB to a temporary file: with TMPDIR full, a reader's
    report with a photo was a bare 500."""
    import errno

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    def full(self, raw_data, start):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", full)
    photo = SimpleUploadedFile("flood.jpg", b"\xff\xd8" + b"x" * 3_000_000, "image/jpeg")
    response = client.post("/report/", {"headline": "Flood", "photos": photo})
    assert response.status_code == 507 and response["Retry-After"] == "60"
    assert b"no room to receive what you sent" in response.content


def test_a_full_disk_in_a_view_that_reads_its_own_form_is_a_507_too(client, monkeypatch,
                                                                    make_user):
    """The photo library's upload reads its body itself, after checking its size: its own
    reading, not the middleware's, met the full disk."""
    import errno

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.files.uploadhandler import TemporaryFileUploadHandler

    def full(self, raw_data, start):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(TemporaryFileUploadHandler, "receive_data_chunk", full)
    client.force_login(make_user("Editor"))
    photo = SimpleUploadedFile("flood.jpg", b"\xff\xd8" + b"x" * 3_000_000, "image/jpeg")
    response = client.post("/desk/pictures/photo/upload.json", {"file": photo})
    assert response.status_code == 507


@pytest.mark.django_db(transaction=True)  # through the WSGI application: it closes connections
@pytest.mark.parametrize("method", ["get", "Get", "hEAD", "post"])
def test_a_method_spelt_in_other_letters_is_refused_past_the_page_cache(make_article, method):
    """A method's name is case-sensitive (RFC 9110): `get` went past the page cache, which
    reads it as sent, and Django served it as a GET, a fresh render each time at anyone's
    will (an outside tester's 8 connections asking the month's sitemap kept readers' pages
    waiting up to 0.8 s); `hEAD` had the whole body back."""
    from ..pagecache.test_pagecache import Reader

    url = make_article("Oil prices rise").get_absolute_url()
    reader = Reader()
    assert reader.get(url)[0] == 200
    with CaptureQueriesContext(connection) as queries:
        status, headers, body = reader.get(url, REQUEST_METHOD=method)
    assert (status, headers["Allow"]) == (405, "GET, HEAD")
    assert body == "This address answers GET, HEAD.\n"
    assert queries.captured_queries == []

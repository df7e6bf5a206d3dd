"""Cached pages written as files for nginx (dateline/pagecache/pagefiles.py): what is written,
where, when it is not, and how every change leaves them at once. nginx serving them is
tests/ops/test_nginx_cache.py's."""

import gzip
import logging
import os
import threading
import time
from email.utils import parsedate_to_datetime

import pytest
from django.test import Client, override_settings

from dateline.pagecache import keys, pagefiles, store

pytestmark = [pytest.mark.cache, pytest.mark.django_db]


@pytest.fixture
def files(tmp_path, settings):
    settings.DATELINE_PAGE_FILES_DIR = str(tmp_path / "pages")
    pagefiles.pages.written.clear()
    assert pagefiles.follow(store.generation())
    return tmp_path / "pages"


def current(files) -> os.PathLike:
    return files / "current"


def written(files, path: str, host: str = "testserver", scheme: str = "http", mark: str = ""):
    """Where a page made with this process's settings (or under `mark`) is written:
    deploy/nginx.conf's try_files, with the mark headers.conf gives nginx."""
    mark = mark or pagefiles.headers_mark(pagefiles.expected_headers())
    return files / "current" / mark / scheme / host / path.lstrip("/") / "index.html"


def test_a_page_the_cache_keeps_is_written_with_its_twin_and_its_date(files, make_article):
    article = make_article("Harbour reopens after the storm")
    url = article.get_absolute_url()
    answer = Client().get(url)
    assert answer["X-Cache"] == "MISS"
    page = written(files, url)
    assert page.read_bytes() == answer.content
    assert gzip.decompress(page.with_name("index.html.gz").read_bytes()) == answer.content
    modified = parsedate_to_datetime(answer["Last-Modified"]).timestamp()
    assert page.stat().st_mtime == modified == page.with_name("index.html.gz").stat().st_mtime
    assert page.stat().st_mode & 0o777 == 0o644  # nginx's workers are another user
    assert not list(page.parent.glob("*.part"))


def test_the_home_page_is_written_at_the_top(files, make_article):
    make_article("Council votes on the budget")
    assert Client().get("/").status_code == 200
    assert written(files, "/").is_file()


def test_what_another_reader_might_not_get_is_never_written(files, make_article, make_user):
    article = make_article("Council votes on the budget")
    url = article.get_absolute_url()
    Client().get(url + "?page=2")  # a query: nginx never looks for a file then either
    editor = Client()
    editor.force_login(make_user("Editor"))
    editor.get(url)  # a logged-in reader's page
    Client().post(url)
    Client().get(url.rstrip("/"))  # not the page's own address (a redirect)
    assert not any(p.is_file() for p in (files / "current").rglob("*"))
    Client().get(url)
    assert written(files, url).is_file()  # the control: the same page, asked plainly


def test_a_page_with_other_headers_than_nginx_adds_is_left_to_the_app(
        files, make_article, caplog):
    article = make_article("Council votes on the budget")
    # nginx adds the headers of the settings it was given (headers.conf); a page made under
    # others (here a stricter Referrer-Policy) would be served with the wrong ones.
    with override_settings(SECURE_REFERRER_POLICY="no-referrer"):
        expected = pagefiles.expected_headers()
    with caplog.at_level(logging.INFO, logger="dateline.pagecache.pagefiles"):
        original = pagefiles.expected_headers
        pagefiles.expected_headers = lambda: expected
        try:
            assert Client().get(article.get_absolute_url())["X-Cache"] == "MISS"
        finally:
            pagefiles.expected_headers = original
    assert not written(files, article.get_absolute_url()).exists()
    assert "referrer-policy" in caplog.text


def test_the_headers_nginx_adds_are_the_page_s_own(files, make_article):
    answer = Client().get(make_article("Budget passed").get_absolute_url())
    own = {name.lower(): value for name, value in answer.items()
           if name.lower() not in pagefiles._PER_PAGE}
    assert own == pagefiles.expected_headers()
    conf = pagefiles.nginx_headers(own)
    assert f'add_header Content-Security-Policy "{answer["Content-Security-Policy"]}";' in conf
    assert f'add_header Cache-Control "{answer["Cache-Control"]}";' in conf
    assert "add_header Content-Type " not in conf  # nginx's own, from the file's name and `charset`


def test_a_value_nginx_would_read_otherwise_is_refused():
    for value in ('a "quoted" word', "a $variable", "two\nlines", "a \\ back"):
        with pytest.raises(ValueError):
            pagefiles.nginx_headers({"referrer-policy": value})


def test_headers_conf_is_written_once_and_a_change_is_said(files, caplog):
    assert pagefiles.write_nginx_headers()
    assert not pagefiles.write_nginx_headers()
    conf = (files / "headers.conf").read_text()
    assert "add_header X-Frame-Options" in conf
    with (override_settings(SECURE_REFERRER_POLICY="no-referrer"),
          caplog.at_level(logging.WARNING, logger="dateline.pagecache.pagefiles")):
        assert pagefiles.write_nginx_headers()
    assert "reload nginx" in caplog.text
    assert 'add_header Referrer-Policy "no-referrer";' in (files / "headers.conf").read_text()


def test_headers_conf_names_the_folder_of_the_pages_made_with_its_headers(files, make_article):
    assert pagefiles.write_nginx_headers()
    mark = pagefiles.headers_mark(pagefiles.expected_headers())
    assert f'set $dateline_page_headers "{mark}";' in (files / "headers.conf").read_text()
    url = make_article("Harbour reopens after the storm").get_absolute_url()
    Client().get(url)
    assert (files / "current" / mark / "http" / "testserver" / url.lstrip("/")).is_dir()


def test_pages_made_with_other_headers_are_written_apart(files, make_article):
    """Settings that change the pages' headers (here how long caches keep them) put the new
    pages in a folder of their own: an nginx not reloaded yet, adding the headers it read,
    never finds them, and one reloaded never finds the old ones."""
    before = make_article("Harbour reopens after the storm").get_absolute_url()
    after = make_article("Council votes on the budget").get_absolute_url()
    Client().get(before)
    first = pagefiles.headers_mark(pagefiles.expected_headers())
    with override_settings(DATELINE_PAGE_CACHE_TIMEOUT=60):
        second = pagefiles.headers_mark(pagefiles.expected_headers())
        answer = Client().get(after)
        assert "s-maxage=60" in answer["Cache-Control"]
        assert written(files, after).read_bytes() == answer.content
    assert second != first
    assert written(files, after, mark=second).is_file()
    assert not written(files, after, mark=first).exists()
    assert written(files, before, mark=first).is_file()


def test_any_change_leaves_every_file_at_once(files, make_article):
    article = make_article("Harbour reopens after the storm")
    other = make_article("Council votes on the budget")
    for story in (article, other):
        Client().get(story.get_absolute_url())
        assert written(files, story.get_absolute_url()).is_file()
    before = os.readlink(current(files))
    store.invalidate({"some-key"})  # as a save's on_commit does, in this process
    assert os.readlink(current(files)) == store.generation() != before
    assert not written(files, article.get_absolute_url()).exists()
    assert not written(files, other.get_absolute_url()).exists()
    # The next reader's page is written into the new folder.
    Client().get(other.get_absolute_url())
    assert written(files, other.get_absolute_url()).is_file()
    assert pagefiles.sweep() == 1 and not (files / before).exists()


def test_a_page_checked_against_a_past_generation_is_not_written(files, make_article):
    article = make_article("Harbour reopens after the storm")
    answer = Client().get(article.get_absolute_url())
    generation = os.readlink(current(files))
    page = store.CachedPage(200, list(answer.items()), answer.content, answer["ETag"],
                            frozenset())
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/late/", "HTTP_HOST": "testserver",
               "wsgi.url_scheme": "http", "QUERY_STRING": ""}
    store.invalidate({"some-key"})
    pagefiles.pages.offer(environ, "late", generation, page)  # rendered before the change
    assert not (files / generation / "http" / "testserver" / "late").exists()
    assert not written(files, "/late/").exists()
    pagefiles.pages.offer(environ, "late", store.generation(), page)
    assert written(files, "/late/").read_bytes() == answer.content


@pytest.mark.parametrize("path", ["/a/../b/", "/a/./b/", "/a//b/", "/a/b", "/a\x00/",
                                  "/" + "x" * 300 + "/"])
def test_an_address_that_is_no_one_file_is_never_written(files, path):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "HTTP_HOST": "testserver",
               "wsgi.url_scheme": "http", "QUERY_STRING": ""}
    page = store.CachedPage(200, [("Last-Modified", "Fri, 04 Dec 2026 21:54:08 GMT"),
                                  *pagefiles.expected_headers().items()], b"x", '"e"',
                            frozenset())
    pagefiles.pages.offer(environ, path, store.generation(), page)
    assert [p for p in files.rglob("*") if p.is_file()] == []


def test_serve_s_follower_moves_to_every_other_process_s_change(files):
    """Another server (or the worker) renews the generation where this one reads it: the
    follower points `current` at it, and deletes the past folder."""
    before = os.readlink(current(files))
    stop = threading.Event()
    thread = pagefiles.start_following(store.generation, stop)
    try:
        renewed = store.new_version()
        store.backend().set(store.GENERATION, renewed, timeout=None)
        if (board := store.board()) is not None:
            board.write(renewed)
        deadline = time.monotonic() + 5
        while os.readlink(current(files)) != renewed and time.monotonic() < deadline:
            time.sleep(0.01)
        assert os.readlink(current(files)) == renewed
        while (files / before).exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not (files / before).exists()
    finally:
        stop.set()
        thread.join(5)


@override_settings(DATELINE_PAGE_FILES_DIR="")
def test_nothing_is_written_or_followed_when_page_files_are_off(tmp_path, make_article):
    Client().get(make_article("Budget passed").get_absolute_url())
    assert pagefiles.start_following(store.generation) is None
    assert not pagefiles.follow(store.generation())


def test_a_crawler_walking_the_archive_between_two_changes_fills_no_disk(
        files, make_article, settings):
    settings.DATELINE_PAGE_FILES_MAX_PAGES = 2
    stories = [make_article(f"Story {n}") for n in range(4)]
    for story in stories:
        Client().get(story.get_absolute_url())
    assert [written(files, s.get_absolute_url()).is_file() for s in stories] == [
        True, True, False, False]
    store.invalidate({"some-key"})  # a new generation: a new allowance
    Client().get(stories[3].get_absolute_url())
    assert written(files, stories[3].get_absolute_url()).is_file()


def test_a_change_the_cache_cannot_take_still_leaves_the_files(files, make_article,
                                                               monkeypatch):
    """The cache away: the invalidation is replayed once it answers (invalidation.py), but
    nginx must not serve the pages it touches meanwhile."""
    article = make_article("Harbour reopens after the storm")
    Client().get(article.get_absolute_url())
    assert written(files, article.get_absolute_url()).is_file()
    cache = store.backend()

    def refuse(*args, **kwargs):
        raise ConnectionError("the cache is away")

    monkeypatch.setattr(cache, "set", refuse)
    with pytest.raises(ConnectionError):
        store.invalidate({keys.article(article.pk)})
    assert not written(files, article.get_absolute_url()).exists()
    assert os.readlink(current(files)) != store.generation()  # so nothing is written there


def test_serve_s_follower_leaves_the_files_while_the_cache_is_away(files, make_article):
    article = make_article("Harbour reopens after the storm")
    Client().get(article.get_absolute_url())
    answering = threading.Event()
    answering.set()

    def generation() -> str:
        if not answering.is_set():
            raise ConnectionError("the cache is away")
        return store.generation()

    stop = threading.Event()
    thread = pagefiles.start_following(generation, stop)
    try:
        time.sleep(0.1)
        assert written(files, article.get_absolute_url()).is_file()  # the control
        answering.clear()
        deadline = time.monotonic() + 5
        while written(files, article.get_absolute_url()).exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not written(files, article.get_absolute_url()).exists()
        away = os.readlink(current(files))
        time.sleep(0.1)
        assert os.readlink(current(files)) == away  # one folder for the outage, not one a look
        answering.set()
        while os.readlink(current(files)) != store.generation() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert os.readlink(current(files)) == store.generation()
    finally:
        stop.set()
        thread.join(5)



def test_the_folders_are_readable_by_nginx_whatever_the_umask(files, make_article):
    article = make_article("Harbour reopens after the storm")
    before = os.umask(0o077)
    try:
        Client().get(article.get_absolute_url())
    finally:
        os.umask(before)
    page = written(files, article.get_absolute_url())
    assert page.stat().st_mode & 0o777 == 0o644
    generation = (files / "current").resolve()
    folder = page.resolve().parent
    while folder != generation.parent:  # up to the generation's folder, which follow() made
        assert folder.stat().st_mode & 0o777 == 0o755, folder
        folder = folder.parent

"""The full-page cache, driven through the real WSGI entry point that servers load."""

import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.test import RequestFactory

from dateline.newsroom.actions import TRANSITIONS
from dateline.newsroom.models import Article, Tag
from dateline.pagecache import store
from dateline.pagecache.invalidation import invalidate_on_commit
from dateline.pagecache.wsgi import CachedPagesApplication
from dateline.wsgi import django_application

pytestmark = [pytest.mark.cache, pytest.mark.django_db(transaction=True)]


class Reader:
    """A browser without a session: sends requests to the WSGI application, keeps nothing."""

    def __init__(self, app=None) -> None:
        self.app = app or CachedPagesApplication(django_application)

    def get(self, path: str, **headers):
        environ = RequestFactory().get(path, **headers).environ
        captured = {}

        def start_response(status, response_headers, exc_info=None):
            captured["status"] = int(status.split()[0])
            captured["headers"] = dict(response_headers)

        chunks = self.app(environ, start_response)
        body = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        return captured["status"], captured["headers"], body.decode()


@pytest.fixture
def reader():
    return Reader()


def test_a_second_reader_gets_the_stored_page_with_cdn_headers(reader, make_article):
    article = make_article("Parliament votes")
    status, first_headers, first = reader.get(article.get_absolute_url())
    assert (status, first_headers["X-Cache"]) == (200, "MISS")
    status, headers, body = reader.get(article.get_absolute_url())
    assert (status, headers["X-Cache"], body) == (200, "HIT", first)
    assert headers["ETag"] == first_headers["ETag"]
    assert "s-maxage=" in headers["Cache-Control"]
    assert "stale-while-revalidate=" in headers["Cache-Control"]
    assert "max-age=0" in headers["Cache-Control"]
    assert f"a{article.pk}" in headers["Surrogate-Key"].split()
    assert "Content-Security-Policy" in headers and "X-Content-Type-Options" in headers


def test_conditional_get_answers_304(reader, make_article):
    url = make_article().get_absolute_url()
    _, headers, _ = reader.get(url)
    status, _, body = reader.get(url, HTTP_IF_NONE_MATCH=headers["ETag"])
    assert (status, body) == (304, "")
    status, _, _ = reader.get(url, HTTP_IF_NONE_MATCH='"something-else"')
    assert status == 200


def pages_of(article) -> list[str]:
    return ["/", article.get_absolute_url(), article.section.get_absolute_url(),
            *[t.get_absolute_url() for t in article.tags.all()],
            *[a.get_absolute_url() for a in article.authors.all()]]


def test_an_edit_refreshes_its_page_sections_tags_and_home_at_once(
    reader, make_user, make_section, make_article, make_tag, make_author
):
    world = make_section("World")
    russia = make_section("Russia", parent=world)
    article = make_article("Old headline", section=russia, tags=[make_tag("Moscow")],
                           authors=[make_author("Ivan Petrov")])
    urls = [*pages_of(article), world.get_absolute_url()]
    for url in urls:
        reader.get(url)
        assert reader.get(url)[1]["X-Cache"] == "HIT"
    article.headline = "New headline"
    article.save()
    for url in urls:
        _, headers, body = reader.get(url)
        assert "New headline" in body and "Old headline" not in body, url
        assert headers["X-Cache"] == "MISS", url


def test_unpublishing_removes_the_story_everywhere(reader, make_user, make_article, make_tag):
    article = make_article("Story to kill", tags=[make_tag("Sofia", Tag.Kind.PLACE)])
    urls = pages_of(article)
    for url in urls:
        reader.get(url)
    TRANSITIONS["unpublish"].execute(make_user("Editor"), article)
    assert reader.get(article.get_absolute_url())[0] == 410  # gone, said so, never stored
    for url in urls[:1] + urls[2:]:
        assert "Story to kill" not in reader.get(url)[2], url


def test_deleting_a_story_removes_it_from_its_tag_and_author_pages(
        reader, make_article, make_tag, make_author):
    """The delete takes the story's tag and author links before its signal is sent; the pages
    that listed it go with the story's own key, which they depend on."""
    article = make_article("Story to delete", tags=[make_tag("Sofia", Tag.Kind.PLACE)],
                           authors=[make_author("Ivan Petrov")])
    make_article("Story that stays", tags=list(article.tags.all()),
                 authors=list(article.authors.all()))
    urls = pages_of(article)
    for url in urls:
        assert "Story to delete" in reader.get(url)[2], url
    article.delete()
    assert reader.get(urls[1])[0] == 404
    for url in urls[:1] + urls[2:]:
        page = reader.get(url)[2]
        assert "Story to delete" not in page and "Story that stays" in page, url


def test_an_edit_leaves_unrelated_pages_cached(reader, make_section, make_article):
    world, sport = make_section("World"), make_section("Sport")
    story = make_article("World story", section=world)
    match = make_article("Match report", section=sport)
    for url in (sport.get_absolute_url(), match.get_absolute_url()):
        reader.get(url)
    story.headline = "World story, updated"
    story.save()
    assert reader.get(sport.get_absolute_url())[1]["X-Cache"] == "HIT"
    assert reader.get(match.get_absolute_url())[1]["X-Cache"] == "HIT"


@pytest.mark.parametrize("board", [False, True], ids=["via the cache", "via the board"])
def test_every_process_sees_an_invalidation_made_by_another(board, settings, tmp_path,
                                                            make_article):
    if board:  # one machine: the generation lives on a memory-mapped file
        settings.DATELINE_PAGE_CACHE_BOARD = str(tmp_path / "generation")
    first, second = Reader(), Reader()  # two server processes with their own memory
    article = make_article("Before")
    url = article.get_absolute_url()
    first.get(url)
    assert first.get(url)[1]["X-Cache"] == "HIT"
    assert second.get(url)[1]["X-Cache"] == "HIT"
    article.headline = "After"
    article.save()  # as if in the desk's process
    assert "After" in first.get(url)[2]
    assert "After" in second.get(url)[2]


def test_editors_and_odd_queries_are_never_served_or_stored(reader, make_article,
                                                           django_user_model):
    from django.test import Client

    url = make_article().get_absolute_url()
    reader.get(url)
    editor = Client()
    editor.force_login(django_user_model.objects.create_user("desk", password="x" * 20))
    session = editor.cookies["sessionid"].value
    _, headers, _ = reader.get(url, HTTP_COOKIE=f"csrftoken=a; sessionid={session}")
    assert "X-Cache" not in headers
    _, headers, _ = reader.get(url + "?utm_source=x")
    assert "X-Cache" not in headers
    assert reader.get(url + "?utm_source=x")[1].get("X-Cache") is None


@pytest.mark.parametrize("made_up", [
    {"HTTP_COOKIE": "sessionid=junk"}, {"HTTP_COOKIE": "sessionid=" + "a" * 32},
    {"HTTP_COOKIE": "sessionid=" + "x" * 5000}, {"HTTP_X_API_KEY": "junk"},
    {"HTTP_AUTHORIZATION": "Bearer junk"},
])
def test_a_made_up_session_or_key_gets_the_stored_page(reader, make_article, made_up):
    """A client sending `Cookie: sessionid=x` or any X-Api-Key had every page rendered afresh
    as often as it liked, past the cache and the coalescing of renders: readers' pages waited
    up to 2.5 s behind a few of them (an outside tester's finding)."""
    url = make_article().get_absolute_url()
    reader.get(url)
    assert reader.get(url, **made_up)[1]["X-Cache"] == "HIT"


def test_a_signed_out_session_gets_the_stored_page(reader, make_article, django_user_model):
    from django.test import Client

    url = make_article().get_absolute_url()
    reader.get(url)
    editor = Client()
    editor.force_login(django_user_model.objects.create_user("desk", password="x" * 20))
    session = editor.cookies["sessionid"].value
    editor.logout()
    assert reader.get(url, HTTP_COOKIE=f"sessionid={session}")[1]["X-Cache"] == "HIT"


def test_a_host_written_another_way_is_one_page_and_no_other_name_is_stored(
        reader, make_article, settings):
    """Django takes any port, capitals, a trailing dot and (with a wildcard) any subdomain on
    an allowed host: 150 requests, each naming a new port, were 150 renders and 150 entries
    more, at anyone's will."""
    settings.ALLOWED_HOSTS = ["testserver", ".example.org", "news.example.org"]
    settings.DATELINE_SITE_URL = "https://news.example.org"
    reader = type(reader)()  # the policy reads the names once
    url = make_article().get_absolute_url()
    for host in ("testserver:41111", "anything.example.org", "testserver:41112"):
        status, headers, _ = reader.get(url, HTTP_HOST=host)
        assert (status, headers.get("X-Cache")) == (200, None)  # rendered, never stored
    # One page, for the server's own name in its one spelling; others are rendered, never
    # kept (links in feeds and sitemaps are written on the host as asked).
    assert reader.get(url, HTTP_HOST="testserver")[1]["X-Cache"] == "MISS"
    for host in ("TestServer", "testserver.", "testserver:80"):  # 80: the server's own port
        assert reader.get(url, HTTP_HOST=host)[1].get("X-Cache") is None
    assert reader.get(url, HTTP_HOST="testserver")[1]["X-Cache"] == "HIT"
    # Behind a proxy sending `$host:$server_port` (HTTPS ended there, the app told http): the
    # public name with its port is the site's, and its pages are kept.
    assert reader.get(url, HTTP_HOST="news.example.org:443")[1]["X-Cache"] == "MISS"
    assert reader.get(url, HTTP_HOST="news.example.org:443")[1]["X-Cache"] == "HIT"


def test_behind_a_trusted_proxy_the_reader_s_scheme_files_the_page(
        reader, make_article, settings):
    """nginx ends HTTPS and tells the app (X-Forwarded-Proto, trusted with
    DATELINE_BEHIND_PROXY=1): the HTTPS site's page is its own, never the page of the same
    address asked over plain HTTP (which Django redirects where SECURE_SSL_REDIRECT is on)."""
    url = make_article("Parliament votes").get_absolute_url()
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert reader.get(url, HTTP_X_FORWARDED_PROTO="https")[1]["X-Cache"] == "MISS"
    assert reader.get(url, HTTP_X_FORWARDED_PROTO="https")[1]["X-Cache"] == "HIT"
    assert reader.get(url, HTTP_X_FORWARDED_PROTO="http")[1]["X-Cache"] == "MISS"
    from dateline.pagecache.policy import cache_key

    asked = RequestFactory().get(url, HTTP_X_FORWARDED_PROTO="https").environ
    assert cache_key(asked).startswith("https://testserver/")
    settings.SECURE_PROXY_SSL_HEADER = None  # a proxy not trusted: its word changes nothing
    assert cache_key(asked).startswith("http://testserver/")


def test_host_spellings_as_one_name():
    from dateline.pagecache.policy import normal_host

    def spelt(host, port="8000", scheme="http"):
        return normal_host({"HTTP_HOST": host, "SERVER_PORT": port, "wsgi.url_scheme": scheme})

    assert spelt("[::1]") == spelt("[::1]:80") == "[::1]"  # IPv6 in brackets
    assert spelt("[::1]:8080") == "[::1]:8080"
    assert spelt("News.Example.ORG.:443", scheme="https") == "news.example.org"
    assert spelt("news.example.org:443") == "news.example.org:443"  # not http's own port
    # The server's own port is no default: links written on "localhost" name no port.
    assert spelt("localhost:8000") == "localhost:8000" != spelt("localhost")


@pytest.mark.parametrize(("url", "link"), [
    ("/feeds/json/", '"home_page_url": "{}/"'), ("/sitemap.xml", "<loc>{}/sitemaps/"),
    ("/robots.txt", "Sitemap: {}/sitemap.xml")])
def test_a_host_without_the_servers_port_is_not_the_page_of_one_with_it(
        reader, make_article, url, link):
    """Feeds and sitemaps write links on the host asked: a request naming the host without
    the port the server listens on was stored as the page every reader of host:port got,
    each link to a port nothing serves."""
    make_article("Parliament votes")
    port = {"SERVER_PORT": "8000"}
    status, headers, _ = reader.get(url, HTTP_HOST="testserver", **port)
    assert (status, headers["X-Cache"]) == (200, "MISS")
    status, headers, body = reader.get(url, HTTP_HOST="testserver:8000", **port)
    assert (status, headers["X-Cache"]) == (200, "MISS")  # a page of its own
    assert link.format("http://testserver:8000") in body
    assert reader.get(url, HTTP_HOST="testserver:8000", **port)[1]["X-Cache"] == "HIT"
    # Nor capitals or a trailing dot: rendered for the asker, never kept for the others.
    for odd in ("TESTSERVER:8000", "testserver.:8000"):
        status, headers, _ = reader.get(url, HTTP_HOST=odd, **port)
        assert (status, headers.get("X-Cache")) == (200, None)
    _, headers, body = reader.get(url, HTTP_HOST="testserver:8000", **port)
    assert headers["X-Cache"] == "HIT" and "TESTSERVER" not in body


def test_a_page_rendered_during_an_invalidation_is_not_stored(make_article):
    url = "http://testserver/x?"
    started = store.generation()
    store.invalidate({"a1"})
    page = store.CachedPage(200, [], b"old", '"e"', frozenset({"a1"}))
    assert not store.save(url, page, started)
    assert store.load(url) is None


def test_the_end_of_an_embargo_refreshes_the_listings(reader, make_user, make_article):
    import time_machine
    from django.utils import timezone

    from ..newsroom.test_scheduling import run_worker

    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        article = make_article("Embargoed report", age=timedelta(minutes=1))
        TRANSITIONS["embargo"].execute(make_user("Editor"), article,
                                       at=start + timedelta(minutes=30))
        assert "Embargoed report" not in reader.get("/")[2]
        clock.move_to(start + timedelta(minutes=31))
        run_worker()
        assert "Embargoed report" in reader.get("/")[2]


def test_no_reader_ever_sees_a_stale_headline(reader, make_section, make_article, make_tag):
    """Random edits interleaved with random reads: every read shows the latest text."""
    rng = random.Random(20261124)
    sections = [make_section(f"Section {i}") for i in range(3)]
    tags = [make_tag(f"Tag {i}") for i in range(4)]
    stories = [make_article(f"Story {i} v0", section=rng.choice(sections),
                            tags=rng.sample(tags, 2), age=timedelta(minutes=i))
               for i in range(8)]
    for step in range(1, 60):
        story = rng.choice(stories)
        story.headline = f"Story {stories.index(story)} v{step}"
        story.save()
        for _ in range(3):
            target = rng.choice(stories)
            url = rng.choice(["/", target.get_absolute_url(), target.section.get_absolute_url(),
                              rng.choice(tags).get_absolute_url()])
            body = reader.get(url)[2]
            for other in stories:
                prefix = f"Story {stories.index(other)} v"
                if prefix in body:
                    assert other.headline + "<" in body or other.headline + " " in body, (
                        f"{url} shows an old version of “{other.headline}”")


def test_readers_and_editors_carry_on_when_the_cache_is_down(reader, settings, make_article):
    """A cache that cannot be reached costs speed, never a page or an editor's change."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.CACHES = {**settings.CACHES, "pages": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }}
    article = make_article("Still readable")
    status, headers, body = reader.get(article.get_absolute_url())
    assert status == 200 and "Still readable" in body
    assert headers.get("X-Cache") in (None, "PASS")
    article.headline = "Still editable"
    article.save()
    assert "Still editable" in reader.get(article.get_absolute_url())[2]


def test_weak_etags_from_gzip_proxies_still_get_304(reader, make_article):
    url = make_article().get_absolute_url()
    _, headers, _ = reader.get(url)
    assert reader.get(url, HTTP_IF_NONE_MATCH=f'"x", W/{headers["ETag"]}')[0] == 304


def test_the_board_is_shared_through_its_file(tmp_path):
    from dateline.pagecache.board import GenerationBoard

    one, other = GenerationBoard(tmp_path / "g"), GenerationBoard(tmp_path / "g")
    assert one.read() == other.read() and len(one.read()) == 32
    one.write("f" * 32)
    assert other.read() == "f" * 32


def test_if_modified_since_answers_304_when_nothing_changed(reader, make_article):
    from datetime import UTC, datetime
    from email.utils import format_datetime

    url = make_article().get_absolute_url()
    _, headers, _ = reader.get(url)
    assert reader.get(url, HTTP_IF_MODIFIED_SINCE=headers["Last-Modified"])[0] == 304
    long_ago = format_datetime(datetime(2001, 1, 1, tzinfo=UTC), usegmt=True)
    assert reader.get(url, HTTP_IF_MODIFIED_SINCE=long_ago)[0] == 200
    # An ETag that does not match wins over a date that does (RFC 9110).
    assert reader.get(url, HTTP_IF_MODIFIED_SINCE=headers["Last-Modified"],
                      HTTP_IF_NONE_MATCH='"other"')[0] == 200


@pytest.mark.parametrize("editor_process", ["still running", "ended"])
def test_an_edit_made_while_redis_was_away_shows_as_soon_as_it_answers(
        editor_process, reader, settings, make_article, monkeypatch, caplog):
    """The edit's invalidation was lost; the page stored before the outage still named the old
    versions and was served as a HIT for up to DATELINE_PAGE_CACHE_TIMEOUT (300 s). The process
    that saved it writes the keys it lost; every process renews the stories saved meanwhile,
    for when that one has ended (an import, a restarted worker)."""
    from dateline.base import sharedcache
    from dateline.pagecache import invalidation
    from tests.silent_server import before_the_test_redis

    port = before_the_test_redis()
    monkeypatch.setattr(sharedcache, "AWAY_SECONDS", 0)  # asked again at every operation
    settings.CACHES = {**settings.CACHES, "pages": {
        "BACKEND": "dateline.base.sharedcache.RedisCache", "LOCATION": port.url,
        "KEY_PREFIX": f"pages-outage-{editor_process.replace(' ', '-')}", "TIMEOUT": None,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
    try:
        article = make_article("Dam holds")
        url = article.get_absolute_url()
        assert reader.get(url)[1]["X-Cache"] == "MISS"
        assert reader.get(url)[1]["X-Cache"] == "HIT"
        port.answering = False
        article.headline = "Dam breaks"
        article.save()  # saved; its invalidation is lost
        assert any("could not invalidate" in r.getMessage() for r in caplog.records)
        if editor_process == "ended":
            invalidation._lost.clear()  # what that process had kept went with it
        port.answering = True
        status, headers, body = reader.get(url)
    finally:
        port.close()
    assert status == 200 and "Dam breaks" in body and "Dam holds" not in body
    assert headers["X-Cache"] == "MISS"
    said = [r.getMessage() for r in caplog.records if "answering again; invalidating" in
            r.getMessage()]
    assert said and said[0].endswith("the stories saved during the outage: 1")


def test_a_page_rendered_again_unchanged_keeps_its_last_modified(
        reader, make_article, monkeypatch):
    """On a busy site something a feed names changes every few seconds without changing what
    it shows: each render used to be "modified now", so pollers sending only
    If-Modified-Since were answered in full every time."""
    from django.utils.http import parse_http_date

    from dateline.pagecache import invalidation, middleware

    make_article("Unchanged story")
    _, first, shown = reader.get("/feeds/atom/")
    assert first["X-Cache"] == "MISS" and "Unchanged story" in shown
    later = "Thu, 01 Jan 2099 00:00:00 GMT"  # a later second, without waiting for one
    monkeypatch.setattr(middleware, "http_date", lambda: later)
    named = set(first["Surrogate-Key"].split())
    invalidation.invalidate({sorted(named)[0]})  # named by it, showing nothing new
    status, again, _ = reader.get("/feeds/atom/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert status == 304 and again["ETag"] == first["ETag"] and again["X-Cache"] == "MISS"
    assert again["Last-Modified"] == first["Last-Modified"]
    # A change it shows is a new date.
    make_article("A new story")
    _, changed, _ = reader.get("/feeds/atom/")
    assert changed["ETag"] != first["ETag"] and changed["Last-Modified"] == later
    assert parse_http_date(changed["Last-Modified"]) > parse_http_date(first["Last-Modified"])


def test_an_edit_the_cache_could_not_take_shows_once_it_takes_writes_again(
        reader, make_article, monkeypatch, caplog):
    """The cache folder could not be written when the story was edited (a full disk, a
    permission): the old page was served until the next edit, or for five minutes."""
    import time

    from dateline.pagecache import invalidation, store

    monkeypatch.setattr(invalidation, "RETRY_LOST_S", 0.05)
    article = make_article("Dam holds")
    url = article.get_absolute_url()
    assert reader.get(url)[1]["X-Cache"] == "MISS"
    real = store.invalidate
    monkeypatch.setattr(store, "invalidate", lambda keys: (_ for _ in ()).throw(
        PermissionError("[Errno 13] Permission denied: 'var/cache/pages'")))
    article.headline = "Dam breaks"
    article.save()
    status, headers, body = reader.get(url)
    assert status == 200
    assert headers["X-Cache"] == "HIT" and "Dam holds" in body  # stale while it cannot write
    monkeypatch.setattr(store, "invalidate", real)  # the folder is writable again
    deadline = time.monotonic() + 10
    while "Dam breaks" not in reader.get(url)[2]:
        assert time.monotonic() < deadline, "the lost invalidation was never written"
        time.sleep(0.05)
    assert not invalidation._lost
    assert "invalidated the" in caplog.text and "keys it had missed" in caplog.text


class SlowRenders:
    """Django, taking `seconds` longer to render each page, as a 1.4 MB sitemap does (0.9 s);
    counts its renders, and runs `during` halfway through the first one."""

    def __init__(self, seconds: float, during=None) -> None:
        self.seconds, self.during, self.renders = seconds, during, 0

    def __call__(self, environ, start_response):
        self.renders += 1
        time.sleep(self.seconds / 2)  # the other readers are waiting by then
        if self.renders == 1 and self.during:
            self.during()
        time.sleep(self.seconds / 2)
        return django_application(environ, start_response)


def read_at_once(reader: Reader, url: str, readers: int) -> list[tuple]:
    with ThreadPoolExecutor(readers) as pool:
        first = pool.submit(reader.get, url)
        time.sleep(0.1)  # its render is under way when the others ask
        others = [pool.submit(reader.get, url) for _ in range(readers - 1)]
        answers = [first.result(timeout=30), *(o.result(timeout=30) for o in others)]
    connections.close_all()
    return answers


def test_readers_asking_for_a_page_being_rendered_wait_for_that_render(make_article):
    """Twenty readers of one costly page rendered it twenty times at once, and every other
    page of the site waited behind them."""
    url = make_article("Parliament votes").get_absolute_url()
    slow = SlowRenders(0.5)
    answers = read_at_once(Reader(CachedPagesApplication(slow)), url, 6)
    assert slow.renders == 1
    assert [headers["X-Cache"] for _, headers, _ in answers] == ["MISS"] + ["HIT"] * 5
    assert len({body for _, _, body in answers}) == 1


def test_a_change_during_that_render_has_the_waiting_readers_render_it_again(make_article):
    """Never an older page for the wait: the render began before the edit, so its copy is
    not stored, and those who waited get the page as it is now."""
    article = make_article("Parliament votes")

    def edit():
        with transaction.atomic():
            Article.objects.filter(pk=article.pk).update(headline="Parliament votes again")
            invalidate_on_commit({f"a{article.pk}"})

    slow = SlowRenders(0.5, during=edit)
    answers = read_at_once(Reader(CachedPagesApplication(slow)), article.get_absolute_url(), 4)
    assert all("Parliament votes again" in body for _, _, body in answers[1:])
    # One of them rendered it again, and the other two waited for that render: all three
    # rendering at once had kept the herd going while an archive was analysed.
    assert slow.renders == 2


def test_a_get_with_a_body_is_refused_even_for_a_stored_page(reader, make_article):
    """The README says a GET or HEAD carrying a body is a 400, unread: the page cache answered
    it 200 from its copy, in front of the bulkhead that refuses it (an outside tester's
    finding)."""
    import io

    from dateline.ops.serving.bulkhead import application

    url = make_article().get_absolute_url()
    reader.get(url)
    assert reader.get(url)[1]["X-Cache"] == "HIT"
    status, _, body = Reader(application).get(
        url, CONTENT_LENGTH="5", **{"wsgi.input": io.BytesIO(b"x=1&y")})
    assert status == 400 and "carries no body" in body
    assert Reader(application).get(url)[1]["X-Cache"] == "HIT"

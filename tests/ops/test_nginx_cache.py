"""deploy/nginx.conf's micro-cache and page files, run for real: nginx with the shipped site (made
plain HTTP on loopback) in front of the app. It keeps anonymous readers' pages, never a logged-in
reader's, the desk's, a POST's, nor an answer that sets a cookie, varies on cookies or is
private; the pages the app writes as files are served with the page's own headers to anonymous
readers only; and a published edit is on the page through nginx one second later (issue 20,
point 2)."""

import os
import re
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from itertools import count
from pathlib import Path

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from dateline.base.methods import takes_posts
from dateline.newsroom.actions.save import announce_saved, claim_version, record_revision
from dateline.newsroom.models import Article
from dateline.pagecache import pagefiles, store
from tests.live.server import free_port_pair

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"

pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (scripts/system-deps)"),
    pytest.mark.django_db(transaction=True),
]

_served = count(1)
# The certificate is made for the test (Nginx(tls=True)); what is checked is nginx's answer.
UNVERIFIED = ssl._create_unverified_context()


@takes_posts
@csrf_exempt  # a POST that reaches the view, whose answer would otherwise be shared
def answer(request, kind: str) -> HttpResponse:
    """An answer with one kind of caching headers; each render says which render it is."""
    response = HttpResponse(f"{kind} render {next(_served)}")
    shared = "public, max-age=0, s-maxage=300"  # what the page cache gives the pages it keeps
    if kind == "shared":
        response["Cache-Control"] = shared
    elif kind == "cookie":  # shared, but it sets a cookie: that cookie is one reader's
        response["Cache-Control"] = shared
        response.set_cookie("seen", str(next(_served)))
    elif kind == "vary-cookie":  # shared, but it depends on the reader's cookies
        response["Cache-Control"] = shared
        response["Vary"] = "Cookie"
    elif kind in ("private", "no-store", "no-cache"):
        response["Cache-Control"] = f"{kind}, max-age=300"
    return response  # "silent": says nothing about caching


urlpatterns = [
    path("nginx-test/<str:kind>/", answer),
    path("", include("dateline.urls")),
]


def loopback_site(folder: Path, port: int, app_port: int, tls: bool = False) -> str:
    """The shipped site on `port`, plain HTTP or (`tls`) HTTPS with a certificate made for it,
    the app on `app_port`, files in `folder`."""
    site = DEPLOY.read_text()
    site = re.sub(r"server \{\s*listen 80;.*?\n\}\n", "", site, count=1, flags=re.S)
    site = re.sub(r"\n\s*listen \[::\][^\n]*", "", site)
    if tls:
        site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl;")
        site = re.sub(r"/etc/letsencrypt/live/[^/]+/", f"{folder}/", site)
    else:
        site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port};")
        site = re.sub(r"\n\s*ssl_[^\n]*", "", site)
    site = site.replace("127.0.0.1:8000", f"127.0.0.1:{app_port}")
    site = site.replace("127.0.0.1:8001", f"127.0.0.1:{app_port}")  # no stream in these tests
    return site.replace("/var/cache/nginx", str(folder / "cache")).replace(
        "/var/lib/dateline", str(folder))


class Nginx:
    def __init__(self, app_port: int, tls: bool = False, headers_conf: str = "") -> None:
        # Not under pytest's own tmp_path: nginx's workers (nobody, when run as root) must be
        # able to enter it.
        self.temp = tempfile.TemporaryDirectory(prefix="dateline-nginx-")
        self.folder = Path(self.temp.name)
        os.chmod(self.folder, 0o755)
        for sub in ("temp", "cache", "pages"):
            (self.folder / sub).mkdir()
        self.scheme = "https" if tls else "http"
        if tls:  # as Let's Encrypt's files are named in deploy/nginx.conf
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                 "-keyout", str(self.folder / "privkey.pem"),
                 "-out", str(self.folder / "fullchain.pem")], check=True, capture_output=True)
        # What the web workers write as they start (DATELINE_PAGE_FILES_DIR), from the same
        # settings as the pages; nginx refuses to start without it.
        (self.folder / "pages" / "headers.conf").write_text(
            headers_conf or pagefiles.nginx_headers(pagefiles.expected_headers()))
        self.port = free_port_pair()
        (self.folder / "site.conf").write_text(
            loopback_site(self.folder, self.port, app_port, tls))
        temp = self.folder / "temp"
        (self.folder / "nginx.conf").write_text(f"""
worker_processes 1;
pid {self.folder}/nginx.pid;
error_log {self.folder}/error.log;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {temp}/body; proxy_temp_path {temp}/proxy;
  fastcgi_temp_path {temp}/fastcgi; uwsgi_temp_path {temp}/uwsgi; scgi_temp_path {temp}/scgi;
  include {self.folder}/site.conf;
}}
""")
        self.process = subprocess.Popen(
            [NGINX, "-e", str(self.folder / "error.log"), "-c", str(self.folder / "nginx.conf"),
             "-g", "daemon off;"], stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 10
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"nginx did not start: {self.process.stderr.read()}")
            time.sleep(0.05)

    def answers(self) -> bool:
        try:
            urllib.request.urlopen(f"{self.scheme}://127.0.0.1:{self.port}/healthz", timeout=2,
                                   context=UNVERIFIED).read()
        except OSError:
            return False
        return True

    def get(self, url: str, cookie: str = "", method: str = "GET",
            headers: dict | None = None) -> tuple[int, dict, str]:
        headers = {**(headers or {}), **({"Cookie": cookie} if cookie else {})}
        request = urllib.request.Request(f"{self.scheme}://127.0.0.1:{self.port}{url}",
                                         method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30, context=UNVERIFIED) as answered:
                return answered.status, dict(answered.headers), answered.read().decode()
        except urllib.error.HTTPError as refused:
            return refused.code, dict(refused.headers), refused.read().decode()

    def kept(self, url: str) -> bool:
        """Does nginx's cache hold a copy of url, of any half-second? (Its files name the key.)"""
        key = f"\nKEY: http127.0.0.1{url}@".encode()  # $scheme$host$request_uri@…
        return any(key in file.read_bytes()[:4096]
                   for file in (self.folder / "cache").rglob("*") if file.is_file())

    def reload(self) -> None:
        """As `nginx -s reload`: the configuration read again, then its new workers answer."""
        pid = (self.folder / "nginx.pid").read_text().strip()
        workers = set(self._workers(pid))
        os.kill(int(pid), signal.SIGHUP)
        deadline = time.monotonic() + 10
        while not (self._workers(pid) and workers.isdisjoint(self._workers(pid))):
            assert time.monotonic() < deadline, "nginx's workers were not replaced"
            time.sleep(0.05)

    @staticmethod
    def _workers(pid: str) -> list[str]:
        try:
            return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.temp.cleanup()


def app_port(live_server) -> int:
    return int(live_server.url.rsplit(":", 1)[1])


@pytest.fixture
def nginx(live_server):
    running = Nginx(app_port(live_server))
    yield running
    running.stop()


def served_from_cache(nginx: Nginx, url: str, tries: int = 20) -> bool:
    """Did a reader get a kept copy? Two readers one after the other, until both fall in one
    of nginx's half-seconds (the second is then answered from the first one's copy)."""
    for _ in range(tries):
        nginx.get(url)
        if nginx.get(url)[1]["X-Proxy-Cache"] == "HIT":
            return True
    return False


def save_headline(article: Article, headline: str) -> None:
    """The desk's save (newsroom/desk/article_admin.py): a version claimed, a revision kept."""
    with transaction.atomic():
        claim_version(article, article.version)
        article.headline = headline
        article.save(update_fields=["headline", "version"])
        record_revision(article, None)
        announce_saved(article)


def test_an_anonymous_page_is_kept_and_an_edit_shows_one_second_after_it(nginx, make_article):
    article = make_article("Harbour reopens after the storm")
    url = article.get_absolute_url()
    status, headers, body = nginx.get(url)
    assert status == 200 and "Harbour reopens after the storm" in body
    assert headers["X-Proxy-Cache"] == "MISS"
    assert served_from_cache(nginx, url)
    assert nginx.kept(url)
    save_headline(article, "Harbour reopens a day early")
    # The copy nginx holds is of an earlier half-second: a second later no key reaches it.
    time.sleep(1.0)
    _, headers, body = nginx.get(url)
    assert "Harbour reopens a day early" in body and "after the storm" not in body
    assert headers["X-Proxy-Cache"] == "MISS"


def test_a_logged_in_reader_is_neither_served_nor_kept(nginx, make_article, make_user):
    article = make_article("Council votes on the budget")
    url = article.get_absolute_url()
    client = Client()
    client.force_login(make_user("Editor"))
    session = f"sessionid={client.cookies['sessionid'].value}"
    for _ in range(3):
        status, headers, _ = nginx.get(url, cookie=session)
        assert status == 200 and headers["X-Proxy-Cache"] == "BYPASS"
    assert not nginx.kept(url)
    # An anonymous reader's copy is not given to the editor either.
    assert served_from_cache(nginx, url)
    _, headers, _ = nginx.get(url, cookie=session)
    assert headers["X-Proxy-Cache"] == "BYPASS"


def test_the_desk_is_never_kept(nginx, make_user):
    client = Client()
    client.force_login(make_user("Editor"))
    session = f"sessionid={client.cookies['sessionid'].value}"
    for url, cookie in (("/desk/", session), ("/desk/", ""), ("/desk/login/", ""),
                        ("/desk/newsroom/article/", session)):
        for _ in range(2):
            status, headers, _ = nginx.get(url, cookie=cookie)
            assert status in (200, 302) and "X-Proxy-Cache" not in headers, url
        assert not nginx.kept(url)


# One test for all of them: each test with the database costs a flush of it.
@override_settings(ROOT_URLCONF=__name__)
def test_an_answer_that_is_not_shared_is_never_kept(nginx):
    for kind in ("cookie", "vary-cookie", "private", "no-store", "no-cache", "silent"):
        url = f"/nginx-test/{kind}/"
        bodies = [nginx.get(url) for _ in range(4)]
        assert {headers["X-Proxy-Cache"] for _, headers, _ in bodies} == {"MISS"}, kind
        assert len({body for _, _, body in bodies}) == 4, f"{kind}: another reader's copy"
        assert not nginx.kept(url), kind


@override_settings(ROOT_URLCONF=__name__)
def test_a_reader_with_a_session_or_a_key_is_answered_by_the_app_even_when_it_says_shared(
        nginx):
    for sent in ({"Cookie": "sessionid=someone"}, {"Authorization": "Bearer partner"},
                 {"X-Api-Key": "partner"}):
        bodies = [nginx.get("/nginx-test/shared/", headers=sent) for _ in range(3)]
        assert {headers["X-Proxy-Cache"] for _, headers, _ in bodies} == {"BYPASS"}, sent
        assert len({body for _, _, body in bodies}) == 3, sent
        assert not nginx.kept("/nginx-test/shared/"), sent


@override_settings(ROOT_URLCONF=__name__)
def test_a_post_always_reaches_the_app_and_is_never_kept(nginx):
    bodies = [nginx.get("/nginx-test/shared/", method="POST") for _ in range(3)]
    assert {status for status, _, _ in bodies} == {200}
    assert len({body for _, _, body in bodies}) == 3
    assert not nginx.kept("/nginx-test/shared/")


@override_settings(ROOT_URLCONF=__name__)
def test_a_shared_answer_of_the_same_views_is_kept(nginx):
    """The control for the tests above: the same view, only the headers or method differ."""
    assert served_from_cache(nginx, "/nginx-test/shared/")
    assert nginx.kept("/nginx-test/shared/")


@pytest.mark.parametrize("feed", ["/feeds/rss/", "/feeds/atom/", "/feeds/json/"])
def test_every_feed_is_sent_compressed(nginx, make_article, feed):
    """JSON Feed's own type (application/feed+json) was missing from gzip_types."""
    import gzip

    for n in range(5):
        make_article(f"Story {n}", body="<p>" + "Parliament sat late. " * 40 + "</p>")
    request = urllib.request.Request(f"http://127.0.0.1:{nginx.port}{feed}",
                                     headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=30) as answered:
        assert answered.headers["Content-Encoding"] == "gzip"
        assert "Story 4" in gzip.decompress(answered.read()).decode()


def test_only_photo_renditions_are_served_from_media(nginx):
    """Every file under /media/ was served: a reader's report photo kept there by an older
    release, or anything else a folder under it held, went to whoever had its name."""
    rendition = f"pictures/ab/{'c' * 64}-640x360.jpg"
    for name, content in ((rendition, b"a rendition"),
                          ("submissions/R-ABCD-EFGH/0123456789abcdef.png", b"a reader's photo"),
                          ("pictures-originals/ab/original.jpg", b"an original")):
        (nginx.folder / "media" / name).parent.mkdir(parents=True, exist_ok=True)
        (nginx.folder / "media" / name).write_bytes(content)
    for folder in (nginx.folder, *(nginx.folder / "media").rglob("*")):
        if folder.is_dir():
            os.chmod(folder, 0o755)  # nginx's workers run as nobody
    status, headers, _ = nginx.get(f"/media/{rendition}")
    assert status == 200 and "immutable" in headers["Cache-Control"]
    assert nginx.get("/media/submissions/R-ABCD-EFGH/0123456789abcdef.png")[0] == 404
    assert nginx.get("/media/pictures-originals/ab/original.jpg")[0] == 404


def write_pages_for(nginx: Nginx, settings) -> Path:
    """The app writing its pages where this nginx looks for them, as DATELINE_PAGE_FILES_DIR
    has it in production."""
    settings.DATELINE_PAGE_FILES_DIR = str(nginx.folder / "pages")
    pagefiles.pages.written.clear()
    pagefiles.follow(store.generation())
    return nginx.folder / "pages"


@pytest.fixture
def files(nginx, settings):
    return write_pages_for(nginx, settings)


def test_a_page_written_as_a_file_is_served_with_the_page_s_own_headers(
        nginx, files, make_article):
    import gzip

    article = make_article("Harbour reopens after the storm")
    url = article.get_absolute_url()
    status, from_app, page = nginx.get(url)  # rendered, stored, and written
    assert status == 200 and from_app["X-Proxy-Cache"] == "MISS"
    status, from_file, body = nginx.get(url)
    assert status == 200 and body == page
    assert "X-Proxy-Cache" not in from_file and "X-Cache" not in from_file  # not the app's
    for name in ("Content-Type", "Content-Security-Policy", "Cache-Control", "X-Frame-Options",
                 "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy",
                 "Last-Modified"):
        assert from_file[name] == from_app[name], name
    assert "ETag" not in from_file
    # Compressed once by the app, not by nginx for each reader; and revalidated by its date.
    request = urllib.request.Request(f"http://127.0.0.1:{nginx.port}{url}",
                                     headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=30) as answered:
        assert answered.headers["Content-Encoding"] == "gzip"
        assert "X-Proxy-Cache" not in answered.headers
        assert gzip.decompress(answered.read()).decode() == page
    assert nginx.get(url, headers={"If-Modified-Since": from_app["Last-Modified"]})[0] == 304


def test_a_file_is_never_served_to_a_session_a_key_a_query_or_a_post(
        nginx, files, make_article, make_user):
    article = make_article("Council votes on the budget")
    url = article.get_absolute_url()
    nginx.get(url)
    assert "X-Proxy-Cache" not in nginx.get(url)[1]  # the control: a file now
    client = Client()
    client.force_login(make_user("Editor"))
    for sent in ({"Cookie": f"sessionid={client.cookies['sessionid'].value}"},
                 {"Authorization": "Bearer partner"}, {"X-Api-Key": "partner"}):
        assert nginx.get(url, headers=sent)[1]["X-Proxy-Cache"] == "BYPASS", sent
    # A query the article does not read: the app's redirect to the page, not the page's file.
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", nginx.port, timeout=30)
    connection.request("GET", url + "?page=1")
    answered = connection.getresponse()
    assert answered.status == 301 and answered.getheader("X-Proxy-Cache")
    connection.close()
    status, headers, _ = nginx.get(url, method="POST")  # the app's refusal, not nginx's 405
    assert status == 405 and headers["Allow"] == "GET, HEAD"


def test_an_edit_leaves_the_file_and_shows_within_half_a_second(nginx, files, make_article):
    article = make_article("Harbour reopens after the storm")
    url = article.get_absolute_url()
    nginx.get(url)
    for _ in range(3):  # kept open by nginx (open_file_cache), read from it each time
        _, headers, body = nginx.get(url)
        assert "X-Proxy-Cache" not in headers and "after the storm" in body
    save_headline(article, "Harbour reopens a day early")
    # nginx looks at the name it keeps again once the half-second it last looked in is over.
    time.sleep(0.6)
    _, headers, body = nginx.get(url)
    assert "Harbour reopens a day early" in body and "after the storm" not in body
    assert headers["X-Proxy-Cache"] == "MISS"  # from the app: the file went with the change
    _, headers, body = nginx.get(url)
    assert "X-Proxy-Cache" not in headers and "a day early" in body  # and is written again


@override_settings(ROOT_URLCONF=__name__)
def test_an_answer_with_other_headers_than_a_page_s_is_never_a_file(nginx, files):
    """Shared, but not the page cache's headers (its own Cache-Control): nginx would give it
    the pages' headers instead; it stays the app's (and the micro-cache's)."""
    for _ in range(3):
        assert "X-Proxy-Cache" in nginx.get("/nginx-test/shared/")[1]
    assert not any(p.name == "index.html" for p in files.rglob("*"))


def test_headers_changed_nginx_serves_only_pages_made_with_those_it_adds(
        nginx, files, make_article):
    """Settings that change the pages' headers (here how long caches keep them): until nginx
    is reloaded it adds the headers it read, so it must not serve the new pages as files; once
    reloaded, it serves them with theirs, and never the old pages with the new headers."""
    old = make_article("Harbour reopens after the storm").get_absolute_url()
    nginx.get(old)
    _, before, _ = nginx.get(old)
    assert "X-Proxy-Cache" not in before  # the control: a file, with the headers nginx read
    with override_settings(DATELINE_PAGE_CACHE_TIMEOUT=60):
        assert pagefiles.write_nginx_headers()  # as a web worker started with them does
        new = make_article("Council votes on the budget").get_absolute_url()
        for _ in range(3):  # stored and written by the first, nginx not reloaded yet
            _, headers, _ = nginx.get(new)
            assert "X-Proxy-Cache" in headers and "s-maxage=60" in headers["Cache-Control"]
        nginx.reload()
        _, headers, _ = nginx.get(new)
        assert "X-Proxy-Cache" not in headers  # the file now, with its own headers
        assert "s-maxage=60" in headers["Cache-Control"]
        _, headers, _ = nginx.get(old)  # made with the headers before: the app's, not a file
        assert "X-Proxy-Cache" in headers


def test_the_https_site_s_pages_are_served_as_files(live_server, settings, make_article):
    """As deployed: HTTPS ends at nginx, which tells the app the scheme (X-Forwarded-Proto,
    trusted with DATELINE_BEHIND_PROXY=1); the app, reached over plain HTTP, writes the page
    where nginx looks for the HTTPS site's ($scheme)."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # as prod.py sets
    nginx = Nginx(app_port(live_server), tls=True)
    try:
        write_pages_for(nginx, settings)
        url = make_article("Harbour reopens after the storm").get_absolute_url()
        status, from_app, page = nginx.get(url)
        assert status == 200 and from_app["X-Proxy-Cache"] == "MISS"
        mark = pagefiles.headers_mark(pagefiles.expected_headers())
        written = nginx.folder / "pages" / "current" / mark / "https" / "127.0.0.1"
        assert (written / url.lstrip("/") / "index.html").read_text() == page
        _, from_file, body = nginx.get(url)
        assert "X-Proxy-Cache" not in from_file and body == page  # nginx's file of it
    finally:
        nginx.stop()


def test_a_headers_conf_without_the_mark_serves_no_file_and_nginx_still_starts(
        live_server, settings, make_article):
    """An nginx configuration newer than the app (headers.conf written by an older Dateline,
    without the headers' mark): nginx starts, and every page comes from the app."""
    old = "\n".join(line for line in pagefiles.nginx_headers(pagefiles.expected_headers())
                    .splitlines() if not line.startswith("set "))
    assert "$dateline_page_headers" not in old and "add_header" in old
    nginx = Nginx(app_port(live_server), headers_conf=old)
    try:
        write_pages_for(nginx, settings)
        url = make_article("Harbour reopens after the storm").get_absolute_url()
        nginx.get(url)
        assert any(p.name == "index.html" for p in (nginx.folder / "pages").rglob("*"))
        _, headers, body = nginx.get(url)
        assert "X-Proxy-Cache" in headers and "after the storm" in body  # the app's
    finally:
        nginx.stop()

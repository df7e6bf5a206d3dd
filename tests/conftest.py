"""Shared fixtures: small builders for the newsroom's objects, and one Chromium per module."""

import os
import shutil
import threading
import time
from datetime import timedelta
from itertools import count
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone

from dateline.newsroom.models import Article, Author, Section, Source, Tag
from tests import encoded, flushing

_serial = count(1)
SHARED = Path(__file__).resolve().parents[2] / "shared"
# Debian's Chromium, driven by Playwright (tests/site/test_browser.py's `browser` fixture).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


# After each test that commits, the database emptied and its reference rows put back without
# post_migrate's receivers writing them again (tests/flushing.py).
flushing.install()
# Each photo's renditions encoded once per run, not again by every test that makes them
# (tests/encoded.py).
encoded.install()

# The fixtures through which a test reaches the suite's own database.
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences",
                     "django_db_serialized_rollback", "live_server"}


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL's run (`make test-postgres`), what is marked `one_engine` is left to
    SQLite's: a test marked so itself, or one in a module marked so that never opens the
    suite's database (the module's others still run here). Such a test has no database,
    starts processes on an SQLite file of their own, or hands pages to the Nu HTML checker
    (5 s of Java each; the markup is the same whichever engine gave the rows, and the views'
    queries run on PostgreSQL in the pages' other tests), so a second run on PostgreSQL
    would check the same thing again (and take minutes of `make test`'s 20)."""
    if os.environ.get("DATELINE_DB_ENGINE") != "postgresql":
        return
    kept, once = [], []
    for item in items:
        own = any(mark.name == "one_engine" for mark in item.own_markers)
        free = (item.get_closest_marker("one_engine") is not None
                and item.get_closest_marker("django_db") is None
                and not DATABASE_FIXTURES & set(item.fixturenames))
        (once if own or free else kept).append(item)
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = kept


def require_shared(relative: str) -> Path:
    """The file or folder at ../shared/`relative` (real samples, schemas). Without it the test
    skips locally, saying why, but fails under CI=true: a validation must not quietly vanish."""
    path = SHARED / relative
    if not path.exists():
        reason = f"{path} not found: ../shared holds the samples and schemas this test checks"
        if os.environ.get("CI", "").lower() in {"true", "1"}:
            pytest.fail(f"{reason} (CI=true, so it fails instead of skipping)", pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture
def make_section(db):
    def make(name: str, parent: Section | None = None, **fields) -> Section:
        section = Section(name=name, parent=parent, **fields)
        section.save()
        return section

    return make


@pytest.fixture
def make_article(db, make_section):
    default_section = {}

    def make(
        headline: str | None = None,
        *,
        section: Section | None = None,
        tags=(),
        sources=(),
        authors=(),
        age: timedelta = timedelta(hours=1),
        **fields,
    ) -> Article:
        if section is None:
            if "section" not in default_section:
                default_section["section"] = make_section("World")
            section = default_section["section"]
        fields.setdefault("status", Article.Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - age)
        article = Article.objects.create(
            headline=headline or f"Story number {next(_serial)}",
            body=fields.pop("body", "<p>First sentence here. Second sentence follows.</p>"),
            section=section,
            **fields,
        )
        article.tags.set(tags)
        article.sources.set(sources)
        article.authors.set(authors)
        return article

    return make


@pytest.fixture
def make_tag(db):
    def make(name: str, kind: str = Tag.Kind.TOPIC) -> Tag:
        return Tag.objects.create(name=name, kind=kind)

    return make


@pytest.fixture
def make_source(db):
    def make(name: str, url: str = "") -> Source:
        return Source.objects.create(name=name, url=url)

    return make


@pytest.fixture
def make_author(db):
    def make(name: str) -> Author:
        return Author.objects.create(name=name)

    return make


@pytest.fixture
def make_user(db):
    """A desk account in one of the roles (or none), e.g. make_user("Reporter")."""
    from django.contrib.auth.models import Group, User

    def make(role: str | None = None, username: str | None = None) -> User:
        user = User.objects.create_user(
            username or f"user{next(_serial)}", password="pw-for-tests", is_staff=True
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        return User.objects.get(pk=user.pk)  # fresh, so no permission cache

    return make


@pytest.fixture
def desk_client(client):
    """Log a user in to the desk: desk_client(user) returns the logged-in client."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test starts with no cached pages or menus: the database was rolled back too."""
    from django.core.cache import caches

    from dateline.base.counters import DatabaseCounterCache

    for alias in ("default", "pages", "ratelimit"):
        # Rate-limit counters in the database go with each test's database; Redis keeps them.
        if not isinstance(caches[alias], DatabaseCounterCache):
            caches[alias].clear()
    yield


@pytest.fixture(scope="module")
def module_chromium():
    """One Chromium for a test module, handed to each of its tests by `browser` (below): starting
    Playwright's driver and Chromium takes 1.3 to 2 s here, once per test it was 49 starts for
    22 modules."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is required: run scripts/system-deps (make test does)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # before and after the browser steps are ordinary synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            yield browser
            browser.close()
    finally:
        # Django opened a connection of its own while the loop ran (asgiref's Local keeps
        # one per context): close it, or PostgreSQL cannot drop the test database.
        connections.close_all()
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def browser(module_chromium):
    """The module's Chromium. Each page a test opens is in a context of its own
    (`Browser.new_page` makes one), and every context is closed after the test: no cookie,
    open stream or timer of one test reaches the next one's server."""
    yield module_chromium
    for context in module_chromium.contexts:
        context.close()
    _wait_for_requests_in_flight()
    connections.close_all()


def _wait_for_requests_in_flight(limit_s: float = 10.0) -> None:
    """Until the live server's threads have answered what the closed pages had sent. A page
    that had just loaded had its presence call in flight: its INSERT, committed while the
    test's flush ran, failed the flush on PostgreSQL and left the next test the old rows."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and any(
        thread.name.endswith("(process_request_thread)") for thread in threading.enumerate()
    ):
        time.sleep(0.01)

"""An invalidation takes several writes: a page saved or checked between them stays exact.

Another server process is played here by calls made from inside the cache's own write of the
new versions, the moment the interleaving happens in production.
"""

import pytest

from dateline.pagecache import store

pytestmark = [pytest.mark.cache, pytest.mark.django_db]

URL = "http://testserver/section/business/?"


def old_page() -> store.CachedPage:
    return store.CachedPage(200, [], b"the old listing", '"e"', frozenset({"s1", "home"}))


def during_the_versions_write(monkeypatch, before=None, after=None) -> None:
    cache = store.backend()
    write, done = cache.set_many, []

    def set_many(values, *args, **kwargs):
        # Once: the other process's own writes (a save gives new keys versions) pass.
        if done or not any(name.startswith(store.VERSION_PREFIX) for name in values):
            return write(values, *args, **kwargs)
        done.append(True)
        if before:
            before()
        written = write(values, *args, **kwargs)
        if after:
            after()
        return written

    monkeypatch.setattr(cache, "set_many", set_many)


def test_a_page_rendered_before_the_change_and_saved_during_its_invalidation_is_refused(
        monkeypatch):
    started = store.generation()  # a reader's render began before the story was published
    saved = []
    during_the_versions_write(
        monkeypatch, after=lambda: saved.append(store.save(URL, old_page(), started)))
    store.invalidate({"s1"})
    assert saved == [False]
    assert store.load(URL) is None


def test_a_page_checked_during_an_invalidation_is_checked_again_after_it(monkeypatch):
    checked = store.CheckedPages(limit=10)
    assert store.save(URL, old_page(), store.generation())
    seen = []
    during_the_versions_write(
        monkeypatch, before=lambda: seen.append(checked.load(URL, store.generation())))
    store.invalidate({"home"})
    assert seen and seen[0] is not None  # the versions were not written yet: still valid
    assert checked.load(URL, store.generation()) is None

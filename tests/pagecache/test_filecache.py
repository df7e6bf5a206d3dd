"""The page cache's file backend: the old file removed before the new one takes its name."""

import logging
import os

import pytest

from dateline.pagecache import filecache
from dateline.pagecache.filecache import FileCache

from .test_pagecache import Reader


def test_a_key_written_again_reads_the_newest_and_no_file_is_renamed_over_another(
        tmp_path, monkeypatch):
    cache = FileCache(str(tmp_path), {"TIMEOUT": None})
    replaced = []
    rename = os.rename

    def watched(source, target):
        replaced.append(os.path.exists(target))  # ext4 flushes the data of such a rename
        rename(source, target)

    monkeypatch.setattr(os, "rename", watched)
    for version in ("first", "second", "third"):
        cache.set("pc:v:home", version)
    cache.set_many({"pc:v:a1": "x", "pc:v:home": "fourth"})
    assert cache.get("pc:v:home") == "fourth"
    assert cache.get("pc:v:a1") == "x"
    assert replaced and not any(replaced)
    assert not cache.add("pc:v:home", "fifth")
    assert cache.get("pc:v:home") == "fourth"
    cache.delete("pc:v:home")
    assert cache.get("pc:v:home") is None
    assert [name for name in os.listdir(tmp_path) if not name.endswith(".djcache")] == []


def test_culling_still_bounds_the_entries(tmp_path):
    cache = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 300, "CULL_FREQUENCY": 2}})
    most = 0
    for n in range(1000):
        cache.set(f"page-{n}", n)
        most = max(most, len(os.listdir(tmp_path)))
    assert 300 <= most <= 300 + filecache.CULL_EVERY
    assert len(os.listdir(tmp_path)) < most


@pytest.mark.cache
@pytest.mark.django_db(transaction=True)
def test_the_page_cache_on_files_shows_an_edit_at_once(settings, tmp_path, make_article):
    settings.CACHES = {**settings.CACHES, "pages": {
        "BACKEND": "dateline.pagecache.filecache.FileCache", "LOCATION": str(tmp_path),
        "TIMEOUT": None}}
    settings.DATELINE_PAGE_CACHE_BOARD = str(tmp_path / "generation")
    first, second = Reader(), Reader()  # two server processes with their own memory
    article = make_article("Before the vote")
    url = article.get_absolute_url()
    first.get(url)
    assert first.get(url)[1]["X-Cache"] == "HIT"
    assert second.get(url)[1]["X-Cache"] == "HIT"
    article.headline = "After the vote"
    article.save()
    assert "After the vote" in first.get(url)[2]
    assert "After the vote" in second.get(url)[2]
    assert first.get("/")[1]["X-Cache"] == "MISS"
    assert second.get("/")[1]["X-Cache"] == "HIT"



@pytest.mark.django_db(transaction=True)
def test_a_folder_that_cannot_be_made_costs_no_page_and_is_said_once(
        settings, tmp_path, make_article, monkeypatch, caplog):
    """Every read and store fails, as every store does on a full disk. Before, each of them
    logged a traceback (26 for four pages on a full disk)."""
    monkeypatch.setattr(filecache, "_said_until", [0.0])
    blocker = tmp_path / "a-file"
    blocker.write_text("where the cache's folder should be")
    settings.CACHES = {**settings.CACHES, "pages": {
        "BACKEND": "dateline.pagecache.filecache.FileCache",
        "LOCATION": str(blocker / "pages"), "TIMEOUT": None}}
    settings.DATELINE_PAGE_CACHE_BOARD = str(tmp_path / "generation")
    reader = Reader()
    stories = [make_article(f"Story {n}") for n in range(3)]
    for path in ["/", *(story.get_absolute_url() for story in stories), "/"]:
        status, headers, body = reader.get(path)
        assert status == 200 and headers.get("X-Cache") in (None, "PASS"), path
    assert "Story 2" in body
    # Besides the stories' lost invalidations and search renewals (one line each, at ERROR: a
    # change went unsaid), the one line that the cache's files cannot be written.
    said = [r for r in caplog.records if r.levelno >= logging.WARNING
            and "could not invalidate" not in r.getMessage()
            and "results may be stale" not in r.getMessage()]
    assert [(r.name, r.levelname) for r in said] == [("dateline.pagecache.filecache", "ERROR")]
    assert "cannot be written" in said[0].getMessage()
    assert "Not a directory" in said[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info]

class CountedListings(FileCache):
    listings = 0

    def _list_cache_files(self):
        CountedListings.listings += 1
        return super()._list_cache_files()


def test_far_from_the_limit_the_directory_is_listed_rarely_and_near_it_as_before(tmp_path):
    roomy = CountedListings(str(tmp_path / "roomy"), {"OPTIONS": {"MAX_ENTRIES": 200_000}})
    for n in range(2_000):
        roomy.set(f"page-{n}", n)
    # One look at the first write found room for 200,000: the next is 25,000 writes away.
    assert CountedListings.listings == 1
    CountedListings.listings = 0
    tight = CountedListings(str(tmp_path / "tight"),
                            {"OPTIONS": {"MAX_ENTRIES": 1_000, "CULL_FREQUENCY": 2}})
    most = 0
    for n in range(3_000):
        tight.set(f"page-{n}", n)
        most = max(most, len(os.listdir(tmp_path / "tight")))
    assert 1_000 <= most <= 1_000 + filecache.CULL_EVERY
    assert CountedListings.listings >= 3_000 // (1_000 // filecache.ROOM_SHARE) - 1


def test_a_store_the_disk_refuses_is_said_once_a_minute(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(filecache, "_said_until", [0.0])
    cache = FileCache(str(tmp_path), {"TIMEOUT": None})
    for key in ("story:1", "story:2"):
        os.mkdir(cache._key_to_file(key))  # where its file goes: refused, as a full disk does
        with pytest.raises(OSError):
            cache.set(key, b"page")
    (said,) = [r for r in caplog.records if r.name == "dateline.pagecache.filecache"]
    assert said.levelname == "ERROR" and said.exc_info is None
    assert "Is a directory" in said.getMessage()
    cache.set("story:3", b"page")  # the others are stored
    assert cache.get("story:3") == b"page"

"""The memory of checked pages is shared by a server's threads: hammer it from many at once."""

import random
import sys
import threading
import time
from collections import OrderedDict

import pytest

from dateline.pagecache import store

pytestmark = [pytest.mark.cache, pytest.mark.django_db]

STORED = [f"http://testserver/page/{n}/?" for n in range(40)]
# Pages that come and go while the threads read: a miss pops the key, a hit inserts it.
FLICKERING = [f"http://testserver/flicker/{n}/?" for n in range(2)]


def page(key: str) -> store.CachedPage:
    return store.CachedPage(200, [], key.encode(), '"e"', frozenset({"nav"}))


def hammer(checked: store.CheckedPages, threads: int = 12, rounds: int = 600) -> dict:
    """Load random pages from many threads while others vanish and return; report what
    each thread saw."""
    generation = store.generation()
    for key in STORED + FLICKERING:
        assert store.save(key, page(key), generation)
    errors: list[BaseException] = []
    loaded: set[str] = set()
    wrong: list[tuple[str, bytes]] = []
    stop = threading.Event()

    def flicker() -> None:
        rng = random.Random(0)
        while not stop.is_set():
            key = rng.choice(FLICKERING)
            store.backend().delete(store.PAGE_PREFIX + key)
            if rng.random() < 0.5:
                store.save(key, page(key), generation)

    def read(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(rounds):
                key = rng.choice(STORED if rng.random() < 0.5 else FLICKERING)
                found = checked.load(key, generation)
                if found is not None:
                    if found.body != key.encode():
                        wrong.append((key, found.body))
                    if key in STORED:
                        loaded.add(key)
        except BaseException as error:  # any failure in a thread fails the test
            errors.append(error)

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as CPython allows
    try:
        flickering = threading.Thread(target=flicker)
        flickering.start()
        readers = [threading.Thread(target=read, args=(n,)) for n in range(threads)]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join()
    finally:
        stop.set()
        flickering.join()
        sys.setswitchinterval(switch)
    return {"errors": errors, "loaded": loaded, "wrong": wrong}


class Preempted(OrderedDict):
    """The real OrderedDict, but another thread runs in the middle of each update, as it may
    at any moment on a free-threaded Python (granian runs there) or on an unlucky switch."""

    def move_to_end(self, key, last=True) -> None:
        time.sleep(0)  # hands the GIL to a waiting thread
        super().move_to_end(key, last)

    def popitem(self, last=True):
        time.sleep(0)
        return super().popitem(last)


@pytest.mark.parametrize("preempted", [False, True], ids=["plain", "preempted"])
def test_many_threads_keep_the_size_bound_and_never_raise(preempted):
    checked = store.CheckedPages(limit=16)
    if preempted:
        checked.pages = Preempted()
    seen = hammer(checked)
    assert seen["errors"] == [] and seen["wrong"] == []
    assert len(checked.pages) <= 16
    assert len(set(checked.pages)) == len(checked.pages)
    # Full: every insert beyond the bound evicted exactly one page, never more.
    assert len(checked.pages) == 16


def test_with_room_for_all_no_checked_page_is_lost():
    checked = store.CheckedPages(limit=1000)
    seen = hammer(checked)
    assert seen["errors"] == [] and seen["wrong"] == []
    # Every stored page a thread loaded is remembered: no insert was lost to another thread.
    assert seen["loaded"] == set(STORED)
    assert seen["loaded"] <= set(checked.pages)
    for key in STORED:
        _, remembered = checked.pages[key]
        assert remembered.body == key.encode()

from datetime import UTC, datetime

import pytest
import time_machine

from dateline.readership import counting
from dateline.readership.models import Tally

pytestmark = pytest.mark.django_db


@pytest.fixture
def any_key(monkeypatch):
    """No app says which keys exist: campaigns' keys are the ads app's to check."""
    monkeypatch.setattr(counting, "_known_keys", {})


def test_counts_are_written_per_kind_key_and_hour(make_article):
    story = make_article()
    with time_machine.travel(datetime(2026, 3, 1, 9, 59, tzinfo=UTC), tick=False):
        counting.count("view", story.pk)
        counting.count("view", story.pk, 2)
    with time_machine.travel(datetime(2026, 3, 1, 10, 1, tzinfo=UTC), tick=False):
        counting.count("view", story.pk)
    assert counting.flush() == 2
    rows = {t.hour: t.count for t in Tally.objects.filter(kind="view", key=story.pk)}
    assert rows == {datetime(2026, 3, 1, 9, tzinfo=UTC): 3, datetime(2026, 3, 1, 10, tzinfo=UTC): 1}


def test_a_second_batch_adds_to_the_same_row(make_article):
    story = make_article()
    counting.count("view", story.pk, 5)
    counting.flush()
    counting.count("view", str(story.pk), 4)
    counting.flush()
    assert Tally.objects.get(kind="view", key=story.pk).count == 9
    assert counting.flush() == 0  # nothing left


def test_views_of_stories_that_do_not_exist_are_not_stored(make_article):
    story = make_article()
    counting.count("view", story.pk)
    counting.count("view", 987654321)
    counting.flush()
    assert list(Tally.objects.values_list("key", flat=True)) == [str(story.pk)]


def test_a_kind_without_registered_keys_stores_every_key(any_key):
    counting.count("impression", 7)
    counting.count("click", 7)
    counting.flush()
    assert sorted(Tally.objects.values_list("kind", "key", "count")) == [
        ("click", "7", 1), ("impression", "7", 1)]


def test_a_full_batch_drops_new_keys_but_adds_to_held_ones(settings, any_key):
    settings.DATELINE_READERSHIP_MAX_BATCH = 2
    before = counting.dropped()
    for key in (1, 2, 3):
        counting.count("impression", key)
    counting.count("impression", 1)
    assert counting.dropped() == before + 1
    counting.flush()
    assert dict(Tally.objects.values_list("key", "count")) == {"1": 2, "2": 1}


def test_a_failed_write_keeps_the_batch_for_the_next_flush(monkeypatch, any_key):
    def broken(batch):
        raise RuntimeError("database away")

    counting.count("impression", 3, 2)
    with monkeypatch.context() as patched:
        patched.setattr(counting, "_write", broken)
        assert counting.flush() == 0
    counting.count("impression", 3)
    counting.flush()
    assert Tally.objects.get(kind="impression", key="3").count == 3

"""Beacons nginx answered, counted from its lines (dateline/readership/beacon_log.py): each once,
at its own hour, by the beacon's rules, whatever stops the reading half-way."""

import socket
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import override_settings

from dateline.readership import beacon_log, counting
from dateline.readership.models import BeaconLogRead, Tally

from .conftest import BROWSER

pytestmark = pytest.mark.django_db(transaction=True)

NOW = 1_764_339_950.0  # inside the hundred seconds of file 17643399.log
ROBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def line(story: int, *, status: int = 204, at: float = NOW, address: str = "203.0.113.7",
         agent: str = BROWSER, path: str | None = None) -> bytes:
    path = path or f"/r/view/{story}"
    return f"{status} {at:.3f} {path} {address} {agent}\n".encode()


def views(story) -> int:
    return sum(Tally.objects.filter(kind="view", key=str(story.pk))
               .values_list("count", flat=True))


@pytest.fixture
def story(make_article):
    return make_article("Counted from nginx's lines")


@pytest.fixture
def folder(tmp_path) -> Path:
    path = tmp_path / "beacons"
    path.mkdir()
    return path


def test_only_a_readers_answered_beacons_count(folder, story):
    (folder / "17643399.log").write_bytes(b"".join([
        line(story.pk), line(story.pk, address="198.51.100.2"),
        line(story.pk, status=405), line(story.pk, status=403), line(story.pk, status=413),
        line(story.pk, agent=ROBOT), line(story.pk, agent=""),
        line(story.pk, path=f"/r/click/{story.pk}"), line(story.pk, path="/r/view/0"),
        line(999_999),  # no such story: dropped at the write, as the app's own batch
        b"garbage\n", b"204 not-a-time /r/view/1 203.0.113.7 x\n",
    ]))
    assert beacon_log.read_new_lines(folder, now=NOW) == 3  # 999999 is dropped when written
    assert views(story) == 2


def test_each_beacon_counts_at_its_own_hour(folder, story):
    hour = 3600 * (int(NOW) // 3600)
    (folder / "17643399.log").write_bytes(line(story.pk, at=hour - 0.5) + line(story.pk, at=hour))
    beacon_log.read_new_lines(folder, now=NOW)
    counted = dict(Tally.objects.filter(key=str(story.pk)).values_list("hour", "count"))
    assert counted == {datetime.fromtimestamp(hour - 3600, UTC): 1,
                       datetime.fromtimestamp(hour, UTC): 1}


@override_settings(DATELINE_READERSHIP_REPEATS=2)
def test_one_senders_repeats_count_as_the_beacon_counts_them(folder, story):
    (folder / "17643399.log").write_bytes(line(story.pk) * 5 + line(story.pk, address="2001:db8::1")
                                          + line(story.pk, address="2001:db8::2"))
    beacon_log.read_new_lines(folder, now=NOW)
    assert views(story) == 2 + 2  # one IPv6 /64 is one sender, as at the app's beacon


def test_lines_are_counted_once_across_passes_and_half_written_lines_wait(folder, story):
    log = folder / "17643399.log"
    log.write_bytes(line(story.pk) * 2 + line(story.pk)[:20])  # nginx mid-write
    assert beacon_log.read_new_lines(folder, now=NOW) == 2
    assert beacon_log.read_new_lines(folder, now=NOW) == 0
    with log.open("ab") as file:
        file.write(line(story.pk)[20:] + line(story.pk))
    assert beacon_log.read_new_lines(folder, now=NOW) == 2
    assert views(story) == 4
    assert BeaconLogRead.objects.get().offset == log.stat().st_size


def test_a_file_is_deleted_once_nginx_is_done_with_it_and_read(folder, story):
    old, current = folder / "17643398.log", folder / "17643399.log"
    old.write_bytes(line(story.pk, at=NOW - 100))
    current.write_bytes(line(story.pk))
    (folder / "notes.txt").write_text("not nginx's")
    beacon_log.read_new_lines(folder, now=NOW)
    assert not old.exists() and current.exists() and (folder / "notes.txt").exists()
    assert [read.name.rsplit("/", 1)[1] for read in BeaconLogRead.objects.all()] == \
        ["17643399.log"]
    beacon_log.read_new_lines(folder, now=NOW + 100 + beacon_log.MARGIN_SECONDS)
    assert not current.exists() and not BeaconLogRead.objects.exists()
    assert views(story) == 2


def test_a_backlog_is_read_in_bounded_pieces(folder, story, monkeypatch):
    monkeypatch.setattr(beacon_log, "_MOST_BYTES", 300)
    (folder / "17643399.log").write_bytes(b"".join(line(story.pk, address=f"192.0.2.{n}")
                                                   for n in range(40)))
    assert beacon_log.read_new_lines(folder, now=NOW) == 40
    assert views(story) == 40


def test_a_write_that_fails_marks_nothing_read_and_the_next_pass_counts_it_once(
        folder, story, monkeypatch):
    (folder / "17643399.log").write_bytes(line(story.pk) * 3)
    real = counting.write

    def written_then_lost(batch):
        real(batch)
        raise OperationalError("the database went away before the commit")

    monkeypatch.setattr(counting, "write", written_then_lost)
    with pytest.raises(OperationalError):
        beacon_log.read_new_lines(folder, now=NOW)
    assert views(story) == 0  # the counts and the offset went together
    assert BeaconLogRead.objects.get().offset == 0
    monkeypatch.setattr(counting, "write", real)
    assert beacon_log.read_new_lines(folder, now=NOW) == 3
    assert views(story) == 3


def test_two_readers_of_one_folder_count_each_line_once(folder, story):
    """Two `dateline serve` on one host: the one that moves the offset first counts."""
    log = folder / "17643399.log"
    log.write_bytes(b"".join(line(story.pk, address=f"192.0.2.{n}") for n in range(4)))
    threads = [threading.Thread(target=beacon_log.read_new_lines, args=(folder, NOW))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert views(story) == 4
    assert BeaconLogRead.objects.get().offset == log.stat().st_size


def test_the_offset_of_a_file_gone_is_forgotten(folder, story):
    BeaconLogRead.objects.create(name=f"{socket.gethostname()}/17643000.log", offset=99)
    BeaconLogRead.objects.create(name="another-host/17643000.log", offset=99)
    (folder / "17643399.log").write_bytes(line(story.pk))
    beacon_log.read_new_lines(folder, now=NOW)
    assert sorted(BeaconLogRead.objects.values_list("name", flat=True)) == \
        ["another-host/17643000.log", f"{socket.gethostname()}/17643399.log"]


def test_no_folder_no_reading(tmp_path):
    assert beacon_log.read_new_lines(tmp_path / "nowhere", now=time.time()) == 0


def test_nothing_about_the_sender_reaches_the_database(folder, story):
    (folder / "17643399.log").write_bytes(line(story.pk))
    beacon_log.read_new_lines(folder, now=NOW)
    stored = [str(row) for model in (Tally, BeaconLogRead)
              for row in model.objects.values_list()]
    assert stored and not any("203.0.113" in row or "Mozilla" in row for row in stored)


def test_a_flood_of_made_up_story_ids_is_dropped_and_the_real_ones_counted(folder, story):
    """More distinct keys in one piece than a database takes parameters in one statement."""
    made_up = b"".join(line(10_000_000 + n, address=f"10.{n >> 16}.{(n >> 8) & 255}.{n & 255}")
                       for n in range(40_000))
    (folder / "17643399.log").write_bytes(made_up + line(story.pk))
    assert beacon_log.read_new_lines(folder, now=NOW) == 40_001
    assert views(story) == 1
    assert Tally.objects.count() == 1

"""One request at a time per host (dateline/ingest/hosts.py), and a full disk is no traceback."""

import resource
import signal
import time

import pytest

from dateline.ingest.hosts import turn

pytestmark = pytest.mark.one_engine  # files: no database


def test_the_next_request_to_a_host_waits_out_the_gap(settings, tmp_path):
    settings.DATELINE_INGEST_LOCK_DIR = str(tmp_path)
    settings.DATELINE_INGEST_HOST_GAP = 2.0
    with turn("news.example.org"):
        pass
    started = time.monotonic()
    with turn("other.example.org"):  # another host: no gap to wait out (a loaded machine
        assert time.monotonic() - started < 1.5  # is slow, never that slow)
    with turn("NEWS.example.org"):  # the same host, however written: the gap is waited
        assert time.monotonic() - started >= 1.9


def test_a_stamp_the_disk_refuses_ends_the_turn_without_an_error(settings, tmp_path):
    """On a full disk each poll logged three chained tracebacks, the stamp's among them."""
    settings.DATELINE_INGEST_LOCK_DIR = str(tmp_path)
    with turn("news.example.org"):
        pass  # the host's file, made while the disk has room
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    ignored = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        resource.setrlimit(resource.RLIMIT_FSIZE, (1, hard))  # a write now fails (EFBIG)
        with turn("news.example.org"):
            ran = True
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, ignored)
    assert ran

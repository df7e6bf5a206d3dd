"""The stream server's granian options as `dateline serve` builds them (issue 20, point 6)."""

import resource

import pytest

from dateline.ops.serving import granian


@pytest.fixture
def file_limit():
    """Set this process's soft open-file limit for a test; the old one comes back after."""
    old = resource.getrlimit(resource.RLIMIT_NOFILE)
    yield lambda soft: resource.setrlimit(resource.RLIMIT_NOFILE, (soft, old[1]))
    resource.setrlimit(resource.RLIMIT_NOFILE, old)


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_a_worker_takes_no_more_streams_than_its_descriptors_allow(file_limit, monkeypatch):
    monkeypatch.delenv("DATELINE_LIVE_MAX_STREAMS", raising=False)
    file_limit(1_000)
    command = granian.live_stream_command("granian", "127.0.0.1", 8001, 2)
    # A full worker stops accepting and its sibling takes the reader; past its descriptors it
    # would fail accept() instead.
    assert option(command, "--backpressure") == str(1_000 - granian.LIVE_SPARE_FILES)
    assert option(command, "--workers") == "2"


def test_a_high_file_limit_still_caps_a_worker_at_the_measured_count(file_limit, monkeypatch):
    monkeypatch.delenv("DATELINE_LIVE_MAX_STREAMS", raising=False)
    # The cap below the limit this machine allows, as 20,000 is below a production one's.
    monkeypatch.setattr(granian, "LIVE_STREAMS_PER_WORKER", 3_000)
    file_limit(5_000)
    command = granian.live_stream_command("granian", "127.0.0.1", 8001, 1)
    assert option(command, "--backpressure") == "3000"


def test_the_operator_may_set_the_streams_per_worker(monkeypatch):
    monkeypatch.setenv("DATELINE_LIVE_MAX_STREAMS", "123")
    command = granian.live_stream_command("granian", "127.0.0.1", 8001, 1)
    assert option(command, "--backpressure") == "123"


def test_streams_get_the_smallest_read_buffer(monkeypatch):
    """8 KB, not granian's 408 KB: 18.5 KB of memory a stream instead of 29 (`make bench-live`);
    tests/live/test_stream.py checks that a browser's head with its cookies still fits."""
    command = granian.live_stream_command("granian", "127.0.0.1", 8001, 1)
    assert option(command, "--http1-buffer-size") == "8192"
    assert command[-1] == "dateline.live.asgi:application"
    monkeypatch.setenv("DATELINE_THREADS", "2")  # web_command sets it for its children
    web = granian.web_command("granian", "127.0.0.1", 8000, 1, 2, 0)
    assert option(web, "--http1-buffer-size") == "32768"  # heads with cookies, and bodies

"""serve's supervisor with real child processes: one that keeps dying rests while the site
goes on, unless it is the web server itself."""

import subprocess
import sys
import threading
import time

import pytest

from dateline.ops.serving import supervisor as module
from dateline.ops.serving.supervisor import ChildKeepsDying, Supervisor, start_child


def dies_at_once() -> subprocess.Popen:
    return start_child([sys.executable, "-c", "raise SystemExit(3)"])


def lives() -> subprocess.Popen:
    return start_child([sys.executable, "-c", "import time; time.sleep(60)"])


def wait_until(condition, said: list[str], deadline: float) -> None:
    while not condition():
        assert time.monotonic() < deadline, said
        time.sleep(0.05)


def says(said: list[str], words: str):
    return lambda: any(words in line for line in said)


@pytest.fixture
def quick(monkeypatch):
    monkeypatch.setattr(module, "POLL_S", 0.02)
    monkeypatch.setattr(module, "REST_S", 1.0)


def test_a_worker_that_keeps_dying_rests_and_the_site_goes_on(quick):
    """Five kills of the background worker within a minute stopped serve, and with it every
    page of the site."""
    said: list[str] = []
    watched = Supervisor(log=said.append)
    starts = []
    watched.add("background worker", lambda: starts.append(1) or dies_at_once())
    watched.add("web server", lives, essential=True)
    running = threading.Thread(target=watched.run)
    running.start()
    try:
        deadline = time.monotonic() + 20
        wait_until(says(said, "started again"), said, deadline)
        rested_at = len(starts)
        web = watched.children[1].process
        assert web.poll() is None  # the site: never stopped
        assert any("died 5 times within 60 s, the last time with exit status 3; the site goes "
                   "on without it, and it is started again in 1 s" in line for line in said), said
        # After its rest it is started again, and rests twice as long the next time.
        wait_until(says(said, "Starting the background worker again"), said, deadline)
        assert len(starts) > rested_at
        wait_until(lambda: watched.children[0].rests >= 2, said, deadline)
        assert any("started again in 2 s" in line for line in said), said
        assert watched.children[1].process is web
    finally:
        watched.stop()
        running.join(timeout=10)


def test_a_web_server_that_keeps_dying_stops_serve(quick):
    watched = Supervisor(log=lambda line: None)
    watched.add("web server", dies_at_once, essential=True)
    try:
        with pytest.raises(ChildKeepsDying, match="web server died 5 times"):
            watched.run()
    finally:
        watched.stop()


def test_a_child_that_ran_well_for_long_starts_its_next_rests_short(quick, monkeypatch):
    """Its rests never came back down: after a few troubles weeks apart, each new one began
    with ten minutes without the worker (scheduled stories held back for as long)."""
    monkeypatch.setattr(module, "MAX_REST_S", 5.0)
    said: list[str] = []
    watched = Supervisor(log=said.append)
    watched.add("background worker", dies_at_once)
    child = watched.children[0]
    child.rests = 3  # troubles long ago
    child.started_at -= 60  # and a minute of running well since (past MAX_REST_S)
    running = threading.Thread(target=watched.run)
    running.start()
    try:
        wait_until(says(said, "started again in"), said, time.monotonic() + 20)
        assert any("started again in 1 s" in line for line in said), said
    finally:
        watched.stop()
        running.join(timeout=10)

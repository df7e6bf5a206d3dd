"""Counts survive a restart: a real `dateline serve`, stopped with SIGTERM, writes its batch
(issue 21, point 4); one killed with SIGKILL loses only what it had not yet written; and what
nginx wrote for it to count is counted once across a kill."""

import os
import signal
import subprocess
import time
import urllib.request

import pytest

from tests.live.server import DATELINE, wait_for
from tests.ops.test_serve import Serve

from .conftest import BROWSER

SETUP = """
from dateline.newsroom.models import Article, Section
from django.utils import timezone
section = Section.objects.create(name="World")
story = Article.objects.create(headline="Counted", body="<p>Read.</p>", section=section,
                               status="published", published_at=timezone.now())
print(story.pk)
"""
VIEWS = ("from dateline.readership.models import Tally; "
         "print(sum(Tally.objects.values_list('count', flat=True)))")


def shell(env: dict, code: str) -> str:
    return subprocess.run([*DATELINE, "shell", "-c", code], env=env, check=True, timeout=120,
                          capture_output=True, text=True).stdout.split()[-1]


def beacon(url: str) -> int:
    request = urllib.request.Request(url, method="POST", headers={
        "User-Agent": BROWSER, "Sec-Fetch-Site": "same-origin"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.status


@pytest.fixture
def serve_with_flush(tmp_path, monkeypatch):
    """A server whose workers write their counts every `seconds` (and on exit)."""
    started = []

    def start(seconds: float) -> tuple[Serve, int]:
        monkeypatch.setenv("DATELINE_READERSHIP_FLUSH_SECONDS", str(seconds))
        # Every beacon here is one test client's for one story: all are to count.
        monkeypatch.setenv("DATELINE_READERSHIP_REPEATS", "0")
        running = Serve(tmp_path, "--no-worker", "--no-live")
        started.append(running)
        story = int(shell(running.env, SETUP))
        wait_for(running.url + "/healthz")
        return running, story

    yield start
    for running in started:
        running.stop()


def test_sigterm_writes_the_batch_before_the_workers_leave(serve_with_flush):
    # An hour between writes: only the workers' exit can have written these.
    running, story = serve_with_flush(3600)
    for _ in range(25):
        assert beacon(f"{running.url}/r/view/{story}") == 204
    assert shell(running.env, VIEWS) == "0"
    running.process.send_signal(signal.SIGTERM)
    running.process.wait(timeout=60)
    assert shell(running.env, VIEWS) == "25"


def test_sigkill_loses_at_most_the_unwritten_batch(serve_with_flush):
    running, story = serve_with_flush(0.2)
    for _ in range(10):
        beacon(f"{running.url}/r/view/{story}")
    written = "0"
    for _ in range(50):  # the thread writes within 0.2 s; the shell takes longer to start
        written = shell(running.env, VIEWS)
        if written == "10":
            break
    assert written == "10"
    # granian and its workers, as the kernel's OOM killer or a lost machine would end them.
    os.killpg(running.child("granian"), signal.SIGKILL)
    assert shell(running.env, VIEWS) == "10"
    # serve starts granian again; stopping it before both new workers are up cost the fixture's
    # stop 20 s one run in two (granian's forked workers inherit its SIGTERM handler until they
    # set their own, so a SIGTERM then is lost, and they are killed after the kill timeout).
    running.wait_for_workers(started=4)


def nginx_lines(story: int, first: int, n: int) -> bytes:
    """Lines as deploy/nginx.conf writes them, from n senders (each counts)."""
    return b"".join(f"204 {time.time():.3f} /r/view/{story} 192.0.2.{first + i} {BROWSER}\n"
                    .encode() for i in range(n))


def test_serve_counts_what_nginx_wrote_and_a_killed_serve_counts_none_twice(serve_with_flush,
                                                                          tmp_path):
    running, story = serve_with_flush(0.2)
    folder = tmp_path / "beacons"  # DATELINE_BEACON_LOG_DIR's default, under the site's var
    folder.mkdir()
    log = folder / f"{int(time.time()) // 100}.log"
    log.write_bytes(nginx_lines(story, 1, 7))
    written = "0"
    for _ in range(50):
        written = shell(running.env, VIEWS)
        if written == "7":
            break
    assert written == "7"
    # serve and its web server killed outright, as a lost machine would end them.
    granian = running.child("granian")
    running.process.kill()  # first, or it would start another granian
    running.process.wait(timeout=30)
    os.killpg(granian, signal.SIGKILL)
    with log.open("ab") as file:
        file.write(nginx_lines(story, 100, 5))
    again = Serve(tmp_path, "--no-worker", "--no-live", prepare=False, env=running.env)
    try:
        wait_for(again.url + "/healthz")
        for _ in range(50):
            written = shell(again.env, VIEWS)
            if written != "7":
                break
        assert written == "12"
    finally:
        again.stop()

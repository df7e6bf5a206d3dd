"""The stream server while the database is not answering: a stream is told when to reconnect
(an empty 200 stream with `retry`, which EventSource follows; a 503 would close it for good),
/live/healthz answers 503, and once the database answers the hub starts (before, the failed
start was kept, and every stream got its error until the process restarted)."""

import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.database_away import AwayDatabase
from tests.live.server import free_port_pair

pytestmark = pytest.mark.one_engine


def answer(url: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_the_stream_tells_readers_to_come_back_and_starts_once_the_database_answers(tmp_path):
    database = AwayDatabase(tmp_path)
    port = free_port_pair()
    granian = str(Path(sys.executable).with_name("granian"))
    server = subprocess.Popen(
        [granian, "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--no-ws", "dateline.live.asgi:application"],
        env=database.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/live"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, headers, body = answer(f"{base}/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, "the stream server did not start"
                time.sleep(0.2)
        assert status == 503, body
        assert headers["retry-after"] == "30"
        assert body == "The news database is not answering.\n"
        status, headers, body = answer(f"{base}/events")  # ends: nothing to wait for
        assert status == 200
        assert headers["content-type"] == "text/event-stream; charset=utf-8"
        assert body == ("retry: 30000\n: the news database is not answering; reconnect "
                        "later\n\n")
        # The database comes back: the migrated file where the folder was.
        database.back()
        status, _, body = answer(f"{base}/healthz")
        assert status == 200, body
        assert body.startswith("ok 0 streams, event 0")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

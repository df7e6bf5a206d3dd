"""`dateline serve --demo-outlets` (what `make run` starts): the demo outlets run as serve's
child on 127.0.0.1, come back when killed, and stop with serve."""

import os
import signal
import time
import urllib.request

import pytest

from tests.conftest import require_shared
from tests.live.server import free_port_pair, wait_for
from tests.ops.test_serve import BACK_WITHIN_S, Serve, alive, command_line


@pytest.fixture
def serve(tmp_path, monkeypatch):
    corpus = require_shared("corpus")
    outlets_port = free_port_pair()
    monkeypatch.setenv("DEMO_OUTLETS_PORT", str(outlets_port))
    running = Serve(tmp_path, "--no-worker", "--no-live", "--demo-outlets", str(corpus))
    running.outlets_url = f"http://127.0.0.1:{outlets_port}"
    try:
        wait_for(running.outlets_url + "/reuters-wire/feed", timeout=90)
        yield running
    finally:
        running.stop()


def test_serve_keeps_the_demo_outlets_running_and_stops_them(serve):
    child = serve.child("dateline.ingest.demo")
    assert f"--port {serve.outlets_url.rsplit(':', 1)[1]}" in command_line(child)
    with urllib.request.urlopen(serve.outlets_url + "/bbc-archive/feed", timeout=10) as answer:
        assert answer.status == 200 and b"Demo outlet" in answer.read()

    os.kill(child, signal.SIGKILL)
    deadline = time.monotonic() + BACK_WITHIN_S
    while serve.child("dateline.ingest.demo") == child and time.monotonic() < deadline:
        time.sleep(0.1)
    replacement = serve.child("dateline.ingest.demo")
    assert replacement != child
    wait_for(serve.outlets_url + "/world-briefs/feed", timeout=BACK_WITHIN_S * 2)
    assert "The demo outlets stopped" in serve.log.read_text()

    serve.stop()
    assert not alive(replacement)

"""Page-cache hits in a real server: answered before Django, yet counted and logged."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests import prepared

pytestmark = pytest.mark.one_engine

# Not marked "cache": the server runs the development settings (a file cache), not Redis.

# A cached page that needs no collected static files (the site's pages name their logo's).
PAGE = "/robots.txt"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_hits_answered_by_granian_workers_reach_metrics_and_the_access_log(tmp_path):
    """`dateline serve --workers 2` as in production: hits never reach Django, yet count."""
    dateline = Path(sys.executable).parent / "dateline"
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    env = {**os.environ, "DATELINE_VAR_DIR": str(tmp_path), "DATELINE_DB_ENGINE": "sqlite",
           "DJANGO_SETTINGS_MODULE": "dateline.settings.dev", "DATELINE_LOG_LEVEL": "INFO",
           "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    env.pop("DATELINE_DB_NAME", None)
    prepared.migrate(env)
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(dateline), "serve", "--no-worker", "--no-live", "--workers", "2",
             "--threads", "2", "--port", str(port)],
            env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    statuses: list[str] = []
    try:
        deadline = time.monotonic() + 60
        # Each worker finds the page the first one stored in the shared cache: all but the
        # first answer or two are hits, answered by the WSGI wrapper before Django.
        while len(statuses) < 40 and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}{PAGE}", timeout=5) as page:
                    statuses.append(page.headers["X-Cache"])
            except OSError:
                time.sleep(0.2)
        assert len(statuses) == 40, statuses
        with urllib.request.urlopen(f"{base}/metrics", timeout=10) as page:
            text = page.read().decode()
    finally:
        server.terminate()
        server.communicate(timeout=30)
    hits = statuses.count("HIT")
    assert hits >= 30, statuses
    found = re.search(r'^dateline_page_cache_total\{outcome="hit",reason=""\} (\S+)$', text,
                      re.M)
    assert found is not None, text
    assert float(found.group(1)) == hits
    lines = log.read_text().splitlines()
    logged = [line for line in lines if line.startswith(f"GET {PAGE} 200 ")]
    assert sum(1 for line in logged if line.endswith(" cache=hit")) == hits
    assert any(line.endswith(" cache=stored") for line in logged)

"""deploy/nginx.conf answers the beacons itself, run for real (nginx with the shipped site, plain
HTTP on loopback): what the app's beacon refuses, nginx refuses; what it answers 204 is written
to the beacons' folder alone, and counted from there once (issue 21, point 4)."""

import os
import urllib.error
import urllib.request

import pytest

from dateline.readership import beacon_log
from dateline.readership.models import BeaconLogRead, Tally
from tests.ops.test_nginx_cache import NGINX, Nginx

from .conftest import BROWSER
from .test_beacon_log import ROBOT

pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (scripts/system-deps)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def nginx(live_server):
    running = Nginx(int(live_server.url.rsplit(":", 1)[1]))
    # Written by nginx's workers (nobody, when run as root), read and emptied by the app.
    (running.folder / "beacons").mkdir(mode=0o777)
    os.chmod(running.folder / "beacons", 0o777)
    yield running
    running.stop()


def post(nginx: Nginx, path: str, *, agent: str = BROWSER, site: str = "same-origin",
         method: str = "POST", body: bytes | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{nginx.port}{path}", method=method,
                                     data=body, headers={"User-Agent": agent,
                                                         "Sec-Fetch-Site": site})
    try:
        with urllib.request.urlopen(request, timeout=10) as answered:
            return answered.status, dict(answered.headers), answered.read()
    except urllib.error.HTTPError as refused:
        return refused.code, dict(refused.headers), refused.read()


def test_nginx_answers_the_beacons_and_the_app_counts_each_once(nginx, make_article):
    story = make_article("Read through nginx")
    answers = [post(nginx, f"/r/view/{story.pk}") for _ in range(3)]
    assert {(status, headers["Cache-Control"]) for status, headers, _ in answers} == \
        {(204, "no-store")}
    assert not any("Set-Cookie" in headers for _, headers, _ in answers)
    # Refused as the app refuses them, and never counted.
    status, headers, _ = post(nginx, f"/r/view/{story.pk}", method="GET")
    assert (status, headers["Allow"], headers["Cache-Control"]) == (405, "POST", "no-store")
    assert post(nginx, f"/r/view/{story.pk}", site="cross-site")[0] == 403
    assert post(nginx, f"/r/view/{story.pk}", body=b"x" * 5000)[0] == 413
    # A robot is answered as a reader, and not counted.
    assert post(nginx, f"/r/view/{story.pk}", agent=ROBOT)[0] == 204
    # Not a beacon nginx knows: the app says why.
    status, _, body = post(nginx, f"/r/click/{story.pk}")
    assert status == 404 and b"No such beacon" in body

    folder = nginx.folder / "beacons"
    files = list(folder.iterdir())  # two, when the beacons fell across a hundred seconds
    assert 1 <= len(files) <= 2 and all(file.suffix == ".log" for file in files)
    assert beacon_log.read_new_lines(folder) == 3
    assert beacon_log.read_new_lines(folder) == 0
    assert Tally.objects.get(kind="view", key=str(story.pk)).count == 3
    # Once nginx has moved on to the next file (a hundred seconds), this one goes.
    window_ends = max(beacon_log._window(file) for file in files) + beacon_log.FILE_SECONDS
    beacon_log.read_new_lines(folder, now=window_ends + beacon_log.MARGIN_SECONDS)
    assert list(folder.iterdir()) == [] and not BeaconLogRead.objects.exists()
    assert Tally.objects.get(kind="view", key=str(story.pk)).count == 3

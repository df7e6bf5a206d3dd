"""A PostgreSQL that stops answering without refusing (a frozen server, a hung disk, a host
gone without a reset) cannot enforce its statement_timeout, and libpq waits for ever: every
worker thread that reads would wait with it. A public request's reads are cut a little past
the timeout instead (dateline.db.limits), and the reader gets the database's 503."""

import json
import os
import subprocess
import sys
import textwrap

import pytest
from django.db import connection

from tests.silent_server import SilentPort

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL server's silence"),
]

# Two requests in one process, as a worker serves them: the first opens the connection and
# keeps it (CONN_MAX_AGE, as in production); then the server goes silent.
READER = textwrap.dedent("""
    import django, json, os, sys
    django.setup()
    from django.db import close_old_connections, connections
    connections["default"].settings_dict["CONN_MAX_AGE"] = 60
    from django.contrib.auth.models import User
    from django.test import Client
    client = Client(raise_request_exception=False)
    if os.environ.get("EDITOR"):
        client.force_login(User.objects.get(username=os.environ["EDITOR"]))
    first = client.get(sys.argv[1])
    print(json.dumps([first.status_code]), flush=True)
    sys.stdin.readline()  # the server is silent from now on
    for path in sys.argv[2:]:
        if os.environ.get("CHECKED_AT_START"):
            # What a server's handler does as each request starts (the test client skips it):
            # a kept connection is then checked again at its first use.
            close_old_connections()
        answer = client.get(path)
        print(json.dumps([answer.status_code, answer.get("Retry-After")]), flush=True)
""")


def read_through_a_silent_server(tmp_path, first: str, *then: str, **env) -> tuple[list, str]:
    """What a process answers to `first` through a port that then goes silent, and to each of
    `then` after that; and its log."""
    settings_dict = connection.settings_dict
    port = SilentPort(forward_to=(settings_dict["HOST"] or "127.0.0.1",
                                  int(settings_dict["PORT"] or 5432)), answering=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dateline.settings.test",
           "DATELINE_DB_HOST": "127.0.0.1", "DATELINE_DB_PORT": str(port.number),
           "DATELINE_DB_NAME": settings_dict["NAME"],
           "DATELINE_VAR_DIR": str(tmp_path), "DATELINE_LOG_LEVEL": "WARNING",
           # A new connection to the silent port is given up after libpq's least, not 5 s.
           "DATELINE_DB_CONNECT_TIMEOUT": "2", **env}
    reader = subprocess.Popen([sys.executable, "-c", READER, first, *then], env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert json.loads(reader.stdout.readline()) == [200]
        port.answering = False
        try:
            out, log = reader.communicate("go\n", timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail("the reader waited on the silent server for a minute")
    finally:
        reader.kill()
        port.close()
    return [json.loads(line) for line in out.splitlines()], log


@pytest.mark.parametrize("silent_at", ["the health check", "a read"])
def test_a_silent_server_is_a_503_for_the_reader_not_a_wait_for_ever(
        silent_at, make_article, tmp_path):
    story = make_article("Dam holds")
    answers, log = read_through_a_silent_server(
        tmp_path, story.get_absolute_url(), "/search/?q=dam", story.get_absolute_url(),
        CHECKED_AT_START="1" if silent_at == "the health check" else "")
    # The search on the kept connection (cut at its health check, or at its read once the
    # check is behind it), then the story's on a new connection: both refused in words.
    assert answers == [[503, "30"], [503, "30"]], log
    assert "Service Unavailable: /search/ (database: " in log
    assert "Traceback" not in log


def test_an_editor_gets_the_503_too_and_no_thread_waits(make_user, make_article, tmp_path):
    """The desk's statements are never cut; the health check of its kept connection is."""
    editor = make_user("Editor")
    story = make_article("Dam holds")
    answers, log = read_through_a_silent_server(
        tmp_path, "/desk/newsroom/article/", f"/desk/newsroom/article/{story.pk}/change/",
        EDITOR=editor.username, CHECKED_AT_START="1")
    assert answers == [[503, "30"]], log
    assert f"Service Unavailable: /desk/newsroom/article/{story.pk}/change/ (database: " in log

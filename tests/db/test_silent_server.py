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
    import django, json, sys
    django.setup()
    from django.db import connections
    connections["default"].settings_dict["CONN_MAX_AGE"] = 60
    from django.test import Client
    client = Client(raise_request_exception=False)
    first = client.get(sys.argv[1])
    print(json.dumps([first.status_code]), flush=True)
    sys.stdin.readline()  # the server is silent from now on
    for path in sys.argv[2:]:
        answer = client.get(path)
        print(json.dumps([answer.status_code, answer.get("Retry-After")]), flush=True)
""")


def test_a_silent_server_is_a_503_for_the_reader_not_a_wait_for_ever(make_article, tmp_path):
    story = make_article("Dam holds")
    settings_dict = connection.settings_dict
    port = SilentPort(forward_to=(settings_dict["HOST"] or "127.0.0.1",
                                  int(settings_dict["PORT"] or 5432)))
    port.answering = True
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dateline.settings.test",
           "DATELINE_DB_HOST": "127.0.0.1", "DATELINE_DB_PORT": port.url.rsplit(":", 1)[1]
           .split("/")[0], "DATELINE_DB_NAME": settings_dict["NAME"],
           "DATELINE_VAR_DIR": str(tmp_path), "DATELINE_LOG_LEVEL": "WARNING"}
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, story.get_absolute_url(), "/search/?q=dam",
         story.get_absolute_url()], env=env, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
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
    # The search's read on the kept connection (its health check first), then the story's on
    # a new connection: both refused in words, not waited on.
    assert [json.loads(line) for line in out.splitlines()] == [[503, "30"], [503, "30"]], log
    assert "Service Unavailable: /search/ (database: " in log
    assert "Traceback" not in log

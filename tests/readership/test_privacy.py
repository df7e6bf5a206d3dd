"""Nothing about a reader reaches the database or the logs through counting (issue 21,
point 2): no address, no cookie, no user agent; only the story, the hour and a number."""

import io
import logging

import pytest
from django.core.management import call_command

from dateline.readership import counting
from dateline.readership.beacon import BeaconFirst

pytestmark = pytest.mark.django_db
ADDRESS = "203.0.113.77"
FORWARDED = "198.51.100.23"
AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/131.0.0.0 Safari/537.36 PrivacyProbe/7.3")
COOKIE = "sessionid=probe-session-4242; tracker=probe-id-1717"
PERSONAL = (ADDRESS, FORWARDED, "PrivacyProbe", "probe-session-4242", "probe-id-1717")


@pytest.fixture
def every_log_line(caplog):
    caplog.set_level(logging.DEBUG)  # every logger, at every level
    return caplog


def database_text() -> str:
    out = io.StringIO()
    call_command("dumpdata", "--all", stdout=out)
    return out.getvalue()


def test_a_beacon_leaves_no_trace_of_its_reader(client, make_article, every_log_line):
    story = make_article()
    headers = {"User-Agent": AGENT, "Cookie": COOKIE, "X-Forwarded-For": FORWARDED}
    # Through Django (runserver, the access log middleware) ...
    answer = client.post(f"/r/view/{story.pk}", headers=headers, REMOTE_ADDR=ADDRESS)
    assert answer.status_code == 204 and not answer.cookies
    # ... and in front of it, as `dateline serve` answers it.
    environ = {"PATH_INFO": f"/r/view/{story.pk}", "REQUEST_METHOD": "POST",
               "REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT, "HTTP_COOKIE": COOKIE,
               "HTTP_X_FORWARDED_FOR": FORWARDED}
    headers_out = []
    BeaconFirst(None)(environ, lambda status, headers: headers_out.extend(headers))
    assert "Set-Cookie" not in dict(headers_out)
    assert counting.flush() == 1

    stored = database_text()
    assert f'"key": "{story.pk}"' in stored and '"count": 2' in stored  # the dump holds tallies
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in every_log_line.records)
    assert f"/r/view/{story.pk}" in logged  # the access log saw the request, and only its path
    for trace in PERSONAL:
        assert trace not in stored
        assert trace not in logged

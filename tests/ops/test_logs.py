"""Structured logs: one JSON object a line, with the request's fields on request logs."""

import io
import json
import logging
import sys
from datetime import UTC, datetime

import pytest
from django.test import RequestFactory

from dateline.ops.logs import ClientFault, JsonFormatter


def record(message: str, *args, name: str = "dateline.test", **extra) -> logging.LogRecord:
    entry = logging.LogRecord(name, logging.WARNING, __file__, 1, message, args, None)
    entry.__dict__.update(extra)
    return entry


def test_a_record_is_one_line_of_json_with_time_in_utc():
    line = JsonFormatter().format(record("hello %s", "world"))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "dateline.test"
    assert entry["message"] == "hello world"
    assert entry["time"].endswith("Z")
    stamp = datetime.fromisoformat(entry["time"])
    assert stamp.utcoffset().total_seconds() == 0
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 60


def test_request_fields_and_the_exception_as_a_string():
    try:
        raise ValueError("boom")
    except ValueError:
        exc_info = sys.exc_info()
    entry_record = record("GET /x 500", method="GET", path="/x", status=500,
                          duration_ms=12.5, exc_info=exc_info)
    line = JsonFormatter().format(entry_record)
    assert "\n" not in line
    entry = json.loads(line)
    assert (entry["method"], entry["path"], entry["status"], entry["duration_ms"]) == (
        "GET", "/x", 500, 12.5
    )
    assert entry["exception"].startswith("Traceback (most recent call last)")
    assert "ValueError: boom" in entry["exception"]


def test_djangos_request_records_give_their_request_and_status():
    request = RequestFactory().post("/desk/login/")
    entry = json.loads(JsonFormatter().format(
        record("Forbidden: %s", "/desk/login/", name="django.request", request=request,
               status_code=403)
    ))
    assert (entry["method"], entry["path"], entry["status"]) == ("POST", "/desk/login/", 403)
    assert "duration_ms" not in entry


@pytest.mark.django_db
def test_every_request_gets_an_access_line_probes_only_at_debug(client, make_article, caplog):
    article = make_article("Logged story")
    caplog.set_level(logging.DEBUG, logger="dateline.access")
    client.get(article.get_absolute_url())
    client.get("/healthz")
    page, probe = [r for r in caplog.records if r.name == "dateline.access"]
    assert page.levelno == logging.INFO
    assert probe.levelno == logging.DEBUG
    entry = json.loads(JsonFormatter().format(page))
    assert entry["message"].startswith(f"GET {article.get_absolute_url()} 200 ")
    assert (entry["method"], entry["path"], entry["status"]) == (
        "GET", article.get_absolute_url(), 200
    )
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0



@pytest.mark.django_db
def test_a_path_cannot_write_a_line_of_its_own_into_the_access_log(client, caplog):
    """The path arrives decoded: /zz%0AGET%20/desk/… wrote a forged 'GET /desk/ 200' line."""
    caplog.set_level(logging.INFO, logger="dateline.access")
    client.get("/zz%0D%0AGET%20/desk/%20200%201.0ms%20FORGED/gda%C5%84sk")
    (line,) = [r.getMessage() for r in caplog.records if r.name == "dateline.access"]
    assert line.startswith("GET /zz%0D%0AGET%20/desk/%20200%201.0ms%20FORGED/gda%C5%84sk 404 ")
    assert "\n" not in line and "\r" not in line


@pytest.fixture
def console():
    """What the configured console handler writes, while the test runs."""
    handler = next(h for h in logging.getLogger().handlers
                   if any(isinstance(f, ClientFault) for f in h.filters))
    written = io.StringIO()
    previous = handler.setStream(written)
    yield written
    handler.setStream(previous)


@pytest.mark.parametrize("request_kwargs", [
    {"path": "/", "HTTP_HOST": "evil.example"},  # django.security.DisallowedHost, an error
    {"path": "/websub/", "data": "&".join(f"k{i}=v" for i in range(2000)),  # TooManyFieldsSent
     "content_type": "application/x-www-form-urlencoded"},
    {"path": "/websub/", "data": b"--x", "content_type": "multipart/form-data"},  # no boundary
], ids=["unserved host", "too many fields", "broken multipart"])
def test_a_request_refused_for_what_its_client_sent_is_one_line_without_traceback(
        client, console, request_kwargs):
    method = client.post if "data" in request_kwargs else client.get
    response = method(**request_kwargs)
    assert response.status_code == 400
    lines = [line for line in console.getvalue().splitlines() if line.strip()]
    assert lines, "the refusal is logged"
    assert not any("Traceback" in line for line in lines), lines


def test_an_answer_of_500_or_a_record_of_no_request_keeps_its_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        exc_info = sys.exc_info()
    for extra in ({"status_code": 500}, {}):
        entry = record("failed", exc_info=exc_info, **extra)
        entry.levelno, entry.levelname = logging.ERROR, "ERROR"
        assert ClientFault().filter(entry)
        assert entry.exc_info is exc_info and entry.levelname == "ERROR"
    refused = record("refused", exc_info=exc_info, status_code=400)
    refused.levelno, refused.levelname = logging.ERROR, "ERROR"
    assert ClientFault().filter(refused)
    assert refused.exc_info is None and refused.levelname == "WARNING"

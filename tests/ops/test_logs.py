"""Structured logs: one JSON object a line, with the request's fields on request logs."""

import json
import logging
import sys
from datetime import UTC, datetime

import pytest
from django.test import RequestFactory

from dateline.ops.logs import JsonFormatter


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


def test_a_host_the_site_does_not_serve_is_one_warning_without_a_traceback(client, caplog):
    with caplog.at_level(logging.INFO):
        response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    refused = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert len(refused) == 1
    assert refused[0].levelno == logging.WARNING
    assert refused[0].exc_info is None
    assert "evil.example" in refused[0].getMessage()
    assert "Traceback" not in JsonFormatter().format(refused[0])

"""/metrics: what the middleware counts, who may read it, and several granian workers."""

import os
import re
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.checks import Tags, run_checks
from django.test import override_settings
from django.utils import timezone
from prometheus_client import REGISTRY

from dateline.newsroom.models import Article
from tests import prepared
from tests.live.server import free_port_pair

pytestmark = pytest.mark.django_db


def sample(name: str, route: str, method: str = "GET", status: str = "200") -> float:
    labels = {"route": route, "method": method, "status": status}
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_requests_are_counted_and_timed_by_route_name_not_path(client, make_article):
    first, second = make_article("First story"), make_article("Second story")
    before = sample("dateline_http_requests_total", "site:article")
    timed_before = sample("dateline_http_request_duration_seconds_count", "site:article")
    missing_before = sample("dateline_http_requests_total", "unresolved", status="404")
    assert client.get(first.get_absolute_url()).status_code == 200
    assert client.get(second.get_absolute_url()).status_code == 200
    assert client.get("/no-such-page/").status_code == 404
    assert sample("dateline_http_requests_total", "site:article") == before + 2
    assert sample("dateline_http_request_duration_seconds_count", "site:article") == (
        timed_before + 2
    )
    assert sample("dateline_http_requests_total", "unresolved", status="404") == (
        missing_before + 1
    )
    text = client.get("/metrics").content.decode()
    assert 'route="site:article"' in text
    assert first.get_absolute_url() not in text and "no-such-page" not in text


def test_metrics_serve_the_prometheus_text_with_the_published_count(client, make_article):
    make_article("Live")
    make_article("Live too")
    make_article("Draft", status=Article.Status.DRAFT)
    make_article("Embargoed", embargo_until=timezone.now() + timedelta(hours=2))
    response = client.get("/metrics")  # the test client comes from 127.0.0.1
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    assert "# TYPE dateline_http_requests_total counter" in text
    assert "# TYPE dateline_http_request_duration_seconds histogram" in text
    assert re.search(r"^dateline_articles_published 2\.0$", text, re.M)


def test_metrics_refuse_other_addresses(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 403
    assert b"dateline_" not in response.content


@override_settings(DATELINE_METRICS_TOKEN="s3cret-token")
def test_metrics_accept_the_bearer_token_from_anywhere(client):
    remote = {"REMOTE_ADDR": "203.0.113.5"}
    assert client.get("/metrics", **remote,
                      headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    assert client.get("/metrics", **remote,
                      headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", **remote,
                      headers={"Authorization": "Basic s3cret-token"}).status_code == 403


def test_an_empty_token_opens_nothing(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.5",
                          headers={"Authorization": "Bearer "})
    assert response.status_code == 403


@override_settings(DATELINE_METRICS_ALLOWED_IPS=["10.0.0.0/8", "2001:db8::1"])
def test_allowed_addresses_may_be_networks_ipv6_or_ipv4_mapped(client):
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::ffff:10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="2001:db8::1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


@override_settings(DATELINE_BEHIND_PROXY=True)
def test_behind_the_proxy_the_address_it_appended_decides(client):
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    # Everything reaches the app from the proxy on loopback; that alone must not open it.
    assert client.get("/metrics", **proxy,
                      HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403
    # A client claiming to be local: the proxy appended its real address last.
    assert client.get("/metrics", **proxy,
                      HTTP_X_FORWARDED_FOR="127.0.0.1, 203.0.113.9").status_code == 403
    assert client.get("/metrics", **proxy, HTTP_X_FORWARDED_FOR="::1").status_code == 200


@override_settings(DATELINE_METRICS_ALLOWED_IPS=["127.0.0.1", "not-an-address"])
def test_a_bad_allowed_address_is_a_system_check_error():
    errors = [e for e in run_checks(tags=[Tags.security]) if e.id == "dateline_ops.E001"]
    assert len(errors) == 1
    assert "not-an-address" in errors[0].msg


@pytest.mark.one_engine  # its own SQLite file
def ask_readyz(base: str, more) -> int:
    """Ask /readyz, which Django answers and counts (serve answers /healthz before it,
    uncounted), while `more(answered so far)` says so, for at most a minute: the count."""
    sent, deadline = 0, time.monotonic() + 60
    while more(sent) and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=5) as page:
                assert page.status == 200
            sent += 1
        except OSError:  # still starting
            time.sleep(0.2)
    return sent


def test_several_granian_workers_report_one_sum(tmp_path):
    """`dateline serve --workers 2` with PROMETHEUS_MULTIPROC_DIR: any worker reports all."""
    dateline = Path(sys.executable).parent / "dateline"
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    env = {**os.environ, "DATELINE_VAR_DIR": str(tmp_path), "DATELINE_DB_ENGINE": "sqlite",
           "DJANGO_SETTINGS_MODULE": "dateline.settings.dev",
           "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    env.pop("DATELINE_DB_NAME", None)
    prepared.migrate(env)
    # serve listens on port + 1 too (the stream): both below the ephemeral range, where a
    # client connection of the other suite's cannot hold the second meanwhile.
    port = free_port_pair()
    server = subprocess.Popen(
        [str(dateline), "serve", "--no-worker", "--workers", "2", "--threads", "2",
         "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # Until both workers have answered (each writes its own counter file when it first
        # counts a request), so that a scrape from either one must add up the other's.
        sent = ask_readyz(base, lambda sent: len(list(metrics_dir.glob("counter_*.db"))) < 2)
        assert len(list(metrics_dir.glob("counter_*.db"))) == 2
        with urllib.request.urlopen(f"{base}/metrics", timeout=10) as page:
            text = page.read().decode()
    finally:
        server.terminate()
        server.communicate(timeout=30)
    readyz = re.search(
        r'^dateline_http_requests_total\{method="GET",route="ops:readyz",status="200"\} (\S+)$',
        text, re.M,
    )
    assert readyz is not None, text
    assert float(readyz.group(1)) == sent
    assert re.search(r"^dateline_articles_published 0\.0$", text, re.M)


def test_serve_adds_up_its_workers_metrics_without_being_told_where(tmp_path):
    """Under `make run` (no PROMETHEUS_MULTIPROC_DIR, which only the systemd unit set), each
    scrape reported one worker's counters: 5, 6, 4, 5 for a count that only grows."""
    dateline = Path(sys.executable).parent / "dateline"
    env = {**os.environ, "DATELINE_VAR_DIR": str(tmp_path), "DATELINE_DB_ENGINE": "sqlite",
           "DJANGO_SETTINGS_MODULE": "dateline.settings.dev"}
    env.pop("DATELINE_DB_NAME", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    prepared.migrate(env)
    port = free_port_pair()
    server = subprocess.Popen(
        [str(dateline), "serve", "--no-worker", "--no-live", "--workers", "2", "--threads", "2",
         "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    seen = []
    try:
        sent = ask_readyz(base, lambda sent: sent < 30)
        for _ in range(6):  # new connections: either worker answers each
            with urllib.request.urlopen(f"{base}/metrics", timeout=10) as page:
                found = re.search(r'^dateline_http_requests_total\{method="GET",'
                                  r'route="ops:readyz",status="200"\} (\S+)$',
                                  page.read().decode(), re.M)
            seen.append(float(found.group(1)) if found else 0.0)
    finally:
        server.terminate()
        server.communicate(timeout=30)
    assert sent == 30
    assert seen == [30.0] * 6


@override_settings(USE_THOUSAND_SEPARATOR=True)
def test_grouped_numbers_are_a_system_check_error():
    from django.core.checks import registry

    from dateline.ops.checks import numbers_never_grouped

    assert numbers_never_grouped in registry.registry.get_checks()
    errors = numbers_never_grouped(None)
    assert [e.id for e in errors] == ["dateline_ops.E002"] and "12,345" in errors[0].msg


def test_the_settings_as_shipped_pass_that_check():
    from dateline.ops.checks import numbers_never_grouped

    assert numbers_never_grouped(None) == []

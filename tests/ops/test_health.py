"""Liveness and readiness, against the real database and cache, and with each one broken."""

import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings


def closed_port() -> int:
    """A loopback port nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthz_answers_ok_without_touching_the_database(client):
    # No django_db mark: any database access here would fail the test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_names_every_check_when_ready(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "migrations": "ok"},
        "failed": [],
    }
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_503_naming_the_cache_when_redis_is_unreachable(client, caplog):
    unreachable = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
    }
    with override_settings(CACHES={**settings.CACHES, "default": unreachable}):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["cache"]
    assert body["checks"]["cache"] == "failed: ConnectionError"
    assert body["checks"]["database"] == body["checks"]["migrations"] == "ok"
    assert "no-store" in response["Cache-Control"]
    # Said once, as a warning with the reason; never as an error of the request.
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    warnings = [r.getMessage() for r in caplog.records if r.name == "dateline.ops.views"]
    assert len(warnings) == 1
    assert "cache" in warnings[0] and "Connection refused" in warnings[0]


@pytest.mark.django_db
def test_readyz_is_503_while_a_migration_is_unapplied(client):
    app, name = next(
        node for node in MigrationLoader(connection).graph.leaf_nodes() if node[0] == "newsroom"
    )
    MigrationRecorder(connection).record_unapplied(app, name)  # rolled back after the test
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["migrations"]
    assert body["checks"]["migrations"] == f"failed: 1 unapplied: {app}.{name}"


def test_readyz_is_503_naming_the_database_when_it_is_unreachable(tmp_path):
    """A process whose PostgreSQL is down: not ready, and no error logged for the request."""
    script = textwrap.dedent("""
        import django, json
        django.setup()
        from django.test import Client
        response = Client().get("/readyz")
        print(json.dumps({"status": response.status_code, "body": response.json()}))
    """)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dateline.settings.test",
           "DATELINE_DB_ENGINE": "postgresql", "DATELINE_DB_HOST": "127.0.0.1",
           "DATELINE_DB_PORT": str(closed_port()), "DATELINE_VAR_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["status"] == 503
    assert answer["body"]["failed"] == ["database", "migrations"]
    assert answer["body"]["checks"]["database"] == "failed: OperationalError"
    assert answer["body"]["checks"]["cache"] == "ok"
    assert "Not ready: database: OperationalError" in result.stderr
    assert "Service Unavailable" not in result.stderr  # django.request's error line


@pytest.mark.cache
@pytest.mark.django_db
def test_readyz_round_trips_through_the_real_redis_and_leaves_no_keys(client):
    if not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        pytest.skip("set DATELINE_REDIS_URL (make test-redis) to run against Redis")
    import redis

    server = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    assert server.ping()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["cache"] == "ok"
    assert server.keys("*dateline:ops:readyz:*") == []
    # And the probe went through Redis, not a process-local stand-in.
    caches["default"].set("ops-test", "seen", 30)
    assert server.keys("*ops-test") != []

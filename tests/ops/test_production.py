"""Production settings from the environment, and the deploy/ files that run them."""

import json
import os
import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
# Settings modules production loads; each variable they read must be in deploy/env.example.
PRODUCTION_SETTINGS = [ROOT / "dateline/settings/base.py", ROOT / "dateline/settings/prod.py",
                       ROOT / "dateline/db/config.py"]

SHOW_SETTINGS = textwrap.dedent("""
    import django, json
    django.setup()
    from django.conf import settings
    from django.test import Client
    client = Client(raise_request_exception=False)
    plain, probe = client.get("/media/x"), client.get("/healthz")
    secure = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    print(json.dumps({
        "caches": settings.CACHES, "databases": settings.DATABASES,
        "routers": settings.DATABASE_ROUTERS, "replicas": settings.DATELINE_DB_REPLICAS,
        "proxy_header": settings.SECURE_PROXY_SSL_HEADER,
        "secure_cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
        "plain": [plain.status_code, plain.get("Location")], "probe": probe.status_code,
        "hsts": secure.get("Strict-Transport-Security"),
    }))
""")


def run_production(tmp_path, **variables) -> subprocess.CompletedProcess:
    (tmp_path / "static").mkdir(exist_ok=True)  # what collectstatic would have made
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATELINE_", "PROMETHEUS_", "DJANGO_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "dateline.settings.prod",
                "DATELINE_VAR_DIR": str(tmp_path),
                "DATELINE_SECRET_KEY": "a-long-random-production-key-" * 2,
                "DATELINE_ALLOWED_HOSTS": "testserver",
                "DATELINE_NEWSDESK_EMAIL": "desk@news.test",
                "DATELINE_SITE_URL": "https://news.test", **variables})
    return subprocess.run([sys.executable, "-c", SHOW_SETTINGS], env=env, capture_output=True,
                          text=True, timeout=60, check=False)


def test_behind_the_proxy_https_hsts_redis_and_json_logs(tmp_path):
    result = run_production(tmp_path, DATELINE_BEHIND_PROXY="1", DATELINE_HSTS_SECONDS="3600",
                            DATELINE_REDIS_URL="redis://cache.internal:6379/1",
                            DATELINE_DB_CONN_MAX_AGE="120")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert shown["secure_cookies"] == [True, True]
    assert shown["plain"] == [301, "https://testserver/media/x"]
    assert shown["probe"] == 200  # probes may use plain HTTP on the app server
    assert shown["hsts"] == "max-age=3600"
    assert shown["databases"]["default"]["CONN_MAX_AGE"] == 120
    for alias in ("default", "pages"):
        cache = shown["caches"][alias]
        assert cache["BACKEND"] == "dateline.base.sharedcache.RedisCache"
        assert cache["LOCATION"] == "redis://cache.internal:6379/1"
        assert cache["KEY_PREFIX"] == alias
    assert shown["caches"]["pages"]["TIMEOUT"] is None  # the page cache expires pages itself
    # Every line on stderr is one JSON object; the redirect was logged as a request.
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    access = [e for e in lines if e["logger"] == "dateline.access"]
    assert [(e["method"], e["path"], e["status"]) for e in access] == [("GET", "/media/x", 301)]
    assert access[0]["level"] == "INFO" and access[0]["time"].endswith("Z")


def test_read_replicas_inherit_the_primarys_settings_and_get_the_router(tmp_path):
    result = run_production(tmp_path, DATELINE_DB_ENGINE="postgresql",
                            DATELINE_DB_HOST="db-primary",
                            DATELINE_DB_REPLICA_HOSTS="db-replica-1,db-replica-2:5433")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    databases = shown["databases"]
    assert sorted(databases) == ["default", "replica1", "replica2"]
    assert shown["replicas"] == ["replica1", "replica2"]
    assert shown["routers"] == ["dateline.db.routers.PrimaryReplicaRouter"]
    assert (databases["replica2"]["HOST"], databases["replica2"]["PORT"]) == (
        "db-replica-2", "5433"
    )
    for alias in databases:
        assert databases[alias]["CONN_MAX_AGE"] == 60
    # A replica that does not answer is given up sooner: readers then use the primary.
    assert [databases[alias]["OPTIONS"]["connect_timeout"] for alias in sorted(databases)] == [
        5, 2, 2
    ]
    # Without DATELINE_REDIS_URL the caches stay those of base.py; without a proxy to say a
    # request came over HTTPS, no redirect (it would loop).
    assert shown["caches"]["default"]["BACKEND"].endswith("LocMemCache")
    assert shown["proxy_header"] is None
    assert shown["plain"][0] != 301


def test_the_operator_sets_how_long_a_new_connection_may_take(tmp_path):
    result = run_production(tmp_path, DATELINE_DB_ENGINE="postgresql",
                            DATELINE_DB_CONNECT_TIMEOUT="10", DATELINE_DB_REPLICA_HOSTS="db-2")
    assert result.returncode == 0, result.stderr
    databases = json.loads(result.stdout)["databases"]
    # The replica's stays the shorter: readers then go to the primary sooner.
    assert [databases[alias]["OPTIONS"]["connect_timeout"] for alias in sorted(databases)] == [
        10, 2
    ]


def test_a_missing_secret_key_is_refused(tmp_path):
    result = run_production(tmp_path, DATELINE_SECRET_KEY="")
    assert result.returncode != 0
    assert "Set DATELINE_SECRET_KEY" in result.stderr


def test_the_example_news_desk_address_is_refused(tmp_path):
    """The report terms told readers to write to newsdesk@example.org to withdraw a report."""
    result = run_production(tmp_path, DATELINE_NEWSDESK_EMAIL="newsdesk@example.org")
    assert result.returncode != 0
    assert "Set DATELINE_NEWSDESK_EMAIL" in result.stderr


@pytest.mark.parametrize("origin", ["", "http://127.0.0.1:8000", "https://localhost"])
def test_a_site_url_that_is_no_public_origin_is_refused(tmp_path, origin):
    """Feed GUIDs and partners' ninjs uri are on it: the default named every story as
    http://127.0.0.1:8000/articles/…, to every partner."""
    result = run_production(tmp_path, DATELINE_SITE_URL=origin)
    assert result.returncode != 0
    assert "Set DATELINE_SITE_URL" in result.stderr


def test_env_example_lists_every_variable_the_production_settings_read():
    read = set()
    for path in PRODUCTION_SETTINGS:
        text = path.read_text()
        read |= set(re.findall(r'os\.environ(?:\.get\(|\[)\s*"(\w+)"', text))
        # and through dateline.base.environment's readers (whole_number("NAME", ...))
        read |= set(re.findall(
            r"\b(?:whole_number|number|one_of|time_zone|clock_time|log_level)\(\s*['\"](\w+)['\"]",
            text))
    assert {"DATELINE_REDIS_URL", "DATELINE_SITE_TAGLINE", "DATELINE_SQLITE_MMAP_MB",
            "DATELINE_PAGE_CACHE_TIMEOUT"} <= read
    listed = set(re.findall(r"^#?(\w+)=", (DEPLOY / "env.example").read_text(), re.M))
    assert read - listed == set()


def unit(name: str) -> dict[str, list[str]]:
    """The [Service] settings of a systemd unit, each with every value it is given."""
    settings: dict[str, list[str]] = {}
    section = ""
    for line in (DEPLOY / name).read_text().splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif section == "Service" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    return settings


def parse_exec_start(service: dict[str, list[str]]) -> tuple[str, object]:
    """Parse ExecStart with the real command's own argument parser."""
    program, name, *args = shlex.split(service["ExecStart"][0])
    assert program.endswith("/.venv/bin/dateline")
    command = load_command_class(get_commands()[name], name)
    return name, command.create_parser("dateline", name).parse_args(args)


def test_the_web_unit_runs_several_workers_without_the_background_worker():
    service = unit("dateline-web.service")
    name, options = parse_exec_start(service)
    assert name == "serve" and options.no_worker and options.workers > 1
    # The metrics folder is one systemd creates empty at each start.
    runtime = service["RuntimeDirectory"][0]
    assert f"PROMETHEUS_MULTIPROC_DIR=/run/{runtime}" in service["Environment"]


def test_the_worker_unit_runs_the_booking_worker_every_second():
    # `dateline worker` runs every queue; tests/ops/test_deploy_units.py proves it books the
    # morning edition.
    name, options = parse_exec_start(unit("dateline-worker.service"))
    assert name == "worker"
    assert options.interval == 1 and not options.batch


def test_both_units_run_production_settings_as_a_confined_user():
    for name in ("dateline-web.service", "dateline-worker.service"):
        service = unit(name)
        assert service["User"] == ["dateline"]
        assert service["EnvironmentFile"] == ["/etc/dateline/env"]
        assert "DJANGO_SETTINGS_MODULE=dateline.settings.prod" in service["Environment"]
        assert service["Restart"] == ["always"]
        assert service["NoNewPrivileges"] == ["yes"]
        assert service["ProtectSystem"] == ["strict"]

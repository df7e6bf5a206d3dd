"""The read-replica router, with two database aliases on the one test database."""

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from dateline.db.config import replica_databases_from_env
from dateline.db.routers import PrimaryReplicaRouter
from dateline.newsroom.models import Article

# Transactional, so that what is written on the primary is committed and the replica's own
# connection sees it, as a streaming replica would.
two_databases = pytest.mark.django_db(databases=["default", "replica"], transaction=True)


@pytest.fixture
def router():
    with override_settings(
        DATABASE_ROUTERS=["dateline.db.routers.PrimaryReplicaRouter"],
        DATELINE_DB_REPLICAS=["replica"],
    ):
        yield PrimaryReplicaRouter()


@two_databases
def test_reads_go_to_the_replica_and_writes_and_migrations_to_the_primary(router):
    assert router.db_for_read(Article) == "replica"
    assert router.db_for_write(Article) == "default"
    assert router.allow_migrate("default", "newsroom", "article") is True
    assert router.allow_migrate("replica", "newsroom", "article") is False


@two_databases
def test_inside_a_transaction_on_the_primary_reads_stay_there(router):
    with transaction.atomic():
        assert router.db_for_read(Article) == "default"
    assert router.db_for_read(Article) == "replica"


@two_databases
def test_sessions_and_the_task_queue_are_read_from_the_primary(router):
    from django_tasks_db.models import DBTaskResult

    assert router.db_for_read(Session) == "default"
    assert router.db_for_read(DBTaskResult) == "default"


@two_databases
def test_reads_are_spread_over_every_replica():
    # Two aliases that answer (the primary stands in for a second replica).
    with override_settings(DATELINE_DB_REPLICAS=["replica", "default"]):
        chosen = {PrimaryReplicaRouter().db_for_read(Article) for _ in range(200)}
    assert chosen == {"replica", "default"}


def test_without_replicas_everything_is_on_the_primary():
    with override_settings(DATELINE_DB_REPLICAS=[]):
        assert PrimaryReplicaRouter().db_for_read(Article) == "default"


@two_databases
def test_objects_from_the_primary_and_a_replica_may_be_related(router, make_article, make_tag):
    article = make_article()
    from_replica = Article.objects.get(pk=article.pk)
    assert from_replica._state.db == "replica"
    tag = make_tag("Cocoa")
    assert router.allow_relation(from_replica, tag) is True
    from_replica.tags.add(tag)
    assert list(Article.objects.using("default").get(pk=article.pk).tags.all()) == [tag]
    tag._state.db = "elsewhere"
    assert router.allow_relation(from_replica, tag) is None


@two_databases
def test_an_orm_read_runs_on_the_replica_and_a_write_on_the_primary(router, make_section):
    section = make_section("World")
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        article = Article.objects.create(headline="Routed", body="<p>x</p>", section=section)
    assert any(q["sql"].startswith("INSERT") for q in primary.captured_queries)
    # (Receivers of post_save may read, and do so on the replica; nothing is written there.)
    assert not [q for q in replica.captured_queries if not q["sql"].startswith("SELECT")]

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        assert Article.objects.get(pk=article.pk).headline == "Routed"
    assert primary.captured_queries == []
    assert len(replica.captured_queries) == 1
    assert '"newsroom_article"' in replica.captured_queries[0]["sql"]

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
        transaction.atomic(),
    ):
        Article.objects.filter(pk=article.pk).update(headline="Rewritten")
        assert Article.objects.get(pk=article.pk).headline == "Rewritten"
    assert replica.captured_queries == []
    assert any(q["sql"].startswith("SELECT") for q in primary.captured_queries)


PRIMARY = {
    "ENGINE": "django.db.backends.postgresql", "NAME": "dateline", "USER": "dateline",
    "PASSWORD": "s3cret", "HOST": "db-primary", "PORT": "5432", "OPTIONS": {"sslmode": "require"},
}


def test_replicas_come_from_the_environment(monkeypatch):
    monkeypatch.setenv(
        "DATELINE_DB_REPLICA_HOSTS", "db-replica-1, db-replica-2:5433,[fd00::7]:6432"
    )
    databases, aliases = replica_databases_from_env(PRIMARY)
    assert aliases == ["replica1", "replica2", "replica3"]
    assert [(d["HOST"], d["PORT"]) for d in databases.values()] == [
        ("db-replica-1", "5432"), ("db-replica-2", "5433"), ("fd00::7", "6432")
    ]
    for database in databases.values():
        assert {k: database[k] for k in ("ENGINE", "NAME", "USER", "PASSWORD")} == {
            k: PRIMARY[k] for k in ("ENGINE", "NAME", "USER", "PASSWORD")
        }
        # The primary's options, with a short connect timeout: readers fall back sooner.
        assert database["OPTIONS"] == {**PRIMARY["OPTIONS"], "connect_timeout": 2}
        assert database["TEST"] == {"MIRROR": "default"}
    assert "connect_timeout" not in PRIMARY["OPTIONS"]


def test_a_replica_connect_timeout_is_never_longer_than_the_primarys(monkeypatch):
    monkeypatch.setenv("DATELINE_DB_REPLICA_HOSTS", "db-replica")
    for primary_timeout, replica_timeout in ((5, 2), (1, 1)):
        primary = {**PRIMARY, "OPTIONS": {"connect_timeout": primary_timeout}}
        databases, _ = replica_databases_from_env(primary)
        assert databases["replica1"]["OPTIONS"]["connect_timeout"] == replica_timeout


def test_no_replica_hosts_means_no_replicas(monkeypatch):
    monkeypatch.delenv("DATELINE_DB_REPLICA_HOSTS", raising=False)
    assert replica_databases_from_env(PRIMARY) == ({}, [])
    monkeypatch.setenv("DATELINE_DB_REPLICA_HOSTS", " , ")
    assert replica_databases_from_env(PRIMARY) == ({}, [])


@pytest.mark.parametrize(
    ("hosts", "primary", "message"),
    [
        ("db-replica:abc", PRIMARY, "'db-replica:abc' is not host\\[:port\\]"),
        (":5432", PRIMARY, "':5432' is not host"),
        ("db-replica", {"ENGINE": "django.db.backends.sqlite3"}, "DATELINE_DB_ENGINE=postgresql"),
    ],
)
def test_bad_replica_settings_are_refused_with_the_reason(monkeypatch, hosts, primary, message):
    monkeypatch.setenv("DATELINE_DB_REPLICA_HOSTS", hosts)
    with pytest.raises(ImproperlyConfigured, match=message):
        replica_databases_from_env(primary)

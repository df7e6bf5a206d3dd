"""Which replica serves reads, and when a write waits for the replicas, within one process.

The test database stands in for the replica here (its "replica" alias mirrors it);
test_replica.py does the same against a real streaming replica.
"""

import logging
import time

import pytest
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import override_settings

from dateline.db import replicas
from dateline.db.routers import PrimaryReplicaRouter
from dateline.newsroom.models import Article

two_databases = pytest.mark.django_db(databases=["default", "replica"], transaction=True)


@pytest.fixture
def router():
    replicas._resting.clear()
    with override_settings(
        DATABASE_ROUTERS=["dateline.db.routers.PrimaryReplicaRouter"],
        DATELINE_DB_REPLICAS=["replica"],
        # Long enough that no stall of a busy machine ends a rest within a test.
        DATELINE_DB_REPLICA_REST_SECONDS=30,
    ):
        yield PrimaryReplicaRouter()
    replicas._resting.clear()
    wrappers = connections["default"].execute_wrappers
    if replicas.after_writes in wrappers:
        wrappers.remove(replicas.after_writes)


@pytest.fixture
def refusing_replica(tmp_path):
    """The replica alias pointed where no database answers."""
    connection = connections["replica"]
    # Dropped even when it is SQLite's shared in-memory test database, which close() keeps
    # open (the default alias keeps the database itself alive).
    BaseDatabaseWrapper.close(connection)
    saved = connection.settings_dict
    if connection.vendor == "postgresql":
        nowhere = {"HOST": "127.0.0.1", "PORT": "1"}  # a port nothing listens on
    else:
        nowhere = {"NAME": str(tmp_path / "missing-folder" / "db.sqlite3")}
    connection.settings_dict = {**saved, **nowhere}
    yield
    connection.close()
    connection.settings_dict = saved


@two_databases
def test_a_replica_that_refuses_connections_rests_and_reads_go_to_the_primary(
    router, refusing_replica, make_article, caplog
):
    article = make_article("Served all the same")
    with caplog.at_level(logging.WARNING, logger="dateline.db.replicas"):
        assert Article.objects.get(pk=article.pk).headline == "Served all the same"
    assert "read replica replica is unreachable (" in caplog.text
    assert router.db_for_read(Article) == "default"
    assert "replica" not in replicas.in_rotation(["replica"])


@two_databases
def test_a_resting_replica_is_tried_again_once_its_rest_is_over(router):
    assert router.db_for_read(Article) == "replica"
    replicas.rest("replica", "stopped for the test")
    assert router.db_for_read(Article) == "default"
    replicas._resting["replica"] = time.monotonic() - 0.001  # its rest is over
    assert router.db_for_read(Article) == "replica"
    assert replicas._resting == {}


@two_databases
def test_a_write_waits_for_the_replicas_before_any_other_on_commit_hook(router, make_section):
    section = make_section("World")
    with transaction.atomic():
        Article.objects.create(headline="In order", body="<p>x</p>", section=section)
        Article.objects.filter(headline="In order").update(headline="Still in order")
        hooks = [hook[1] for hook in connections["default"].run_on_commit]
    # Once, and first: the page cache's, the search cache's and the live stream's hooks,
    # registered by the receivers of the save, run after the replicas have the change.
    assert hooks[0] is replicas.wait_for_replicas
    assert hooks.count(replicas.wait_for_replicas) == 1
    assert len(hooks) > 1


@two_databases
def test_without_replicas_writes_wait_for_nothing(make_section):
    with override_settings(DATELINE_DB_REPLICAS=[]):
        replicas.watch_writes()
        try:
            with transaction.atomic():
                make_section("World")
                hooks = [hook[1] for hook in connections["default"].run_on_commit]
        finally:
            connections["default"].execute_wrappers.remove(replicas.after_writes)
    assert replicas.wait_for_replicas not in hooks


@two_databases
def test_writes_to_sessions_wait_for_no_replica(router):
    from django.contrib.sessions.backends.db import SessionStore

    # Sessions (and the task queue) are read only from the primary.
    replicas.watch_writes()
    with transaction.atomic():
        SessionStore().create()
        hooks = [hook[1] for hook in connections["default"].run_on_commit]
    assert replicas.wait_for_replicas not in hooks

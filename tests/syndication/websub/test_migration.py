"""Moving WebSub from live to syndication keeps a running site's subscribers and booked pushes.

The database is taken back to the state the previous release left (WebSub in `live`), filled
there through that state's models, and migrated forward as `dateline migrate` would.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dateline.syndication.websub.distribution import distribute_pending
from dateline.syndication.websub.models import Intent, Subscription
from tests.newsroom.test_scheduling import run_worker

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVE = [("live", "0002_websub"), ("syndication", "0001_initial")]
OLD_PATH = "dateline.live.websub.tasks.distribute_pending"


def migrate(targets=None):
    """Migrate to the targets (all the latest by default); the state's apps once there."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()  # what is applied now, for the next executor
    return executor.loader.project_state(targets).apps


def fill_as_the_previous_release(old_apps) -> dict:
    """A subscriber, a waiting request, a group allowed to see them and two tasks, as before."""
    expires = timezone.now() + timedelta(days=3)
    subscription = old_apps.get_model("live", "Subscription").objects.create(
        topic="http://testserver/feeds/rss/", topic_path="/feeds/rss/",
        callback="https://partner.example/push", callback_host="partner.example",
        secret="s3cret", lease_seconds=3 * 86400, identity="f" * 64, expires_at=expires,
        changes_pending=2, attempts=1, last_error="the callback answered 503",
        next_attempt_at=expires,  # not due: the worker below makes no request to the callback
    )
    old_apps.get_model("live", "Intent").objects.create(
        mode="subscribe", topic="http://testserver/feeds/atom/", topic_path="/feeds/atom/",
        callback="https://other.example/push", callback_host="other.example", lease_seconds=3600,
    )
    content_type, _ = ContentType.objects.get_or_create(app_label="live", model="subscription")
    permission = content_type.permission_set.get_or_create(
        codename="view_subscription", defaults={"name": "Can view WebSub subscription"})[0]
    group = Group.objects.create(name="Partner desk")
    group.permissions.add(permission)
    booked = distribute_pending.enqueue()  # the queue's row, then given the old path
    finished = distribute_pending.enqueue()
    DBTaskResult.objects.filter(pk=booked.id).update(task_path=OLD_PATH)
    DBTaskResult.objects.filter(pk=finished.id).update(
        task_path=OLD_PATH, status=TaskResultStatus.SUCCESSFUL)
    return {"subscription": subscription.pk, "expires": expires, "content_type": content_type.pk,
            "booked": booked.id, "finished": finished.id}


def test_migrating_an_existing_site_keeps_subscribers_permissions_and_booked_tasks():
    before = fill_as_the_previous_release(migrate(BEFORE_THE_MOVE))
    migrate()

    kept = Subscription.objects.get(pk=before["subscription"])
    assert (kept.callback, kept.secret, kept.changes_pending, kept.attempts, kept.expires_at,
            kept.next_attempt_at) == (
        "https://partner.example/push", "s3cret", 2, 1, before["expires"], before["expires"])
    assert Subscription._meta.app_label == "syndication"
    assert Subscription.objects.current().count() == 1
    assert Intent.objects.get().callback_host == "other.example"

    # The content type moved with its permissions, so the group still holds them.
    moved = ContentType.objects.get(pk=before["content_type"])
    assert (moved.app_label, moved.model) == ("syndication", "subscription")
    assert Group.objects.get(name="Partner desk").permissions.filter(
        content_type=moved, codename="view_subscription").exists()

    booked = DBTaskResult.objects.get(pk=before["booked"])
    # Rewritten twice: here by 0002, then beside its work by 0005.
    assert booked.task_path == distribute_pending.module_path
    assert booked.task_path == "dateline.syndication.websub.distribution.distribute_pending"
    finished = DBTaskResult.objects.get(pk=before["finished"])
    assert finished.task_path == OLD_PATH  # history, left as it happened
    run_worker()  # the rewritten booking imports and runs
    booked.refresh_from_db()
    assert booked.status == TaskResultStatus.SUCCESSFUL


def test_the_tables_keep_their_names():
    tables = connection.introspection.table_names()
    assert {"live_subscription", "live_intent"} <= set(tables)
    assert not {"syndication_subscription", "syndication_intent"} & set(tables)

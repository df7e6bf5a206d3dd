"""Moving the scheduler's tasks beside their actions keeps the tasks a running site has booked.

The database is taken back to the state before the move, a task is booked there under each old
path (as the previous release booked them), and the database is migrated forward as
`dateline migrate` would: the worker then finds and runs them.
"""

from datetime import timedelta

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from dateline.newsroom.actions import release_due_articles, release_embargo
from dateline.newsroom.models import Article, AuditEntry
from tests.newsroom.test_scheduling import run_worker
from tests.syndication.websub.test_migration import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_THE_MOVE = [("newsroom", "0020_articlenote_sent_with")]
OLD = "dateline.newsroom.tasks."


def booked_under_the_old_path(task, *args, status=TaskResultStatus.READY) -> int:
    result = task.enqueue(*args)
    DBTaskResult.objects.filter(pk=result.id).update(
        task_path=OLD + task.name, status=status)
    return result.id


def test_tasks_booked_under_the_old_paths_are_rewritten_and_run(make_article):
    migrate(BEFORE_THE_MOVE)
    due = make_article(status=Article.Status.SCHEDULED,
                       scheduled_for=timezone.now() - timedelta(minutes=1))
    ended = make_article(embargo_until=timezone.now() - timedelta(seconds=1))
    release = booked_under_the_old_path(release_due_articles)
    embargo = booked_under_the_old_path(release_embargo, ended.pk)
    done = booked_under_the_old_path(release_due_articles, status=TaskResultStatus.SUCCESSFUL)

    migrate()

    assert DBTaskResult.objects.get(pk=release).task_path == release_due_articles.module_path
    assert DBTaskResult.objects.get(pk=embargo).task_path == release_embargo.module_path
    assert DBTaskResult.objects.get(pk=done).task_path == OLD + "release_due_articles"  # history
    run_worker()
    assert set(DBTaskResult.objects.filter(pk__in=[release, embargo]).values_list(
        "status", flat=True)) == {TaskResultStatus.SUCCESSFUL}
    due.refresh_from_db()
    assert due.status == Article.Status.PUBLISHED
    assert AuditEntry.objects.filter(article=ended, action="embargo_lifted").count() == 1


def test_migrating_back_gives_the_old_paths_again(make_article):
    booked = release_due_articles.enqueue()
    migrate(BEFORE_THE_MOVE)
    assert DBTaskResult.objects.get(pk=booked.id).task_path == OLD + "release_due_articles"
    migrate()
    assert DBTaskResult.objects.get(pk=booked.id).task_path == release_due_articles.module_path

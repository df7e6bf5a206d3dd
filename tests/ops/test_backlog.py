"""The desk's front page and /metrics say when the background worker is behind on the work
readers wait for, and leave the archive's bulk analysis out (dateline/ops/backlog.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from django_tasks_db.models import DBTaskResult

from dateline.intelligence.tasks import analyse_stories
from dateline.newsroom.actions import release_due_articles
from dateline.ops import metrics

pytestmark = pytest.mark.django_db


def enqueued(task, *args, minutes_ago: float, **options) -> DBTaskResult:
    result = (task.using(**options) if options else task).enqueue(*args)
    row = DBTaskResult.objects.get(pk=result.id)
    row.enqueued_at = timezone.now() - timedelta(minutes=minutes_ago)
    row.save(update_fields=["enqueued_at"])
    return row


def said_since(moment) -> str:
    """The time a notice names: with the day when it was not today (near midnight too)."""
    local = timezone.localtime(moment)
    return date_format(local, "H:i" if local.date() == timezone.localdate() else "j F, H:i")


def front_page(make_user, desk_client) -> str:
    return desk_client(make_user("Reporter")).get("/desk/").content.decode()


def gauges() -> dict[str, float]:
    text = metrics.exposition()[0].decode()
    return {name: float(value) for name, value in
            (line.split() for line in text.splitlines()
             if line.startswith(("dateline_tasks_waiting ", "dateline_tasks_waited_seconds ")))}


def test_a_worker_behind_on_scheduled_publishing_is_told_on_the_desk_and_in_metrics(
        make_user, desk_client):
    row = enqueued(release_due_articles, minutes_ago=5)
    enqueued(release_due_articles, minutes_ago=1)
    page = front_page(make_user, desk_client)
    since = said_since(row.enqueued_at)
    assert f"The background worker is behind: 2 tasks have waited since {since}" in page
    figures = gauges()
    assert figures["dateline_tasks_waiting"] == 2
    assert 300 <= figures["dateline_tasks_waited_seconds"] < 330


def test_work_due_a_moment_ago_is_no_news(make_user, desk_client):
    enqueued(release_due_articles, minutes_ago=0.5)
    assert "background worker is behind" not in front_page(make_user, desk_client)
    assert gauges()["dateline_tasks_waiting"] == 1


def test_an_imports_bulk_analysis_waiting_for_hours_is_left_out(make_user, desk_client):
    enqueued(analyse_stories, [1, 2, 3], minutes_ago=180)
    assert "background worker is behind" not in front_page(make_user, desk_client)
    assert gauges() == {"dateline_tasks_waiting": 0, "dateline_tasks_waited_seconds": 0}


def test_a_task_to_run_later_is_due_from_its_time_not_its_enqueueing(make_user, desk_client):
    due = timezone.now() - timedelta(minutes=3)
    enqueued(release_due_articles, minutes_ago=600, run_after=due)
    enqueued(release_due_articles, minutes_ago=600, run_after=timezone.now() + timedelta(hours=1))
    page = front_page(make_user, desk_client)
    since = said_since(due)
    assert f"The background worker is behind: 1 task has waited since {since}" in page
    assert gauges()["dateline_tasks_waiting"] == 1


def test_a_wait_since_another_day_names_the_day(make_user, desk_client):
    row = enqueued(release_due_articles, minutes_ago=60 * 30)
    since = date_format(timezone.localtime(row.enqueued_at), "j F, H:i")
    assert f"1 task has waited since {since} " in front_page(make_user, desk_client)

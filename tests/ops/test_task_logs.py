"""The worker's log: a task that fails is there with its traceback; the start and end of every
task that does its work are not (Django logs both at INFO, hundreds of lines an hour)."""

import logging

import pytest
from django.tasks import task
from django_tasks_db.management.commands.db_worker import Command as DBWorker
from django_tasks_db.management.commands.db_worker import Worker

from dateline.ops.management.commands.worker import task_logging

pytestmark = pytest.mark.django_db(transaction=True)


@task
def does_its_work() -> int:
    return 1


@task
def breaks() -> None:
    raise RuntimeError("the feed answered nonsense")


@pytest.fixture(autouse=True)
def worker_logging():
    """Logging as `dateline worker` sets it (serve starts it so, verbosity 1), put back after."""
    loggers = [logging.getLogger(name) for name in ("django.tasks", "django_tasks_db")]
    levels = [logger.level for logger in loggers]
    task_logging(DBWorker(), verbosity=1)
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def run_worker() -> None:
    Worker(queue_names=["*"], interval=0, batch=True, backend_name="default",
           startup_delay=False, max_tasks=None, worker_id="test",
           excluded_queue_names=[]).run()


def task_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "django.tasks"]


def test_a_task_that_does_its_work_leaves_no_line(caplog):
    result = does_its_work.enqueue()
    run_worker()
    result.refresh()
    assert result.return_value == 1
    assert task_records(caplog) == []


def test_a_failed_task_is_logged_as_an_error_with_its_traceback(caplog):
    result = breaks.enqueue()
    run_worker()
    result.refresh()
    assert result.status == "FAILED"
    [record] = task_records(caplog)
    assert record.levelno == logging.ERROR
    assert "breaks" in record.getMessage()
    assert "the feed answered nonsense" in caplog.text

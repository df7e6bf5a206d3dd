"""One stop heard twice at once (Ctrl+C reaches the whole group, then serve sends TERM; systemd
signals every process of a unit) lets the running task finish; a later second one forces."""

import signal

import pytest
from django_tasks_db.management.commands.db_worker import Worker

from dateline.ops.management.commands import worker as command


def a_worker() -> Worker:
    return Worker(queue_names=["*"], excluded_queue_names=[], interval=1, batch=False,
                  backend_name="default", startup_delay=False, max_tasks=None,
                  worker_id="test:1:default")


@pytest.fixture
def running_worker(monkeypatch):
    # This process's stop flag and queue loops, not the module's for good.
    monkeypatch.setattr(command, "_stopping", type(command._stopping)())
    monkeypatch.setattr(command, "_loop_workers", {})
    kept = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    worker = a_worker()
    worker.running_task = True  # in the middle of a task
    command.steady_signals(worker)
    yield worker, signal.getsignal(signal.SIGTERM)
    for sig, handler in kept.items():
        signal.signal(sig, handler)


def test_two_signals_at_once_stop_the_worker_after_its_task(running_worker):
    worker, handler = running_worker
    handler(signal.SIGINT, None)  # the terminal's Ctrl+C
    handler(signal.SIGTERM, None)  # serve's stop of its children, the same moment
    assert worker.running is False  # stops after the task, which goes on: no SystemExit


def test_a_second_signal_later_still_forces(running_worker, monkeypatch):
    _, handler = running_worker
    handler(signal.SIGTERM, None)
    monkeypatch.setattr(command, "REPEAT_IS_ONE_S", 0.0)  # as if pressed again seconds later
    with pytest.raises(SystemExit):
        handler(signal.SIGINT, None)


def test_a_stop_ends_the_queues_loops_after_their_task(running_worker):
    """Told to stop, the worker's outlets loop went on to start a new ingest round, cut off
    as the process ended."""
    _, handler = running_worker
    outlets = command._loop_workers["outlets"] = a_worker()
    handler(signal.SIGTERM, None)
    assert command._stopping.is_set() and outlets.running is False


def test_an_idle_worker_told_to_stop_raises_nothing_where_it_stands(running_worker):
    """django-tasks-db's handler raised SystemExit at once when no task ran; landing in the
    COMMIT of the worker's look for work, it left the connection mid-command, and the stop
    ended in a traceback and status 1 (the three workers' test, once in a loaded run). The
    loop ends after its wait for work instead."""
    worker, handler = running_worker
    worker.running_task = False  # between tasks: in a query, or waiting for work
    handler(signal.SIGTERM, None)  # no SystemExit
    assert worker.running is False and command._stopping.is_set()

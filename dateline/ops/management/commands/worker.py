"""`dateline worker`: book the work that must always be waiting, then run the task worker."""

import logging
import os
import signal
import socket
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections

from dateline.base import heartbeat
from dateline.base.environment import whole_number
from dateline.base.errors import in_words
from dateline.db.unavailable import unavailable
from dateline.ops.migrated import migrated_or_refuse

# Ctrl+C in a terminal reaches every process of serve's group, and serve then stops its
# children with a TERM: the worker heard two signals at once, which django-tasks-db reads as
# "Ctrl+C pressed again: force", and it killed the task it was running, recorded as failed and
# never run again (an edition cut after the mail server took a mail, before its delivery was
# written: that reader mailed twice at the restart; a photo left without its renditions).
# systemd stopping a unit signals each of its processes the same way. A second signal forces
# only this long after the first: a person pressing again.
REPEAT_IS_ONE_S = 2.0
# Waits between tries while the database is not answering: doubled from the first to the last.
FIRST_WAIT_S, LAST_WAIT_S = 1.0, 30.0
logger = logging.getLogger(__name__)
# django-tasks-db's logger: the stop is said in its words, where its own handler said it.
db_logger = logging.getLogger("django_tasks_db")


def worker_id(queue: str) -> str:
    """Who runs a task, as its row keeps it: this machine, this process and the queue, so
    that a later start can tell a task whose process died (`resume_stranded_tasks`)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{queue}"[:64]


def resume_stranded_tasks() -> int:
    """Put back in the queue each task left running by a process of this machine that is
    gone (a worker killed mid-task: its row stays "running" for ever, and nothing ran it
    again: a published story never analysed, a batch of the archive cut short). Every task
    of Dateline can run again: each does what is still to do. How many were put back."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    here = f"{socket.gethostname()[:40]}:"
    stranded = []
    for row in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only("worker_ids"):
        last = (row.worker_ids or [""])[-1]
        pid = last[len(here):].split(":", 1)[0] if last.startswith(here) else ""
        if pid.isdigit() and not _alive(int(pid)):
            stranded.append(row.pk)
    if stranded:
        logger.warning("%d task(s) left running by a worker that is gone: run again",
                       len(stranded))
        DBTaskResult.objects.filter(pk__in=stranded, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, started_at=None)
    return len(stranded)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: not ours to judge
    return True


def steady_signals(worker) -> None:
    """The worker's stop signals, with one stop heard twice at once counted as one.

    The first stop ends the loop after the running task, or, when none runs, after the loop's
    wait for work (`--interval`, a second), and raises nothing: django-tasks-db's own handler
    raised SystemExit at once when no task ran, wherever the main thread then was, and in the
    middle of the COMMIT of its look for work the connection was left mid-command, so the
    exit became a traceback and status 1 (2 of 60 stops beside a busy loop per core). A
    second stop later than REPEAT_IS_ONE_S forces, as before."""
    first: list[float] = []

    def shutdown(signum: int, frame) -> None:
        now = time.monotonic()
        if first and now - first[0] < REPEAT_IS_ONE_S:
            return  # the same stop, from the terminal and from serve
        stop_queue_loops()
        if first:
            worker.shutdown(signum, frame)  # pressed again: django-tasks-db's forced stop
            return
        first[:] = [now]
        db_logger.warning("Received %s - shutting down gracefully... (press Ctrl+C again to "
                          "force)", signal.strsignal(signum))
        worker.running = False

    for name in ("SIGINT", "SIGTERM", "SIGQUIT"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), shutdown)


def own_loop_queues() -> list[str]:
    """The task queues besides the default one (TASKS' QUEUES), each run in a loop of its own:
    one worker runs one task at a time, and a round polling slow outlets (the "outlets" queue)
    held a scheduled publication back behind it for as long as the round took."""
    from django.conf import settings
    from django.tasks import DEFAULT_TASK_QUEUE_NAME

    queues = settings.TASKS["default"].get("QUEUES", [DEFAULT_TASK_QUEUE_NAME])
    return [name for name in queues if name != DEFAULT_TASK_QUEUE_NAME]


_looping: dict[str, threading.Thread] = {}
# Set when the process is told to stop: each queue's loop takes no new task (a worker told to
# stop went on to start a new ingest round in its outlets loop, cut off as the process ended).
_stopping = threading.Event()
_loop_workers: dict[str, object] = {}


def stop_queue_loops() -> None:
    """Each queue's loop ends after the task it is running, if any."""
    _stopping.set()
    for worker in list(_loop_workers.values()):
        worker.running = False


def start_queue_loop(queue: str, interval: float) -> threading.Thread:
    """Run one queue's tasks in a thread of this process, again after an error (a database
    away, which the main loop waits out too), until the process ends; once per process,
    however often the main loop starts again."""
    if queue in _looping:
        return _looping[queue]
    from django.db import close_old_connections
    from django_tasks_db.management.commands.db_worker import Worker

    def loop() -> None:
        while not _stopping.is_set():
            worker = _loop_workers[queue] = Worker(
                queue_names=[queue], interval=interval, batch=False, backend_name="default",
                startup_delay=False, max_tasks=None, worker_id=worker_id(queue),
                excluded_queue_names=[])
            if _stopping.is_set():  # told to stop while it was made
                return
            try:
                worker.run()
                continue
            except DatabaseError as error:
                if unavailable(error):  # said in one line, as the main loop says it
                    logger.error("The %s queue's loop waits: the database is not answering "
                                 "(%s); it starts again in %.0f s.", queue, in_words(error),
                                 LAST_WAIT_S)
                else:
                    logger.exception("The %s queue's loop failed; it starts again in %.0f s.",
                                     queue, LAST_WAIT_S)
            except Exception:
                logger.exception("The %s queue's loop failed; it starts again in %.0f s.",
                                  queue, LAST_WAIT_S)
            close_old_connections()
            _stopping.wait(LAST_WAIT_S)

    thread = _looping[queue] = threading.Thread(target=loop, name=f"{queue}-queue", daemon=True)
    thread.start()
    return thread


def book_standing_work() -> bool:
    """Queue the catch-up on scheduled articles, the ingest round, the rest of an edition left
    half sent and the next morning edition, unless queued.

    Safe however often and however many workers start: each is booked under a lock, once.
    Returns whether the edition was booked now (False: it was waiting already).
    """
    from django.db import router
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from dateline.base.locks import exclusive
    from dateline.edition.tasks import resume_interrupted_sends, schedule_next_edition
    from dateline.ingest.tasks import book_round
    from dateline.newsroom.actions import release_due_articles

    # First, so that what follows finds them waiting and books nothing twice.
    resume_stranded_tasks()
    # Anything that fell due while no worker ran is published at once. No public API lists
    # booked tasks (see edition.tasks.waiting_runs): django-tasks-db's rows are read here.
    using = router.db_for_write(DBTaskResult)
    with exclusive("dateline.newsroom.catch-up", using=using):
        waiting = DBTaskResult.objects.using(using).filter(
            task_path=release_due_articles.module_path, status=TaskResultStatus.READY)
        if not waiting.exists():
            release_due_articles.enqueue()
    book_round()  # the ingest round polls outlets' feeds and books the next itself
    resume_interrupted_sends()  # an edition a killed worker left half sent
    return schedule_next_edition()


def task_logging(db_worker, verbosity: int) -> None:
    """django-tasks-db's logging for `verbosity`, except that below 2 (-v 2 asks for every
    task) Django's line for each task started and ended stays at the settings' level
    (LOGGING, DATELINE_TASKS_LOG_LEVEL): configure_logging sets it to INFO, and `make run`'s
    console got 458 such lines in its first hour. A failed task is logged at ERROR still."""
    tasks = logging.getLogger("django.tasks")
    level = tasks.level
    db_worker.configure_logging(verbosity)
    if verbosity < 2:
        tasks.setLevel(level)


class Command(BaseCommand):
    help = ("Run the background worker (scheduled publishing, embargoes, the daily edition, "
            "polling outlets' feeds), after booking the next edition, the ingest round and a "
            "catch-up on articles that fell due.")

    # Run by work() instead, inside the wait for the database: on SQLite a check asks the
    # database file what it supports, and would fail the start before the wait begins.
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("--interval", type=float, default=1,
                            help="Seconds between looks at the queue when it is empty.")
        parser.add_argument("--batch", action="store_true",
                            help="Run what is due now, then exit (from cron, or to try it).")
        parser.add_argument(
            "--nice", type=int, default=whole_number("DATELINE_WORKER_NICE", 10),
            help="How much lower than the web server's its CPU priority is (0: the same).")

    def handle(self, *args, interval: float, batch: bool, nice: int, **options) -> None:
        # Tagging, related stories and briefs after each save take 200 ms of CPU; on the web
        # server's cores they delayed the first render of the changed pages. Readers and the
        # desk go first; the worker takes what they leave (it still runs on idle cores).
        if nice > 0:
            os.nice(nice)
        migrated_or_refuse()  # a database not answering is waited for below, in words
        # Under `dateline serve`: a worker that freezes is killed and started again.
        heartbeat.start_thread()
        wait = FIRST_WAIT_S
        while True:
            started = time.monotonic()
            try:
                return self.work(interval, batch, options["verbosity"])
            except DatabaseError as error:
                if not unavailable(error):
                    raise
                said = in_words(error)
                # From cron (--batch) the next run is the retry. Under `dateline serve` a
                # worker that died at each try would be given up on after five, and serve
                # would stop the whole site with it: it waits for the database instead.
                if batch:
                    raise CommandError(f"The database is not answering: {said}") from None
                if time.monotonic() - started > LAST_WAIT_S:  # it had been working
                    wait = FIRST_WAIT_S
                self.stderr.write(f"The database is not answering ({said}); the worker tries "
                                  f"again in {wait:.0f} s.")
                self.stderr.flush()
                connections.close_all()
                time.sleep(wait)
                wait = min(wait * 2, LAST_WAIT_S)

    def work(self, interval: float, batch: bool, verbosity: int) -> None:
        self.check()
        booked = book_standing_work()
        self.stdout.write("The next edition was booked now." if booked
                          else "The next edition was already booked.")
        self.stdout.flush()
        # django-tasks-db's own worker, in this process: its signals stop it cleanly.
        from django_tasks_db.management.commands.db_worker import Command as DBWorker
        from django_tasks_db.management.commands.db_worker import Worker

        # django-tasks-db's db_worker, its loop built here so that the queues with a loop of
        # their own start only once its signals are set: a TERM in between killed the process
        # uncleanly (exit -15) instead of stopping it.
        task_logging(DBWorker(stdout=self.stdout, stderr=self.stderr), verbosity)
        own_loops = [] if batch else own_loop_queues()  # --batch: everything, one by one
        worker = Worker(queue_names=["*"], excluded_queue_names=own_loops, interval=interval,
                        batch=batch, backend_name="default", startup_delay=False,
                        max_tasks=None, worker_id=worker_id("default"))
        steady_signals(worker)
        for queue in own_loops:
            start_queue_loop(queue, interval)
        worker.run()

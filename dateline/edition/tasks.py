"""The morning run: build the day's edition at the edition time, send it, book the next one."""

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import router
from django.tasks import TaskResultStatus, task
from django.utils import timezone

from dateline.base.locks import exclusive

from .assembly import build_edition, goes_out_at, layout, next_edition_date

logger = logging.getLogger(__name__)

# A failed run is tried again after each of these delays, then left to the desk (the log and
# the task's row say why); the next day is booked whatever happens.
RETRY_DELAYS = (timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=45))
# How long the worker waits for another PDF's render (pdf.one_render_at_a_time) to end.
PDF_WAIT_SECONDS = 30


@task()
def publish_edition(day: str, attempt: int = 1) -> int:
    """Build (top up) and send the edition dated `day`; resumable, so a rerun sends the rest."""
    from .models import Edition
    from .sending import send_edition
    from .subscriptions import forget_unconfirmed

    try:
        forget_unconfirmed()
        edition = Edition.objects.filter(date=date.fromisoformat(day)).first()
        # Sent, or being sent (a run stopped halfway, by the mail server or a killed worker):
        # what subscribers got is the edition, and the rest get the same; no later top-up.
        if edition is None or edition.status == Edition.Status.DRAFT:
            edition = build_edition(date.fromisoformat(day))
        if edition.status == Edition.Status.DRAFT and not edition.items.exists():
            # Nothing published in its 24 hours: no mail saying so to every reader (with the
            # newsletter's ad billed for each). The desk can still send it on purpose.
            logger.warning("edition %s: no story to send; not mailed", day)
            return 0
        sent = send_edition(edition)
    except Exception:
        retry_later(day, attempt)
        raise  # the worker records the run as failed, with its traceback
    finally:
        # Neither a failed build nor a send stopped by the mail server ends the daily run.
        schedule_next_edition()
    try:
        prepare_pdf.enqueue(day)
    except Exception:  # the edition went out; its first reader lays the PDF out instead
        logger.exception("edition %s: could not book its PDF's layout", day)
    return sent


@task()
def prepare_pdf(day: str) -> bool:
    """Lay the sent edition's PDF out now, in the worker: the first reader to ask for it
    waited 2 to 4 s for WeasyPrint (every later one 0.1 s, from the file it kept). Kept under
    the hash of what it is made from (pdf.py), so an edit after this renders it again."""
    from .models import Edition
    from .pdf import Busy, edition_pdf

    edition = Edition.objects.filter(date=date.fromisoformat(day)).first()
    if edition is None:
        return False
    try:
        edition_pdf(edition, layout(edition), wait=PDF_WAIT_SECONDS)
    except Busy:  # a reader's render holds the lock: theirs is kept, as good as this one
        return False
    return True


def retry_later(day: str, attempt: int) -> datetime | None:
    """Log the failed run, and book it again after the next delay while tries are left."""
    if attempt > len(RETRY_DELAYS):
        logger.exception("edition %s: run %d failed; no more tries: build and send it from "
                         "the desk or with `dateline edition send %s`", day, attempt, day)
        return None
    when = timezone.now() + RETRY_DELAYS[attempt - 1]
    logger.exception("edition %s: run %d failed; trying again at %s", day, attempt,
                     timezone.localtime(when).isoformat(timespec="minutes"))
    publish_edition.using(run_after=when).enqueue(day, attempt=attempt + 1)
    return when


def waiting_runs():
    """The morning runs booked and not started, soonest first."""
    # No public API lists booked tasks: Django's finds a result only by its id
    # (Task.get_result), and django-tasks-db documents its backend and commands, not its
    # model. Its DBTaskResult rows, read with Django's public TaskResultStatus (never a
    # literal), are the one way; tests/edition/test_morning_run.py fails if they change.
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=publish_edition.module_path, status=TaskResultStatus.READY,
    ).order_by("run_after")


def schedule_next_edition(now=None) -> bool:
    """Queue the next edition for its time unless it is queued already; True if queued now.

    Every worker asks when it starts, and every run when it ends: under a lock, so that
    however many ask at once there is one run a day. (Were it queued twice, it would still
    be sent once: sending skips the subscribers who have it.)
    """
    from django_tasks_db.models import DBTaskResult

    day = next_edition_date(now)
    using = router.db_for_write(DBTaskResult)
    with exclusive("dateline.edition.booking", using=using):
        if waiting_runs().using(using).filter(args_kwargs__args=[day.isoformat()]).exists():
            return False
        publish_edition.using(run_after=goes_out_at(day)).enqueue(day.isoformat())
        return True


def resume_interrupted_sends() -> list[str]:
    """Book at once the run of each edition left half sent with no run waiting for it (its
    worker was killed mid-send: the run's row stays "running" and nothing books it again, so
    the other subscribers never got it). Sending skips those who have it, one run at a time,
    so a run still going elsewhere is not doubled. The days booked."""
    from django_tasks_db.models import DBTaskResult

    from .models import Edition

    booked = []
    using = router.db_for_write(DBTaskResult)
    since = timezone.now() - timedelta(hours=settings.DATELINE_EDITION_RESUME_HOURS)
    with exclusive("dateline.edition.booking", using=using):
        for edition in Edition.objects.filter(status=Edition.Status.SENDING).order_by("date"):
            day = edition.date.isoformat()
            if waiting_runs().using(using).filter(args_kwargs__args=[day]).exists():
                continue
            if edition.send_started_at is not None and edition.send_started_at < since:
                # Days old: mailed now it would read as today's news. Left to the desk
                # (`dateline edition send DAY` finishes it on purpose).
                logger.warning("edition %s: its sending was stopped %s and is not resumed: "
                               "too old to mail as today's", day, edition.send_started_at)
                continue
            logger.warning("edition %s: its sending was stopped before the end; sending the "
                           "rest now", day)
            publish_edition.enqueue(day)
            booked.append(day)
    return booked

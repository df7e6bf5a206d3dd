"""The worker's ingest round: poll the due feeds, purge what is kept no longer, book the next.

`dateline worker` books the first round (ops' book_standing_work); each round books the
next, DATELINE_INGEST_TICK seconds on, even when it failed, so polling never stops for good.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import router
from django.tasks import TaskResultStatus, task
from django.utils import timezone

from dateline.base.locks import exclusive

logger = logging.getLogger(__name__)


# Its own queue, and its own loop in the worker (ops.management.commands.worker): one round
# can wait 30 s on each slow outlet, which held scheduled publications back behind it.
OUTLETS_QUEUE = "outlets"


@task(queue_name=OUTLETS_QUEUE)
def ingest_round() -> int:
    """Poll every due feed and purge; returns how many feeds were polled."""
    from .polling import poll_due

    try:
        polled = len(poll_due())
        purge_failed_payloads()
        purge_expired_items()
        return polled
    finally:
        book_round(timezone.now() + timedelta(seconds=settings.DATELINE_INGEST_TICK))


def book_round(when: datetime | None = None) -> bool:
    """Book the next round unless one waits already; True if booked now."""
    # As edition.tasks.waiting_runs: django-tasks-db's rows are the one list of booked tasks.
    from django_tasks_db.models import DBTaskResult

    using = router.db_for_write(DBTaskResult)
    with exclusive("dateline.ingest.booking", using=using):
        if DBTaskResult.objects.using(using).filter(
                task_path=ingest_round.module_path, status=TaskResultStatus.READY).exists():
            return False
        ingest_round.using(run_after=when or timezone.now()).enqueue()
        return True


def purge_failed_payloads(now: datetime | None = None) -> int:
    """Forget unreadable payloads older than DATELINE_INGEST_FAILED_KEEP_DAYS."""
    from .models import FailedPayload

    cutoff = (now or timezone.now()) - timedelta(days=settings.DATELINE_INGEST_FAILED_KEEP_DAYS)
    return FailedPayload.objects.filter(received_at__lt=cutoff).delete()[0]


def purge_expired_items(now: datetime | None = None) -> int:
    """Forget items not seen for DATELINE_INGEST_KEEP_DAYS unless a draft or review used them.

    Counted from when the feed last carried it: an item still in the feed is not purged only
    to come back as new at the next poll.
    """
    from .models import Item

    cutoff = (now or timezone.now()) - timedelta(days=settings.DATELINE_INGEST_KEEP_DAYS)
    return Item.objects.filter(used=False, last_seen_at__lt=cutoff).delete()[0]

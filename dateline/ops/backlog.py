"""How far behind the background worker is, on the work readers and partners wait for.

Scheduled publishing, embargoes' ends, the edition, outlets' feeds, WebSub pushes and a saved
story's analysis all wait in the worker's queue; an archive's bulk analysis waits there too,
by design and for hours after a large import, so it is left out. Told to editors on the desk's
front page (a worker stopped or stuck means a story scheduled for 09:00 is not out at 09:00,
and nothing else says so) and to monitoring in /metrics.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Case, Count, F, Min, When
from django.utils import timezone
from django.utils.formats import date_format
from django_tasks_db.models import DBTaskResult, get_date_max

from dateline.intelligence.tasks import BULK_PRIORITY

# A due task waits a second or two for a worker that polls every second, and minutes behind
# a long task (an edition's PDF): past this, the worker is behind.
LATE_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class Backlog:
    waiting: int  # tasks due and not started, bulk analysis left out
    due_since: datetime | None  # when the longest-waiting of them fell due

    def waited(self, now: datetime) -> timedelta:
        return now - self.due_since if self.due_since else timedelta(0)


def backlog() -> Backlog:
    """One query: the due tasks' number and the moment the first of them fell due (a task
    enqueued to run at once is due from its enqueueing; one to run later, from that time)."""
    due = DBTaskResult.objects.ready().filter(priority__gt=BULK_PRIORITY).aggregate(
        waiting=Count("id"),
        since=Min(Case(When(run_after=get_date_max(), then=F("enqueued_at")),
                       default=F("run_after"))))
    return Backlog(due["waiting"], due["since"])


def desk_notice(user) -> str | None:
    """What the desk's front page says while the worker is behind (shortcuts.add_notice)."""
    now = timezone.now()
    behind = backlog()
    if behind.waited(now) < LATE_AFTER:
        return None
    due = timezone.localtime(behind.due_since)
    since = date_format(due, "H:i" if due.date() == timezone.localdate() else "j F, H:i")
    tasks = "1 task has" if behind.waiting == 1 else f"{behind.waiting} tasks have"
    return (f"The background worker is behind: {tasks} waited since {since} (scheduled "
            "publishing, embargoes, the edition, outlets' feeds). Is it running? \"dateline "
            "serve\" starts it unless given --no-worker; elsewhere \"dateline worker\" runs it.")

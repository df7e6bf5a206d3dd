"""The morning run: build the day's edition at the edition time, send it, book the next one."""

from datetime import date

from django.tasks import task

from .assembly import build_edition, goes_out_at, next_edition_date


@task()
def publish_edition(day: str) -> int:
    """Build (top up) and send the edition dated `day`; resumable, so a rerun sends the rest."""
    from .models import Edition
    from .sending import send_edition
    from .subscriptions import forget_unconfirmed

    forget_unconfirmed()
    edition = Edition.objects.filter(date=date.fromisoformat(day)).first()
    # Sent early from the desk: what subscribers got is the edition; no later top-up.
    if edition is None or edition.status != Edition.Status.SENT:
        edition = build_edition(date.fromisoformat(day))
    try:
        return send_edition(edition)
    finally:
        # A send stopped by the mail server must not end the daily run: tomorrow is booked,
        # and this one is finished by running it again (`dateline edition send`).
        schedule_next_edition()


def schedule_next_edition(now=None) -> None:
    """Queue the next edition for its time, unless it is queued already (each `dateline
    serve` start asks). Were it queued twice, it would still be sent once: sending skips the
    subscribers who have it."""
    from django_tasks_db.models import DBTaskResult

    day = next_edition_date(now)
    waiting = DBTaskResult.objects.filter(
        task_path=publish_edition.module_path, status="READY",
        args_kwargs__args=[day.isoformat()])
    if not waiting.exists():
        publish_edition.using(run_after=goes_out_at(day)).enqueue(day.isoformat())

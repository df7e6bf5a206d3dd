"""The one writer of the audit log: every entry, whoever acts, is written by `log_action`.

`tests/newsroom/test_one_way_to_change_state.py` fails if any other module of Dateline writes one.
"""

from django.utils import timezone

from ..models import Article, AuditEntry


class Scheduler:
    """The worker acting at a booked time: nobody's account, so it can neither log in, be
    given a role nor be mistaken for a person. Its entries have no user, which the model and
    the desk's audit log already read as "scheduler"."""

    def __repr__(self) -> str:
        return "SCHEDULER"


SCHEDULER = Scheduler()


def log_action(article: Article, action: str, user, note: str = "", *,
               previous: str | None = None) -> AuditEntry:
    """Record that `user` (or SCHEDULER) did `action` to `article`, inside the caller's
    transaction; `previous` is the status before ('' for a creation), by default unchanged."""
    return AuditEntry.objects.create(
        article=article, action=action,
        from_status=article.status if previous is None else previous, to_status=article.status,
        note=note, user=None if user is SCHEDULER else user,
    )


def last_move(article: Article) -> str:
    """"ben moved it at 10:02:11": the latest entry of the story's log, in words."""
    last = article.audit_log.select_related("user").first()
    if last is None:
        return "someone moved it"
    who = ("the scheduler" if last.user is None
           else last.user.get_full_name() or last.user.get_username())
    return f"{who} moved it at {timezone.localtime(last.created_at):%H:%M:%S}"

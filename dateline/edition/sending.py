"""Send an edition to its subscribers in batches, so that a send cut short resumes where it stopped.

Each mail is sent on its own, and the moment the mail server accepts it (its "250" reply to
the message) its `Delivery` row is committed; a rerun sends to those without one. One window
remains, and SMTP offers nothing to close it: a process killed after the server's "250" and
before its COMMIT returns (an INSERT and a COMMIT: about a millisecond, more on a database
that stalls) has sent a mail it has not recorded, and that one subscriber gets the edition
twice on the rerun. The other way round, nobody is skipped: a mail the server had not yet
accepted when the process died is discarded by a correct server and has no row, so the rerun
sends it.

Run it outside a transaction: inside one, the rows would only commit with it.
"""

import fcntl
import logging
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from django.conf import settings
from django.core.mail import mailers
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .models import Delivery, Edition, Subscriber
from .newsletter import EditionMail

logger = logging.getLogger(__name__)


def refused_only_this(error: smtplib.SMTPException) -> bool:
    """Whether the server refused this one message (its recipient, or its content) and will
    take the next. Anything else (a lost connection, a refused login or sender, and 421, the
    server closing the connection) would fail for every message after it: it stops the run."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code != 421 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code != 421


class SendingStopped(Exception):
    """The mail server could not be reached or went away; the deliveries made so far are kept,
    and running the send again goes on from there."""

    def __init__(self, edition: Edition, sent: int, error: Exception) -> None:
        super().__init__(f"{edition}: sending stopped after {sent} more mail(s): "
                         f"{type(error).__name__}: {error}. Run the send again to go on.")
        self.sent = sent


def waiting_for(edition: Edition):
    """The active subscribers who do not have the edition yet, oldest first: those subscribed
    when its send began (a reader who joined since gets the next one, not a send resumed days
    later as if it were today's mail)."""
    delivered = Delivery.objects.filter(edition=edition, subscriber=OuterRef("pk"))
    readers = Subscriber.objects.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)
    if edition.send_started_at is not None:
        readers = readers.filter(confirmed_at__lte=edition.send_started_at)
    return readers.exclude(Exists(delivered)).order_by("pk")


def send_edition(edition: Edition, batch_size: int = 100) -> int:
    """Send the edition to every active subscriber who does not have it; return how many got it
    now. Each batch goes over one connection to the mail server."""
    with one_run_at_a_time():
        edition.status = Edition.Status.SENDING
        edition.send_started_at = edition.send_started_at or timezone.now()
        edition.save(update_fields=["status", "send_started_at"])
        mail = EditionMail(edition)
        sent = refused = 0
        after = 0  # subscribers go in order of pk: a refused one is not tried twice a run
        while batch := list(waiting_for(edition).filter(pk__gt=after)[:batch_size]):
            after = batch[-1].pk
            server = mailers.default
            try:
                with server:
                    for subscriber in batch:
                        outcome = _send_one(edition, mail, subscriber, server)
                        sent += outcome == "sent"
                        refused += outcome == "refused"
            except (smtplib.SMTPException, OSError) as error:
                logger.error("edition %s: sending stopped after %d mail(s): %r",
                             edition.date, sent, error)
                raise SendingStopped(edition, sent, error) from error
        edition.status = Edition.Status.SENT
        edition.sent_at = timezone.now()
        edition.save(update_fields=["status", "sent_at"])
    logger.info("edition %s: sent to %d more subscriber(s), %d refused by the mail server",
                edition.date, sent, refused)
    return sent


def _locks_rows() -> bool:
    return connection.features.has_select_for_update


@contextmanager
def one_run_at_a_time() -> Iterator[None]:
    """Keep two runs at once (the worker, and someone at the command line) from mailing a
    reader twice.

    PostgreSQL locks each reader's row while mailing them (see _send_one), so runs share the
    work. SQLite has no row locks, and a transaction there holds the whole database's write
    lock, which the desk must not wait on while mails go out; but an SQLite site lives on one
    machine, where a lock on a file beside its data serves: a second run waits for the first,
    then finds nobody left to mail. The system drops the lock when its process dies.
    """
    if _locks_rows():
        yield
        return
    path = Path(settings.VAR_DIR) / "edition-sending.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _send_one(edition: Edition, mail: EditionMail, subscriber: Subscriber, server) -> str:
    """Send one subscriber's copy and record it at once: "sent", "refused" or "skipped"."""
    locks = _locks_rows()
    with transaction.atomic() if locks else nullcontext():
        # On PostgreSQL, a reader being mailed by another run is skipped (SKIP LOCKED). The lock
        # is taken first and the question asked after, in a statement of its own: a statement
        # that locked and asked at once would answer from its snapshot, taken before the other
        # run committed the delivery it has just released the row with, and mail them twice.
        if locks and not list(Subscriber.objects.filter(pk=subscriber.pk)
                              .select_for_update(skip_locked=True).values_list("pk", flat=True)):
            return "skipped"
        # Asked again for each mail: a reader who unsubscribed, or was mailed by another run,
        # since the batch was read gets nothing.
        if not waiting_for(edition).filter(pk=subscriber.pk).exists():
            return "skipped"
        try:
            server.send_messages([mail.to(subscriber)])
        except smtplib.SMTPException as error:
            if not refused_only_this(error):
                raise
            # A mailbox that does not exist (550) or is full (452), or content the server
            # would not take for this reader: not retried in this run, tried again on a rerun.
            logger.warning("edition %s: the mail server refused subscriber %s: %r",
                           edition.date, subscriber.pk, error)
            return "refused"
        Delivery.objects.create(edition=edition, subscriber=subscriber)
    mail.delivered()  # recorded: only now is it a mail that carried the ad
    return "sent"

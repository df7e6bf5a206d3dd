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

import logging
import smtplib

from django.core.mail import mailers
from django.db import transaction
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
    """The active subscribers who do not have the edition yet, oldest first."""
    delivered = Delivery.objects.filter(edition=edition, subscriber=OuterRef("pk"))
    return (Subscriber.objects.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)
            .exclude(Exists(delivered)).order_by("pk"))


def send_edition(edition: Edition, batch_size: int = 100) -> int:
    """Send the edition to every active subscriber who does not have it; return how many got it
    now. Each batch goes over one connection to the mail server."""
    edition.status = Edition.Status.SENDING
    edition.send_started_at = edition.send_started_at or timezone.now()
    edition.save(update_fields=["status", "send_started_at"])
    mail = EditionMail(edition)
    sent = refused = 0
    after = 0  # subscribers are taken in order of pk: a refused one is not tried twice a run
    while batch := list(waiting_for(edition).filter(pk__gt=after)[:batch_size]):
        after = batch[-1].pk
        connection = mailers.default
        try:
            with connection:
                for subscriber in batch:
                    outcome = _send_one(edition, mail, subscriber, connection)
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


def _send_one(edition: Edition, mail: EditionMail, subscriber: Subscriber, connection) -> str:
    """Send one subscriber's copy and record it at once: "sent", "refused" or "skipped"."""
    with transaction.atomic():
        # Two runs at once (the worker, and someone at the command line) mail nobody twice:
        # on PostgreSQL the row lock makes the second skip a reader the first is mailing; on
        # SQLite, whose transactions here begin IMMEDIATE, the write lock is held for the time
        # of one mail (other writers wait that long, at most the mail server's timeout).
        claimed = list(waiting_for(edition).filter(pk=subscriber.pk)
                       .select_for_update(skip_locked=True).values_list("pk", flat=True))
        if not claimed:
            return "skipped"  # unsubscribed, delivered by another run, or being delivered
        try:
            connection.send_messages([mail.to(subscriber)])
        except smtplib.SMTPException as error:
            if not refused_only_this(error):
                raise
            # A mailbox that does not exist (550) or is full (452), or content the server
            # would not take for this reader: not retried in this run, tried again on a rerun.
            logger.warning("edition %s: the mail server refused subscriber %s: %r",
                           edition.date, subscriber.pk, error)
            return "refused"
        Delivery.objects.create(edition=edition, subscriber=subscriber)
    return "sent"

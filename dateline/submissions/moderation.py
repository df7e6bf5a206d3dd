"""The editor's decisions on a reader's report: accept into a draft, reject, or mark as spam.

Each decision is taken once: the report's row is locked, a report already decided is refused,
and the decision is written to the report's moderation log with who, when and the note. The
rejection e-mail goes out after the decision is committed, so a slow or failing mail server
never holds the lock nor undoes the decision; it is sent and logged as the reader's other
mails are (mail.send_and_log).
"""

import unicodedata

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from dateline.base.graphemes import clipped
from dateline.newsroom.actions import ActionRefused, log_action
from dateline.newsroom.actions.save import announce_saved, record_revision
from dateline.newsroom.models import Article, Section, Source
from dateline.pictures.reader import add_report_photos

from . import mail
from .contact import credited_name
from .models import ModerationEntry, Submission
from .text import render_report

MODERATE = "submissions.moderate_submission"
# Every accepted report names this source under the story ("Sources: Reader reports").
READER_REPORTS_SOURCE = "Reader reports"


class DecisionRefused(ActionRefused):
    """The report cannot be decided on (again): the message says why, in words for the desk."""


def may_moderate(user) -> bool:
    return bool(user and user.is_active and user.is_staff and user.has_perm(MODERATE))


def check_may_moderate(user) -> None:
    if not may_moderate(user):
        raise PermissionDenied("Only editors decide on readers' reports.")


def _lock_undecided(user, submission: Submission) -> Submission:
    """The report's row, locked, if it is still waiting for a decision; call inside atomic."""
    check_may_moderate(user)
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.status != Submission.Status.NEW:
        who = locked.decided_by.get_username() if locked.decided_by else "someone"
        when = (f" at {timezone.localtime(locked.decided_at):%Y-%m-%d %H:%M}"
                if locked.decided_at else "")
        raise DecisionRefused(
            f"Report {locked.reference} was already {locked.get_status_display().lower()} "
            f"by {who}{when}; nothing was changed."
        )
    return locked


def _decide(locked: Submission, status: str, user, note: str, reason: str = "") -> None:
    locked.status = status
    locked.decided_at = timezone.now()
    locked.decided_by = user
    locked.decision_reason = reason
    locked.save(update_fields=["status", "decided_at", "decided_by", "decision_reason",
                               "article"])
    ModerationEntry.objects.create(submission=locked, action=status, user=user,
                                   note="\n".join(p for p in (reason, note) if p))


def one_line(text: str) -> str:
    """A reader's name or headline as one line: no control characters, spaces collapsed."""
    kept = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return " ".join(kept.split())


def reader_name(submission: Submission) -> str:
    """The name the story credits: as the reader wrote it, less any contact details."""
    return credited_name(one_line(submission.name)) or "a reader"


def reader_byline(submission: Submission) -> str:
    """The draft's byline, as written: the reader is credited where staff authors are."""
    return clipped(f"Reader report by {reader_name(submission)}", 200)


def reader_reports_source() -> Source:
    source, _ = Source.objects.get_or_create(name=READER_REPORTS_SOURCE)
    return source


def accept(user, submission: Submission, section: Section, note: str = "") -> Article:
    """Turn the report into a draft article in `section`, credited to the reader."""
    with transaction.atomic():
        locked = _lock_undecided(user, submission)
        report_html = render_report(locked.text)
        headline = one_line(locked.headline) or f"Reader report {locked.reference}"
        article = Article.objects.create(
            headline=clipped(headline, 300),
            byline_text=reader_byline(locked),
            # The reader's headline says what the story is; a standfirst is the editor's to
            # write. Any part of the report put there would be read twice on the page, and
            # lists already show the body's first sentence while the standfirst is empty.
            standfirst="",
            body=report_html,
            section=section,
            status=Article.Status.DRAFT,
            created_by=user,
        )
        article.sources.add(reader_reports_source())
        # The photos go into the library credited to the reader; the first leads the draft.
        refused = add_report_photos(locked, article, user, reader_name=reader_name(locked))
        note = "\n".join(p for p in (note.strip(), *refused) if p)
        log_action(article, "create", user, f"From reader report {locked.reference}.",
                   previous="")
        record_revision(article, user)
        locked.article = article
        _decide(locked, Submission.Status.ACCEPTED, user,
                "\n".join(p for p in (f"Draft article {article.pk} in {section.display_path}.",
                                      note.strip()) if p))
        announce_saved(article)
    submission.refresh_from_db()
    return article


def reject(user, submission: Submission, reason: str, email_reader: bool = False,
           note: str = "") -> bool | None:
    """Reject with a reason; e-mail it to the reader if asked: True sent, False failed."""
    reason = reason.strip()
    if not reason:
        raise DecisionRefused("Give the reason for rejecting the report.")
    with transaction.atomic():
        locked = _lock_undecided(user, submission)
        _decide(locked, Submission.Status.REJECTED, user, note.strip(), reason=reason)
    submission.refresh_from_db()
    if not email_reader:
        return None
    return email_rejection(submission)


def mark_spam(user, submission: Submission, note: str = "") -> None:
    """Mark the report as spam; the sender hears nothing."""
    with transaction.atomic():
        locked = _lock_undecided(user, submission)
        _decide(locked, Submission.Status.SPAM, user, note.strip())
    submission.refresh_from_db()


def rejection_message(submission: Submission) -> EmailMultiAlternatives:
    """The reason, for the reader, from the same address as their confirmation."""
    context = {"report": submission, "site_name": settings.DATELINE_SITE_NAME}
    subject = render_to_string("submissions/mail/desk_rejection_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("submissions/mail/desk_rejection.txt", context),
        to=[submission.email], reply_to=[settings.DATELINE_NEWSDESK_EMAIL],
    )
    message.attach_alternative(
        render_to_string("submissions/mail/desk_rejection.html", context), "text/html")
    return message


def email_rejection(submission: Submission) -> bool:
    """Send the reader the reason; the log says whether it went, and a failure never raises."""
    return mail.send_and_log(submission, rejection_message(submission), "rejection")

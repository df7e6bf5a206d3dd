"""E-mails about a report: the reader's confirmation, and the news desk's notice.

Both are sent after the report is stored, one at a time; each outcome is written to the
report's log. A mail server that is down or refuses an address loses no report: the desk
sees the report, and in its log that the reader was not told.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from .models import ModerationEntry, Submission
from .text import render_report

logger = logging.getLogger(__name__)

SENT = "e-mailed"
FAILED = "e-mail failed"


def _message(submission: Submission, template: str, context: dict, to: str,
             reply_to: list[str] | None = None) -> EmailMultiAlternatives:
    context = {"report": submission, "site_name": settings.DATELINE_SITE_NAME, **context}
    subject = render_to_string(f"submissions/mail/{template}_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # one line: a header cannot hold a line break
        body=render_to_string(f"submissions/mail/{template}.txt", context),
        to=[to], reply_to=reply_to,
    )
    message.attach_alternative(render_to_string(f"submissions/mail/{template}.html", context),
                               "text/html")
    return message


def receipt(submission: Submission, site_url: str) -> EmailMultiAlternatives:
    """The reader's confirmation, with the reference to quote."""
    return _message(submission, "receipt", {"site_url": site_url}, to=submission.email,
                    reply_to=[settings.DATELINE_NEWSDESK_EMAIL])


def newsdesk_notice(submission: Submission, site_url: str, story=None) -> EmailMultiAlternatives:
    """The desk's notice of a new report; replies go to the reader."""
    try:
        desk_path = reverse("admin:submissions_submission_change", args=[submission.pk])
    except NoReverseMatch:  # the desk's screens for reports are not installed
        desk_path = reverse("admin:index")
    root = site_url.rstrip("/")
    context = {
        "site_url": site_url, "desk_url": root + desk_path, "story": story,
        "story_url": root + story.get_absolute_url() if story else "",
        "photos": submission.photos.count(), "report_html": render_report(submission.text),
    }
    return _message(submission, "newsdesk", context, to=settings.DATELINE_NEWSDESK_EMAIL,
                    reply_to=[submission.email])


def send_and_log(submission: Submission, message: EmailMultiAlternatives, what: str) -> bool:
    """Send one message; note in the report's log that it went, or why it did not."""
    try:
        message.send()
    except Exception as error:  # SMTP refusals, a server that is down, a timeout
        logger.warning("report %s: %s not sent: %r", submission.reference, what, error)
        ModerationEntry.objects.create(
            submission=submission, action=FAILED,
            note=f"{what.capitalize()} not sent to {', '.join(message.to)}: "
                 f"{type(error).__name__}: {error}"[:2000],
        )
        return False
    ModerationEntry.objects.create(submission=submission, action=SENT,
                                   note=f"{what.capitalize()} sent to {', '.join(message.to)}.")
    return True


def send_report_mails(submission: Submission, site_url: str, story=None) -> None:
    """Tell the reader (with the reference) and the news desk."""
    send_and_log(submission, receipt(submission, site_url), "confirmation")
    send_and_log(submission, newsdesk_notice(submission, site_url, story), "newsdesk notice")

"""What a subscriber receives: the edition by e-mail, the confirmation mail, and their signed links.

Mails are read far from any request, so every link in them is absolute, on DATELINE_SITE_URL.
Both links are signed with SECRET_KEY and a salt of their own, so neither can be guessed from
a subscriber's number nor used in place of the other.
"""

import email.policy
import re
import secrets
from email.headerregistry import HeaderRegistry, UnstructuredHeader
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import slugify

from dateline.ads.newsletter import newsletter_ad

from . import photos
from .assembly import layout
from .models import Edition, Subscriber

_CONFIRM_SALT = "dateline.edition.confirm"
_UNSUBSCRIBE_SALT = "dateline.edition.unsubscribe"


def absolute(path: str) -> str:
    return settings.DATELINE_SITE_URL + path


class LinkExpired(Exception):
    """The link was ours, but older than it may be."""


def confirm_url(subscriber: Subscriber) -> str:
    token = signing.dumps(subscriber.pk, salt=_CONFIRM_SALT)
    return absolute(reverse("edition:subscribe_confirm", kwargs={"token": token}))


def subscriber_to_confirm(token: str) -> Subscriber | None:
    """The subscriber a confirmation link names; None if it is not ours; LinkExpired if old."""
    try:
        pk = signing.loads(token, salt=_CONFIRM_SALT,
                           max_age=settings.DATELINE_NEWSLETTER_CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        return None
    return Subscriber.objects.filter(pk=pk).first() if isinstance(pk, int) else None


def unsubscribe_url(subscriber: Subscriber) -> str:
    # No time limit: a mail kept for years must still let its reader leave, and mail
    # providers send the RFC 8058 one-click POST whenever the reader presses their button.
    token = signing.Signer(salt=_UNSUBSCRIBE_SALT).sign(str(subscriber.pk))
    return absolute(reverse("edition:unsubscribe", kwargs={"token": token}))


def subscriber_to_unsubscribe(token: str) -> Subscriber | None:
    """The subscriber an unsubscribe link names, or None if the link is not ours."""
    try:
        pk = signing.Signer(salt=_UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Subscriber.objects.filter(pk=int(pk)).first() if pk.isdecimal() else None


def _text(template: str, context: dict) -> str:
    # Template tags leave blank lines behind them; a plain-text mail wants at most one.
    return re.sub(r"\n\s*\n(\s*\n)+", "\n\n", render_to_string(template, context)).strip() + "\n"


def confirmation_mail(subscriber: Subscriber) -> EmailMultiAlternatives:
    """Ask the address's owner to confirm (double opt-in); nothing is sent to it until then."""
    context = {"edition_name": settings.DATELINE_EDITION_NAME,
               "site_name": settings.DATELINE_SITE_NAME, "site_url": absolute("/"),
               "confirm_url": confirm_url(subscriber),
               "days": settings.DATELINE_NEWSLETTER_CONFIRM_MAX_AGE // 86400}
    message = EmailMultiAlternatives(
        subject=f"Confirm your subscription to {settings.DATELINE_EDITION_NAME}",
        body=_text("edition/newsletter/confirm.txt", context), to=[subscriber.email],
        headers={"Message-ID": make_msgid(domain=site_domain())})
    message.attach_alternative(render_to_string("edition/newsletter/confirm.html", context),
                               "text/html")
    return message


def edition_subject(edition: Edition) -> str:
    return f"{edition.name} — {date_format(edition.date, 'l, F j, Y')}"


class VerbatimHeader(UnstructuredHeader):
    """A header written as it is, on one line (RFC 5322 allows 998 characters). Python folds a
    long unbreakable value into RFC 2047 encoded words, and mail programs then find no URL
    in List-Unsubscribe."""

    def fold(self, *, policy) -> str:
        return f"{self.name}: {self}{policy.linesep}"


_HEADERS = HeaderRegistry()
_HEADERS.map_to_type("list-unsubscribe", VerbatimHeader)


class NewsletterMessage(EmailMultiAlternatives):
    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(header_factory=_HEADERS))


def site_domain() -> str:
    """The site's public host name (DATELINE_SITE_URL's), which its mails are identified by."""
    return urlsplit(settings.DATELINE_SITE_URL).hostname or "localhost"


def site_headers() -> dict[str, str]:
    """A Message-ID on the site's domain, not the sending machine's ("…@localhost" is what
    spam filters mark), and the list's RFC 2919 List-Id, by which mail programs file it."""
    domain = site_domain()
    list_name = slugify(settings.DATELINE_EDITION_NAME) or "edition"
    return {"Message-ID": make_msgid(domain=domain),
            "List-Id": f"{settings.DATELINE_EDITION_NAME} <{list_name}.{domain}>"}


class EditionMail:
    """An edition's newsletter, rendered once: each subscriber's copy differs only in its
    unsubscribe link, put in place of a marker (rendering per subscriber would cost as much
    as the rest of the send)."""

    def __init__(self, edition: Edition) -> None:
        self.edition = edition
        self.subject = edition_subject(edition)
        self._marker = f"unsubscribe-{secrets.token_hex(16)}"
        web_url = absolute(edition.get_absolute_url())
        context = layout(edition)
        lead = context["lead"]
        # The newsletter's ad slot (dateline.ads): one campaign for the whole send.
        self.ad = newsletter_ad(settings.DATELINE_SITE_URL)
        context = {**context, "site_url": settings.DATELINE_SITE_URL,
                   "lead_image": photos.mail_image(lead.photo) if lead else None,
                   "site_name": settings.DATELINE_SITE_NAME, "subject": self.subject,
                   "web_url": web_url, "pdf_url": web_url + "pdf/",
                   "unsubscribe_url": self._marker, "ad": self.ad}
        self._text = _text("edition/newsletter/edition.txt", context)
        self._html = render_to_string("edition/newsletter/edition.html", context)
        self._context = context
        self._without_ad: tuple[str, str] | None = None

    def _parts(self, with_ad: bool) -> tuple[str, str]:
        """(text, HTML): with the ad, or, once its campaign's cap is reached, without it
        (rendered then, once)."""
        if with_ad:
            return self._text, self._html
        if self._without_ad is None:
            context = {**self._context, "ad": None}
            self._without_ad = (_text("edition/newsletter/edition.txt", context),
                                render_to_string("edition/newsletter/edition.html", context))
        return self._without_ad

    def to(self, subscriber: Subscriber) -> EmailMultiAlternatives:
        link = unsubscribe_url(subscriber)
        text, html = self._parts(self.ad is not None and not self.ad.exhausted)
        message = NewsletterMessage(
            subject=self.subject, body=text.replace(self._marker, link),
            to=[subscriber.email],
            headers={
                # RFC 2369 and RFC 8058: mail programs show an "Unsubscribe" button that
                # POSTs "List-Unsubscribe=One-Click" to the link, with no page in between.
                "List-Unsubscribe": f"<{link}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                **site_headers(),
            })
        message.attach_alternative(html.replace(self._marker, link), "text/html")
        return message

    def delivered(self) -> None:
        """One subscriber's copy was taken by the mail server: its ad was shown once. Not
        counted when the copy is built: a copy the server refuses (and tries again on a rerun)
        or a send stopped half-way would bill the advertiser for mail nobody got."""
        if self.ad is not None and not self.ad.exhausted:
            self.ad.sent()

    def test_copy(self, address: str) -> EmailMultiAlternatives:
        """The mail as subscribers will get it, to one editor before it goes out: marked as a
        test in its subject, with no one's unsubscribe link, and not counted as sent (no
        delivery, no showing of the ad)."""
        message = NewsletterMessage(subject=f"[Test] {self.subject}",
                                    body=self._text.replace(self._marker,
                                                            "(none in a test copy)"),
                                    to=[address], headers=site_headers())
        message.attach_alternative(self.preview(), "text/html")
        return message

    def preview(self) -> str:
        """The HTML mail as a subscriber gets it, for the desk (no one's unsubscribe link)."""
        return self._html.replace(self._marker, "#unsubscribe")

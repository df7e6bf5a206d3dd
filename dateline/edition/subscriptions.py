"""Subscribing to the newsletter (double opt-in) and leaving it (one click, RFC 8058).

The sign-up page answers the same whether or not an address is on the list, so that nobody
learns who reads the newsletter; the confirmation mail goes out either way (confirming twice
changes nothing). None of these views declares surrogate keys: the page cache never stores a
page that carries a CSRF token or changes a subscription.
"""

import logging
import math
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from dateline.base.hashes import address_hash, sender_hash
from dateline.base.methods import takes_posts
from dateline.base.ratelimits import RateLimit
from dateline.pagecache.queries import reads_query

from .models import Subscriber
from .newsletter import (
    LinkExpired,
    confirmation_mail,
    subscriber_to_confirm,
    subscriber_to_unsubscribe,
)

logger = logging.getLogger(__name__)


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Your e-mail address", max_length=254,
        help_text="We send a link to this address: the newsletter starts once you open it.",
        error_messages={"required": "Enter your e-mail address.",
                        "invalid": "Enter an e-mail address like name@example.org."},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    # The honeypot, as on the report form: hidden from people by the stylesheet, labelled for
    # screen readers; robots that fill in every field fill it in too.
    website = forms.CharField(
        label="If you are a person, leave this empty", required=False, max_length=200,
        strip=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    @property
    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


def signups_per_sender() -> RateLimit:
    """Every sign-up attempt from one address (IPv4) or network (IPv6 /64)."""
    return RateLimit("newsletter-sender", settings.DATELINE_NEWSLETTER_SIGNUPS_PER_SENDER,
                     settings.DATELINE_SUBMISSION_RATE_WINDOW)


def signups_per_address() -> RateLimit:
    """Confirmation mails to one address, whoever asks: no inbox is flooded through us."""
    return RateLimit("newsletter-address", settings.DATELINE_NEWSLETTER_SIGNUPS_PER_ADDRESS,
                     settings.DATELINE_SUBMISSION_RATE_WINDOW)


def do_request_subscription(email: str) -> Subscriber:
    """The address's subscriber, created unconfirmed if new; a confirmed or an unsubscribed
    one is left as it is until its owner follows the new link. A sign-up never confirmed is
    asked afresh: its time is now, so the new link lives its whole age (kept from the first
    try, the morning's clean-up deleted the row under a link sent hours before)."""
    email = BaseUserManager.normalize_email(email.strip())
    subscriber = Subscriber.objects.filter(email__iexact=email).first()
    if subscriber is None:
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(email=email)
        except IntegrityError:  # the same address, sent twice at once
            subscriber = Subscriber.objects.get(email__iexact=email)
    elif subscriber.confirmed_at is None:
        subscriber.created_at = timezone.now()
        Subscriber.objects.filter(pk=subscriber.pk, confirmed_at__isnull=True).update(
            created_at=subscriber.created_at)
    return subscriber


def forget_unconfirmed(now=None) -> int:
    """Delete sign-ups never confirmed once their link has long expired, and readers who left
    DATELINE_NEWSLETTER_FORGET_UNSUBSCRIBED_DAYS ago: an address is not kept for good on the
    chance its owner wants the newsletter (again). Their deliveries go with them."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.DATELINE_NEWSLETTER_CONFIRM_MAX_AGE * 2)
    left = now - timedelta(days=settings.DATELINE_NEWSLETTER_FORGET_UNSUBSCRIBED_DAYS)
    deleted, _ = Subscriber.objects.filter(
        Q(confirmed_at__isnull=True, created_at__lt=cutoff) | Q(unsubscribed_at__lt=left)
    ).delete()
    return deleted


def forget_address(email: str) -> bool:
    """Erase one reader's address and what was kept with it (an erasure request)."""
    email = BaseUserManager.normalize_email(email.strip())
    deleted, _ = Subscriber.objects.filter(email__iexact=email).delete()
    return bool(deleted)


def do_confirm(subscriber: Subscriber) -> None:
    """Start (or restart, after an unsubscribe) the newsletter; nothing if it runs already."""
    if not subscriber.is_active:
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.save(update_fields=["confirmed_at", "unsubscribed_at"])


def do_unsubscribe(subscriber: Subscriber) -> None:
    """Stop the newsletter at once (the edition being sent skips the reader from its next mail)."""
    Subscriber.objects.filter(pk=subscriber.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=timezone.now())


@reads_query()
@takes_posts
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def subscribe(request: HttpRequest) -> HttpResponse:
    """Show the sign-up form (GET), or mail a confirmation link to the address (POST)."""
    if request.method != "POST":
        return _form_page(request, SubscribeForm())
    refusal = signups_per_sender().count(sender_hash(request))
    if refusal:
        kept = SubscribeForm(initial={"email": request.POST.get("email", "")})
        response = _form_page(request, kept, status=429, problem="too_many",
                              retry_minutes=math.ceil(refusal.retry_after / 60))
        response["Retry-After"] = str(refusal.retry_after)
        return response
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    if form.is_robot:
        return redirect("edition:subscribe_sent")  # told nothing: it would only try again
    email = form.cleaned_data["email"]
    # Past the limit for this address, the answer stays the same and no mail goes out.
    if signups_per_address().count(address_hash(email)) is None:
        subscriber = do_request_subscription(email)
        try:
            confirmation_mail(subscriber).send()
        except Exception as error:  # a mail server down or refusing: the reader may retry
            logger.warning("newsletter: confirmation to subscriber %s not sent: %r",
                           subscriber.pk, error)
            return _form_page(request, form, status=503, problem="mail_failed")
    return redirect("edition:subscribe_sent")


def _form_page(request: HttpRequest, form: SubscribeForm, *, status: int = 200,
               **context) -> HttpResponse:
    return render(request, "edition/subscribe.html", {
        "form": form, "edition_name": settings.DATELINE_EDITION_NAME,
        "has_errors": form.is_bound and bool(form.errors), **context,
    }, status=status)


@reads_query()
@require_safe
@never_cache
def sent(request: HttpRequest) -> HttpResponse:
    """Ask the reader to open the link we mailed (said the same for every address)."""
    return render(request, "edition/subscribe_sent.html",
                  {"edition_name": settings.DATELINE_EDITION_NAME})


@reads_query()
@takes_posts
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The signed link shows a button (GET); pressing it (POST) confirms the address.

    Mail scanners open every link in a mail: confirming on GET would let one subscribe an
    address that someone else typed in. Confirming again changes nothing.
    """
    try:
        subscriber = subscriber_to_confirm(token)
    except LinkExpired:
        return _bad_link(request, "expired", status=410)
    if subscriber is None:
        return _bad_link(request, "invalid", status=404)
    if request.method != "POST" and not subscriber.is_active:
        return render(request, "edition/subscribe_confirm.html", {
            "subscriber": subscriber, "edition_name": settings.DATELINE_EDITION_NAME})
    do_confirm(subscriber)
    return render(request, "edition/subscribe_confirmed.html",
                  {"edition_name": settings.DATELINE_EDITION_NAME})


# RFC 8058: a mail provider's one-click POST comes with no cookie and no token of ours; the
# signed link is what proves it is the reader's. A GET only shows the button, because mail
# scanners follow every link in a mail.
@reads_query()
@takes_posts
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Show the unsubscribe button (GET), or unsubscribe at once (POST, one-click included)."""
    subscriber = subscriber_to_unsubscribe(token)
    if subscriber is None:
        return _bad_link(request, "invalid", status=404)
    if request.method == "POST":
        do_unsubscribe(subscriber)
    return render(request, "edition/subscribe_unsubscribe.html", {
        "subscriber": subscriber, "done": request.method == "POST",
        "edition_name": settings.DATELINE_EDITION_NAME,
    })


def _bad_link(request: HttpRequest, problem: str, status: int) -> HttpResponse:
    return render(request, "edition/subscribe_link.html", {
        "problem": problem, "edition_name": settings.DATELINE_EDITION_NAME,
        "days": settings.DATELINE_NEWSLETTER_CONFIRM_MAX_AGE // 86400,
    }, status=status)

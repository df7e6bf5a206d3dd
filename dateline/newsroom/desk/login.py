"""The desk's door: the login form (password, then the two-factor code) and the lock-out page.

django-axes counts failures (AUTHENTICATION_BACKENDS starts with its backend): a wrong
password, or a wrong code after the right password, counts against the account and against
the address; past AXES_FAILURE_LIMIT both are refused, the right password included, until
AXES_COOLOFF_TIME has passed since the last failure.
"""

import ipaddress

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm, AdminPasswordChangeForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dateline.base.clients import client_address

from .two_factor import confirmed_device


def login_address(request: HttpRequest) -> str:
    """The address failures are counted by: an IPv4 address, or the /64 an IPv6 one is in."""
    address = client_address(request).split("%", 1)[0]  # no IPv6 zone ("fe80::1%eth0")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "0.0.0.0"  # no usable peer address (a unix socket): all such clients count as one
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:  # a dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d
            return str(ip.ipv4_mapped)
        # One phone or household holds a whole /64: counting single addresses would let it
        # try 2**64 times as often.
        return str(ipaddress.IPv6Network((ip, 64), strict=False).network_address)
    return str(ip)


@receiver(user_logged_in, dispatch_uid="desk.forget_own_failures")
def forget_own_failures(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """A colleague's morning typo does not count against the evening: a login clears its own
    account's failures from its own address, and nobody else's."""
    from axes.models import AccessAttempt

    if request is not None:
        AccessAttempt.objects.filter(username=user.get_username(),
                                     ip_address=login_address(request)).delete()


class DeskAuthenticationForm(AdminAuthenticationForm):
    """Username and password, and the authenticator's code for accounts that turned it on."""

    otp_token = forms.CharField(
        label="Two-factor code", required=False, max_length=12,
        help_text="Only if you turned on two-factor authentication: the 6 digits your "
        "authenticator app shows now.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean(self):
        cleaned = super().clean()  # the password, through django-axes
        user = self.get_user()
        device = confirmed_device(user) if user is not None else None
        if device is None:
            return cleaned
        token = "".join(cleaned.get("otp_token", "").split())
        if not token:
            raise forms.ValidationError(
                "This account uses two-factor authentication: enter your password again with "
                "the 6-digit code your authenticator app shows now.", code="token_required")
        allowed, _ = device.verify_is_allowed()
        if not allowed or not device.verify_token(token):
            # Counted like a wrong password, so that knowing the password does not buy
            # unlimited guesses at the code.
            user_login_failed.send(sender=__name__, request=self.request,
                                   credentials={"username": user.get_username()})
            raise forms.ValidationError(
                "That code is not the one your authenticator app shows now (or there were too "
                "many wrong codes; wait a minute). Enter your password and the current code "
                "again.", code="invalid_token")
        user.otp_device = device  # django_otp marks the session verified at login
        return cleaned


class DeskPasswordChangeForm(AdminPasswordChangeForm):
    """Changing the password asks for the old one: wrong guesses count like failed logins."""

    request: HttpRequest  # set by DeskSite.password_change on a class made per request

    def clean_old_password(self) -> str:
        credentials = {"username": self.user.get_username()}
        if not AxesProxyHandler.is_allowed(self.request, credentials):
            raise forms.ValidationError(
                "Too many failed logins for this account or from this address: try again "
                "later.", code="locked_out")
        try:
            return super().clean_old_password()
        except forms.ValidationError:
            user_login_failed.send(sender=__name__, request=self.request, credentials=credentials)
            raise


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The lock-out page, in the desk's look, saying when to try again."""
    cool_off = get_cool_off(request)
    # The cool-off runs from the latest failure, and this request was one.
    until = timezone.localtime(timezone.now() + cool_off) if cool_off else None
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed logins",
        "until": until,
        "minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "desk/locked_out.html", context, status=429)


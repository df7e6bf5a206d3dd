"""Two-factor authentication for desk accounts: TOTP devices (django-otp) and who must use one.

An account turns it on from the desk (the page shows a QR code and the secret; a code from
the app confirms it) and off again with a code. The chief editor lists roles that must use it
(TwoFactorRole); their accounts without a device are sent to this page before anything else.
"""

import base64

from django import forms
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..models import TwoFactorRole

DEVICE_NAME = "Authenticator app"


def confirmed_device(user) -> TOTPDevice | None:
    """The authenticator this account confirmed, if it has turned two-factor on."""
    if not user.is_authenticated:
        return None
    # Asked several times per desk request (the site's permission check, its menu): once
    # per loaded account is enough, and a change is seen at the next request.
    if not hasattr(user, "_desk_device"):
        user._desk_device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return user._desk_device


def role_requires_it(user) -> bool:
    """Does one of this account's roles require two-factor authentication?"""
    if not hasattr(user, "_desk_two_factor_required"):
        user._desk_two_factor_required = TwoFactorRole.objects.filter(group__user=user).exists()
    return user._desk_two_factor_required


def needs_code(user) -> bool:
    """Must this session show a code before using the desk (has or needs a device, unverified)?"""
    if not user.is_authenticated or user.is_verified():
        return False
    return confirmed_device(user) is not None or role_requires_it(user)


def must_enrol(user) -> bool:
    """Is this account of a role that requires two-factor, without an authenticator yet?"""
    return (user.is_authenticated and user.is_active and user.is_staff
            and confirmed_device(user) is None and role_requires_it(user))


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app", max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True}),
    )

    def __init__(self, *args, device: TOTPDevice, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not self.device.verify_token(code):
            raise forms.ValidationError(
                "That is not the code your app shows now (after several wrong codes, wait a "
                "minute before the next try).")
        return code


def qr_svg(data: str) -> str:
    """The QR code of `data` as inline SVG: drawn here, nothing fetched, no script."""
    # Loaded by the first enrolment: 30 ms of every process's start otherwise.
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return mark_safe(image.to_string(encoding="unicode"))  # our own drawing, no user text


def two_factor(request: HttpRequest, site) -> HttpResponse:
    """Turn two-factor authentication on (scan, confirm with a code) or off (with a code)."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"),
                                 REDIRECT_FIELD_NAME)
    device = confirmed_device(user)
    if device is not None and not user.is_verified():
        # A session from before the device was confirmed elsewhere: log in with the code first.
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if device is None:
        return _enrol(request, site)
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        device.delete()
        messages.success(request, "Two-factor authentication is off for your account.")
        return redirect("admin:two_factor")
    return _render(request, site, "on", form=form, required=role_requires_it(user))


def _enrol(request: HttpRequest, site) -> HttpResponse:
    user = request.user
    with transaction.atomic():
        # One pending device per account, kept across reloads so the code already scanned
        # stays the one to confirm.
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)  # this session has just shown a code
        messages.success(request, "Two-factor authentication is on: from now on the desk asks "
                                  "for a code from your app at each login.")
        return redirect("admin:index")
    secret = base64.b32encode(device.bin_key).decode()
    return _render(request, site, "off", form=form, qr=qr_svg(device.config_url),
                   secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
                   required=role_requires_it(user))


def _render(request: HttpRequest, site, state: str, **context) -> HttpResponse:
    return render(request, "desk/two_factor.html", {
        **site.each_context(request),
        # The page must work before the account may use the rest of the desk: show the user
        # links (log out) but not the desk's menu.
        "has_permission": True, "is_nav_sidebar_enabled": False,
        "title": "Two-factor authentication", "state": state, **context,
    })

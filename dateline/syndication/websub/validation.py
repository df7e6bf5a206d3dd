"""Check a subscriber's request to the hub; every refusal says what to fix, none is a crash."""

import urllib.parse
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from . import outbound, topics
from .models import Intent, Mode, Subscription, pair_digest

MAX_CALLBACK = 2000
MAX_TOPIC = 1000
MAX_SECRET_BYTES = 199  # the recommendation: "MUST be less than 200 bytes"


class Refused(Exception):
    """The request cannot be accepted; the message goes back to the subscriber as plain text."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class HubRequest:
    mode: str
    topic: str
    topic_path: str
    callback: str
    callback_host: str
    lease_seconds: int
    secret: str


def check_request(request: HttpRequest) -> HubRequest:
    """The subscriber's request, checked and normalised; raise Refused if it cannot stand."""
    form = request.POST
    mode = check_mode(form.get("hub.mode"))
    topic, topic_path = check_topic(form.get("hub.topic"), request)
    callback, callback_host = check_callback(form.get("hub.callback"))
    lease_seconds = check_lease(form.get("hub.lease_seconds"))
    secret = check_secret(form.get("hub.secret")) if mode == Mode.SUBSCRIBE else ""
    checked = HubRequest(mode, topic, topic_path, callback, callback_host, lease_seconds, secret)
    if mode == Mode.SUBSCRIBE:
        check_host_quota(checked)
    return checked


def check_mode(value: str | None) -> str:
    if not value:
        raise Refused("hub.mode is required: subscribe or unsubscribe.")
    if value not in Mode.values:
        raise Refused("hub.mode must be subscribe or unsubscribe; this hub publishes its "
                      "own feeds, so it takes no publish requests.")
    return value


def plain_ascii(value: str) -> bool:
    return value.isascii() and value.isprintable() and " " not in value


def check_topic(value: str | None, request: HttpRequest) -> tuple[str, str]:
    example = request.build_absolute_uri(topics.feed_path("site-rss"))
    wrong = Refused(f"hub.topic must be the URL of one of this site's feeds, e.g. {example}")
    if not value:
        raise Refused(f"hub.topic is required: the URL of one of this site's feeds, e.g. "
                      f"{example}")
    if len(value) > MAX_TOPIC or not plain_ascii(value):
        raise wrong
    try:
        parts = urllib.parse.urlsplit(value)
        host_matches = parts.netloc.lower() == request.get_host().lower()
    except ValueError:
        raise wrong from None
    if parts.scheme not in ("http", "https") or not host_matches or parts.query or parts.fragment:
        raise wrong
    path = urllib.parse.unquote(parts.path)
    match = topics.feed_match(path)
    if match is None:
        raise wrong
    if not topics.feed_exists(match, request):
        raise Refused("hub.topic names a section or tag that does not exist (any more).")
    return value, path


def check_callback(value: str | None) -> tuple[str, str]:
    if not value:
        raise Refused("hub.callback is required: the http(s) URL that will receive the feed.")
    if len(value) > MAX_CALLBACK:
        raise Refused(f"hub.callback must be at most {MAX_CALLBACK} characters long.")
    if not plain_ascii(value):
        raise Refused("hub.callback must be an absolute URL in ASCII, without spaces "
                      "(percent-encode other characters; use punycode for the host).")
    try:
        parts = urllib.parse.urlsplit(value)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise Refused("hub.callback is not a valid URL (check the host and port).") from None
    if parts.scheme not in ("http", "https"):
        raise Refused("hub.callback must be an http or https URL.")
    if not host or len(host) > 253:
        raise Refused("hub.callback must name a host (of at most 253 characters).")
    if parts.username is not None or parts.password is not None:
        raise Refused("hub.callback must not carry a user name or password; put a "
                      "secret token in its path or query instead, or use hub.secret.")
    if parts.fragment:
        raise Refused("hub.callback must not have a #fragment.")
    allowed = settings.DATELINE_WEBSUB_ALLOW_PRIVATE
    try:
        outbound.addresses(host, port or (443 if parts.scheme == "https" else 80),
                           allow_private=allowed)
    except outbound.PrivateAddress:
        # A link-local address (a cloud's metadata service) even where private ones are
        # allowed: the hub would call it.
        raise Refused("hub.callback resolves to a private, loopback or link-local "
                      "address; this hub only calls public addresses.") from None
    except outbound.OutboundError:
        if not allowed:  # a private network's names may resolve only where its hub runs
            raise Refused("hub.callback's host name does not resolve.") from None
    return value, host


def check_lease(value: str | None) -> int:
    """The lease asked for, held between the hub's minimum and maximum; the default if none."""
    if not value:
        return settings.DATELINE_WEBSUB_LEASE_SECONDS
    if len(value) > 12 or not value.isdigit() or not value.isascii():
        raise Refused("hub.lease_seconds must be a whole number of seconds.")
    return max(settings.DATELINE_WEBSUB_MIN_LEASE_SECONDS,
               min(int(value), settings.DATELINE_WEBSUB_MAX_LEASE_SECONDS))


def check_secret(value: str | None) -> str:
    if not value:
        return ""
    if len(value.encode()) > MAX_SECRET_BYTES:
        raise Refused("hub.secret must be less than 200 bytes long.")
    if not value.isprintable():
        raise Refused("hub.secret must be printable text.")
    return value


def check_host_quota(checked: HubRequest) -> None:
    """Bound what one callback host may hold, renewals of its existing subscriptions aside."""
    digest = pair_digest(checked.topic, checked.callback)
    host = checked.callback_host
    held = (
        Subscription.objects.filter(callback_host=host).exclude(identity=digest).count()
        + Intent.objects.filter(callback_host=host).exclude(
            topic=checked.topic, callback=checked.callback).count()
    )
    if held >= settings.DATELINE_WEBSUB_MAX_PER_HOST:
        raise Refused(f"{host[:100]} already holds {held} subscriptions and requests, the most "
                      "this hub keeps for one callback host.", status=429)


"""Verify intent: a request counts only once its callback echoes a challenge sent to it.

Anyone can ask the hub to subscribe or unsubscribe any URL; the GET with a random challenge
proves that the callback's owner wants it, so the hub never floods a stranger's server or
drops a partner's subscription on a third party's word.
"""

import logging
import secrets
import urllib.parse
from datetime import timedelta
from functools import partial

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from . import outbound
from .models import Intent, Mode, Subscription, pair_digest
from .validation import HubRequest

logger = logging.getLogger(__name__)


def request_verification(checked: HubRequest) -> Intent | None:
    """Keep the request and have the worker verify it; a newer one replaces an older one.
    An unsubscription of what is neither held nor asked for is nothing to verify: answered
    as any other (no one learns whether a callback is subscribed), and kept nowhere."""
    with transaction.atomic():
        pending = Intent.objects.filter(callback_host=checked.callback_host,
                                        topic=checked.topic, callback=checked.callback)
        if checked.mode == Mode.UNSUBSCRIBE and not pending.exists() and not (
                Subscription.objects.filter(
                    identity=pair_digest(checked.topic, checked.callback)).exists()):
            return None
        pending.delete()
        intent = Intent.objects.create(
            mode=checked.mode, topic=checked.topic, topic_path=checked.topic_path,
            callback=checked.callback, callback_host=checked.callback_host,
            lease_seconds=checked.lease_seconds, secret=checked.secret,
        )
        transaction.on_commit(partial(verify_intent.enqueue, intent.pk))
    return intent


def with_query(url: str, params: dict[str, str]) -> str:
    """The callback with the hub's parameters added to any query string it already has."""
    parts = urllib.parse.urlsplit(url)
    query = "&".join(q for q in (parts.query, urllib.parse.urlencode(params)) if q)
    return urllib.parse.urlunsplit(parts._replace(query=query))


# After the site's own work of priority 0 (the edition, outlets' feeds, a saved story's
# analysis, pushes to subscribers), before the archive's bulk analysis (-10): a flood of
# requests to verify, each a GET that may wait seconds, delays only other verifications.
VERIFY_PRIORITY = -5


@task(priority=VERIFY_PRIORITY)
def verify_intent(intent_id: int) -> bool:
    """The worker's task: ask the callback to confirm, and apply the request if it echoes the
    challenge exactly."""
    intent = Intent.objects.filter(pk=intent_id).first()
    if intent is None:
        return False  # replaced by a newer request for the same pair, which has its own task
    challenge = secrets.token_urlsafe(32)
    params = {"hub.mode": intent.mode, "hub.topic": intent.topic, "hub.challenge": challenge}
    if intent.mode == Mode.SUBSCRIBE:
        params["hub.lease_seconds"] = str(intent.lease_seconds)
    try:
        # One byte more than the challenge is enough to tell an echo from anything else.
        reply = outbound.fetch("GET", with_query(intent.callback, params),
                               read_limit=len(challenge) + 1)
        confirmed = 200 <= reply.status < 300 and reply.body == challenge.encode()
        outcome = "confirmed" if confirmed else f"not confirmed (status {reply.status})"
    except outbound.OutboundError as error:
        confirmed, outcome = False, f"not confirmed ({error})"
    with transaction.atomic():
        if not Intent.objects.filter(pk=intent.pk).delete()[0]:
            return False  # a newer request arrived while we waited; it decides
        if confirmed:
            apply(intent)
    logger.info("websub %s of %s for %s: %s", intent.mode, intent.topic, intent.callback_host,
                outcome)
    return confirmed


def apply(intent: Intent) -> None:
    if intent.mode == Mode.UNSUBSCRIBE:
        Subscription.objects.filter(identity=intent.digest).delete()
        return
    now = timezone.now()
    Subscription.objects.update_or_create(
        identity=intent.digest,
        defaults={
            "topic": intent.topic, "topic_path": intent.topic_path,
            "callback": intent.callback, "callback_host": intent.callback_host,
            "secret": intent.secret, "lease_seconds": intent.lease_seconds,
            "expires_at": now + timedelta(seconds=intent.lease_seconds), "verified_at": now,
        },
    )

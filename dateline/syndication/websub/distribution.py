"""Content distribution: push a changed feed to its subscribers, signed, and retried.

A change marks the subscriptions of every feed that shows the story and wakes the worker,
which renders each marked feed once and posts it to all of its subscribers at the same time.
Marks pile up while a delivery is in flight, so a burst of publications costs a subscriber
one push of the newest feed, not one per story. A failed push is tried again with growing
pauses, a bounded number of times, always with the feed as it is by then.
"""

import hashlib
import hmac
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, PositiveIntegerField, Q, Value, When
from django.dispatch import receiver
from django.tasks import task
from django.utils import timezone

from dateline.newsroom.signals import public_story_changed

from . import outbound, topics
from .models import Intent, Subscription

logger = logging.getLogger(__name__)

# What changes a feed (kinds of newsroom's public_story_changed); live-coverage entries
# show on the story's page, not in feeds.
FEED_KINDS = frozenset({"published", "updated", "breaking", "unpublished"})
# Requests whose verification never ran (a lost task) are forgotten after this.
STALE_INTENT = timedelta(days=1)
USER_AGENT = "Dateline-WebSub-Hub/1 (+https://www.w3.org/TR/websub/)"


@receiver(public_story_changed, dispatch_uid="dateline.syndication.websub")
def notify_topics_for(kind: str, article_id: int | None, **kwargs) -> None:
    """After the transaction commits, mark the story's feeds changed and wake the worker."""
    if kind in FEED_KINDS and article_id is not None:
        # Robust: a failure here is logged, never raised into the desk's request that published.
        transaction.on_commit(partial(mark_changed, article_id), robust=True)


def mark_changed(article_id: int) -> int:
    """Mark the subscriptions of every feed showing the story; enqueue a delivery if any."""
    subscribed = Subscription.objects.current()
    if not subscribed.exists():
        return 0  # the usual case: no query for the story's feeds and no task
    paths = topics.paths_showing(article_id)
    # A deleted story took its section and tags with it: any subscribed feed may have shown it.
    targets = subscribed if paths is None else subscribed.filter(topic_path__in=paths)
    marked = targets.update(changes_pending=F("changes_pending") + 1)
    if marked:
        distribute_pending.enqueue()
    return marked


def signature(secret: str, body: bytes) -> str:
    """The X-Hub-Signature value: the body's HMAC-SHA256 keyed with the subscriber's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(subscription: Subscription, content: topics.Content) -> str | None:
    """POST the feed to the callback: None if it took it (2xx), else what went wrong."""
    headers = {"Content-Type": content.content_type, "Link": content.links,
               "User-Agent": USER_AGENT}
    if subscription.secret:
        headers["X-Hub-Signature"] = signature(subscription.secret, content.body)
    try:
        reply = outbound.fetch("POST", subscription.callback, body=content.body, headers=headers)
    except outbound.OutboundError as error:
        return str(error)
    return None if 200 <= reply.status < 300 else f"the callback answered {reply.status}"


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=settings.DATELINE_WEBSUB_RETRY_SECONDS * 2 ** (attempts - 1))


def prune(now: datetime) -> None:
    Subscription.objects.filter(expires_at__lte=now).delete()
    Intent.objects.filter(created_at__lte=now - STALE_INTENT).delete()


@task()
def distribute_pending() -> int:
    """The worker's task: push every marked feed whose next attempt is due; return how many
    pushes succeeded. A failed push books this task again for its retry."""
    now = timezone.now()
    prune(now)
    due = list(
        Subscription.objects.current().filter(changes_pending__gt=0)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    )
    if not due:
        return 0
    contents = {topic: render(topic) for topic in {s.topic for s in due}}
    jobs, outcomes = [], []
    for subscription in due:
        content = contents[subscription.topic]
        if content is None:
            record(subscription, now, "the feed no longer exists", give_up=True)
        elif isinstance(content, str):
            outcomes.append((subscription, content))
        else:
            jobs.append((subscription, content))
    with ThreadPoolExecutor(min(len(jobs), settings.DATELINE_WEBSUB_DELIVERY_THREADS) or 1) as pool:
        errors = list(pool.map(lambda job: deliver(*job), jobs))
    outcomes += [(s, error) for (s, _), error in zip(jobs, errors, strict=True)]
    retries = [at for s, error in outcomes if (at := record(s, now, error)) is not None]
    if retries:
        distribute_pending.using(run_after=min(retries)).enqueue()
    return errors.count(None)


def render(topic: str) -> topics.Content | str | None:
    """The topic's feed; a string says why it could not be rendered (retried later)."""
    try:
        return topics.render(topic)
    except Exception:
        logger.exception("websub: could not render %s", topic)
        return "the hub could not render the feed"


def record(subscription: Subscription, now: datetime, error: str | None,
           give_up: bool = False) -> datetime | None:
    """Write down how a push went; return when to try again, if it is to be tried again."""
    done = Case(When(changes_pending=subscription.changes_pending, then=Value(0)),
                default=F("changes_pending"),  # keep marks made while we were delivering
                output_field=PositiveIntegerField())
    row = Subscription.objects.filter(pk=subscription.pk)
    if error is None:
        row.update(changes_pending=done, attempts=0, next_attempt_at=None, last_error="",
                   last_attempt_at=now, last_delivered_at=now)
        return None
    attempts = subscription.attempts + 1
    if give_up or attempts >= settings.DATELINE_WEBSUB_DELIVERY_ATTEMPTS:
        logger.warning("websub: gave up pushing %s to %s after %s attempts: %s",
                       subscription.topic, subscription.callback_host, attempts, error)
        row.update(changes_pending=done, attempts=0, next_attempt_at=None,
                   last_error=error[:500], last_attempt_at=now)
        return None
    next_attempt = now + backoff(attempts)
    row.update(attempts=attempts, next_attempt_at=next_attempt, last_error=error[:500],
               last_attempt_at=now)
    return next_attempt

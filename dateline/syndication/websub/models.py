"""WebSub's state: requests waiting for their callback to confirm, and live subscriptions.

The tables keep the names they had when the hub was part of `live` (`db_table`): moving the
models into this app changed only Django's state (syndication migration 0002), no table, so
an upgrade copies, locks and renames nothing, and a process of the previous release still
running during the upgrade keeps finding its rows.
"""

import hashlib

from django.db import models
from django.utils import timezone


def pair_digest(topic: str, callback: str) -> str:
    """One subscription per (topic, callback); hashed, as the two URLs are too long to index."""
    return hashlib.sha256(f"{topic}\n{callback}".encode()).hexdigest()


class Mode(models.TextChoices):
    SUBSCRIBE = "subscribe", "Subscribe"
    UNSUBSCRIBE = "unsubscribe", "Unsubscribe"


class Target(models.Model):
    """What a subscription request and a subscription both name: a feed and a callback."""

    # The topic exactly as the subscriber wrote it: verification echoes it back.
    topic = models.CharField(max_length=1000)
    # Its path, percent-decoded: what a changed story's feeds are matched against.
    topic_path = models.CharField(max_length=1000, db_index=True)
    callback = models.CharField(max_length=2000)
    callback_host = models.CharField(max_length=255, db_index=True)
    secret = models.CharField(max_length=200, blank=True)
    lease_seconds = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.callback} ← {self.topic}"

    @property
    def digest(self) -> str:
        return pair_digest(self.topic, self.callback)


class Intent(Target):
    """A subscribe or unsubscribe request, applied only once its callback echoes the challenge."""

    mode = models.CharField(max_length=11, choices=Mode.choices)

    class Meta:
        db_table = "live_intent"  # the name it had under `live`; see the module's docstring
        ordering = ["-created_at"]
        verbose_name = "WebSub request awaiting verification"
        verbose_name_plural = "WebSub requests awaiting verification"


class SubscriptionQuerySet(models.QuerySet):
    def current(self) -> "SubscriptionQuerySet":
        """Subscriptions whose lease has not run out; expired ones get nothing."""
        return self.filter(expires_at__gt=timezone.now())


class Subscription(Target):
    """A verified subscriber of one feed, pushed each change until its lease ends."""

    identity = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(db_index=True)
    verified_at = models.DateTimeField(default=timezone.now)
    # Raised by every change of the feed, cleared when one delivery has sent the fresh feed:
    # a burst of publications costs each subscriber one push, not one per story.
    changes_pending = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Failed attempts at delivering the pending change.")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        db_table = "live_subscription"  # the name it had under `live`
        ordering = ["topic", "callback"]
        verbose_name = "WebSub subscription"

    def save(self, *args, **kwargs) -> None:
        self.identity = self.digest
        super().save(*args, **kwargs)

"""Counts per hour: what was read and shown, never who read it."""

from django.db import models


class Tally(models.Model):
    """How many times one thing was counted in one hour (UTC)."""

    class Kind(models.TextChoices):
        VIEW = "view", "story view"
        IMPRESSION = "impression", "ad impression"
        CLICK = "click", "ad click"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # A story's or a campaign's primary key, kept as text so that any app may count its own
    # things (a filter with an int finds the same rows: Django turns it to text).
    key = models.CharField(max_length=40)
    hour = models.DateTimeField(help_text="The start of the hour, in UTC.")
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "hour"],
                                    name="readership_tally_one_row"),
        ]
        # "Most read" and the desk's screens read the recent hours of one kind.
        indexes = [models.Index(fields=["kind", "hour"], name="readership_tally_kind_hour")]
        verbose_name_plural = "tallies"

    def __str__(self) -> str:
        return f"{self.kind} {self.key} at {self.hour:%Y-%m-%d %H}:00: {self.count}"


class BeaconLogRead(models.Model):
    """How far the beacons of one of nginx's log files are counted (beacon_log.py): written in
    the transaction that writes their counts, so a restart goes on from there."""

    # "<host>/<file>": two app servers, each behind its own nginx, share the database.
    name = models.CharField(max_length=200, unique=True)
    offset = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.offset} bytes counted"

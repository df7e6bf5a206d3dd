"""What ingest keeps: the feeds it watches, their items (once each, with versions), failed
payloads for diagnosis, story clusters, watched terms and press reviews.

A feed belongs to an outlet, the newsroom's `Source`, so a draft made from its items names
that outlet under "Sources:" and carries its rights.
"""

from django.conf import settings
from django.db import models

from dateline.newsroom.models import Article, Source


class Feed(models.Model):
    """One channel of an outlet that the worker polls (a feed URL, a folder, a mailbox)."""

    outlet = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="feeds")
    name = models.CharField(max_length=200, help_text='e.g. "Le Monde — International".')
    site = models.URLField(max_length=500, blank=True, help_text="The outlet's page for it.")
    url = models.CharField(
        "feed URL or path", max_length=1000,
        help_text="An http(s) URL for a feed, a folder path for the folder service.",
    )
    service = models.CharField(
        max_length=40, default="http",
        help_text="How items are fetched (DATELINE_INGEST_SERVICES).")
    parser = models.CharField(
        max_length=40, blank=True,
        help_text="The format; blank: recognised from the content (DATELINE_INGEST_PARSERS).")
    language = models.CharField(max_length=12, blank=True, help_text="e.g. fr; blank: detected.")
    encoding = models.CharField(
        max_length=40, blank=True,
        help_text="The feed's character set where it names none (no XML declaration, no "
        "charset from its server), e.g. windows-1251; blank: UTF-8, else Windows-1252.")
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 code, e.g. FR.")
    poll_interval = models.PositiveIntegerField(default=900, help_text="Seconds between polls.")
    active = models.BooleanField(default=True)
    full_text = models.BooleanField(
        default=False,
        help_text="Fetch each story's page for its full text when the feed gives only a teaser.")
    may_quote = models.BooleanField(default=True, help_text="Short excerpts may be quoted.")
    may_republish = models.BooleanField(
        default=False, help_text="Whole items may be republished (an agreement exists).")

    # Conditional GET: what the outlet said last time.
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    # Health, in words an editor reads on the desk.
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    # What the last poll read anyway, and how (an encoding mislabelled, characters left out,
    # items past the cap): the parser's words; empty when the poll read all as it came.
    last_warnings = models.TextField(blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="Failed polls in a row.")
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["outlet__name", "name"]
        constraints = [models.UniqueConstraint(fields=["url"], name="feed_unique_url")]

    def __str__(self) -> str:
        return self.name


class Cluster(models.Model):
    """Items from different outlets about the same story, grouped as they arrive."""

    headline = models.CharField(max_length=500, help_text="Its most representative headline.")
    first_seen_at = models.DateTimeField(db_index=True)
    last_seen_at = models.DateTimeField(db_index=True)
    item_count = models.PositiveIntegerField(default=0)
    outlet_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-last_seen_at", "-pk"]

    def __str__(self) -> str:
        return self.headline


class Item(models.Model):
    """One story as an outlet published it: raw and normalised, stored once."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="items")
    outlet = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="ingested")
    # "guid:…", else "url:<canonical URL>", else "fp:<content fingerprint>": re-polling finds it.
    identity = models.CharField(max_length=600)
    guid = models.CharField(max_length=500, blank=True)
    link = models.URLField(max_length=1000, blank=True)
    canonical_url = models.URLField(max_length=1000, blank=True, db_index=True)
    fingerprint = models.CharField(max_length=64, db_index=True)
    headline = models.CharField(max_length=500)
    summary = models.TextField(blank=True)  # plain text
    body = models.TextField(blank=True)  # sanitised HTML, where the feed (or the page) gave it
    author = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=12, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    # The zone the outlet wrote the time in ("+01:00"), blank when it gave none.
    published_offset = models.CharField(max_length=6, blank=True)
    # Why the item's times are not trusted: "no zone", "in the future", "before 1990".
    date_flags = models.JSONField(default=list, blank=True)
    format = models.CharField(max_length=20)  # the parser that read it
    raw = models.TextField(blank=True, help_text="The entry as the outlet sent it (bounded).")
    version = models.PositiveIntegerField(default=1)
    # MinHash signature of its shingles, for near-duplicates and clustering.
    signature = models.BinaryField(null=True, blank=True)
    cluster = models.ForeignKey(Cluster, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="items")
    is_near_duplicate = models.BooleanField(default=False)
    first_seen_at = models.DateTimeField(auto_now_add=True, db_index=True)
    last_seen_at = models.DateTimeField(auto_now=True)
    # Used in a draft or a press review: kept past the expiry.
    used = models.BooleanField(default=False)

    class Meta:
        ordering = ["-first_seen_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["feed", "identity"], name="item_once_per_feed"),
        ]

    def __str__(self) -> str:
        return self.headline


class ItemVersion(models.Model):
    """An item as it read before an outlet changed it."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    headline = models.CharField(max_length=500)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    raw = models.TextField(blank=True)
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="itemversion_once"),
        ]

    def __str__(self) -> str:
        return f"Version {self.version} of item {self.item_id}"


class FailedPayload(models.Model):
    """What a feed sent that could not be read, kept a week for diagnosis."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="failed_payloads")
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    error = models.TextField()
    content_type = models.CharField(max_length=200, blank=True)
    payload = models.BinaryField(help_text="The first bytes (bounded) of what was received.")

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"Unreadable payload from feed {self.feed_id} at {self.received_at}"


class WatchedTerm(models.Model):
    """A name the foreign-media monitor looks for: the country and its variants."""

    term = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True)
    # "Georgia" watched, "Atlanta, Georgia" excluded: a story naming only the state is not news
    # about the country.
    excluded = models.BooleanField(
        "exclusion", default=False,
        help_text="A phrase that does not count as naming the country, where it holds a "
        "watched term (“Atlanta, Georgia” beside “Georgia”).",
    )

    class Meta:
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term


class PressReviewEntry(models.Model):
    """One outlet's item in a press review ("What foreign media write about …")."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE,
                                related_name="press_review_entries")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    outlet = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    headline = models.CharField(max_length=500, help_text="The outlet's headline.")
    link = models.URLField(max_length=1000)
    excerpt = models.TextField(blank=True, max_length=600,
                               help_text="A short quotation, within the outlet's rights.")
    summary = models.TextField(help_text="The editor's summary of what the outlet wrote.")
    language = models.CharField(max_length=12, blank=True)
    position = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["article", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.outlet_id}: {self.headline}"

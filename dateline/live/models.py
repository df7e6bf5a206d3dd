"""What readers with a page open are told, and the entries of live coverage."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from dateline.base import onetime
from dateline.base.prepared import Prepared
from dateline.newsroom.bylines import public_name
from dateline.newsroom.html import as_meant, sanitize_body
from dateline.newsroom.models import Article


class LiveEvent(models.Model):
    """One thing that happened, in the order it was committed; its id is the SSE event id.

    Kept for DATELINE_LIVE_RETENTION_DAYS so that a reader who reconnects (Last-Event-ID)
    is sent what was missed. The payload is what the stream sends, frozen at the time.
    """

    class Kind(models.TextChoices):
        PUBLISHED = "published", "Published"
        UPDATED = "updated", "Updated"
        BREAKING = "breaking", "Breaking"
        UNPUBLISHED = "unpublished", "Unpublished"
        ENTRY = "entry", "Live entry added"
        ENTRY_REMOVED = "entry-removed", "Live entry removed"

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # A plain id, not a foreign key: the event outlives a deleted article.
    article_id = models.PositiveBigIntegerField(null=True, db_index=True)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.id} {self.kind} {self.article_id}"

    @classmethod
    def last_id(cls) -> int:
        """The newest event's id (0 before the first): where a page or a stream starts."""
        return next(iter(_LAST_ID.rows()), (0,))[0]


class LiveEntry(models.Model):
    """A timestamped entry of live coverage, newest first on the article's page."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="live_entries")
    body = models.TextField(max_length=20_000, help_text="HTML; sanitised when saved.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The form page's one-time key (dateline.base.onetime): the same entry sent twice is one.
    sent_with = onetime.sent_with_field()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "live entries"

    def __str__(self) -> str:
        return f"{self.article_id} @ {self.created_at:%H:%M}"

    def save(self, *args, **kwargs) -> None:
        # Words only: an <img> typed into an entry pointed anywhere, no library photo behind
        # it, and readers got a broken image without alt text (its address blocked by the CSP).
        self.body = sanitize_body(as_meant(self.body), images=False)
        super().save(*args, **kwargs)

    @property
    def byline(self) -> str:
        """The name readers see on the entry: a public name, never a login name."""
        return public_name(self.author) if self.author_id else ""


# Every page rendered reads it (the live strip): its SQL built once (dateline.base.prepared).
_LAST_ID = Prepared(lambda: LiveEvent.objects.order_by("-id").values_list("id")[:1], LiveEvent)

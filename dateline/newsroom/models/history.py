"""What happened to an article: its revisions, its audit log and its public notes."""

from django.conf import settings
from django.db import models

from dateline.base import onetime

from .article import Article


class Revision(models.Model):
    """A copy of an article's text and metadata as one save left it."""

    class Kind(models.TextChoices):
        SAVE = "save", "Saved"
        RESTORE = "restore", "Restored from an earlier revision"
        IMPORT = "import", "Imported"
        REFUSED = "refused", "Refused: based on an outdated version"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SAVE)
    # The article version this revision created, or, for a refused save, the version its
    # author had opened.
    version = models.PositiveIntegerField()
    headline = models.CharField(max_length=300)
    standfirst = models.TextField(blank=True)
    body = models.TextField()
    metadata = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["article", "-created_at"], name="revision_article_idx")]

    def __str__(self) -> str:
        return f"Revision {self.pk} of article {self.article_id} ({self.get_kind_display()})"


class AuditEntry(models.Model):
    """One thing someone (or the scheduler) did to an article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="audit_log")
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="Empty when the scheduler acted.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["article", "-created_at"], name="audit_article_idx")]

    def __str__(self) -> str:
        return f"{self.action} on article {self.article_id}"


class ArticleNote(models.Model):
    """A correction or update shown to readers under the story, with its time."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.TextField(max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The form page's one-time key (dateline.base.onetime): the same page sent twice (a
    # double click, a POST sent again) is one note, not two, and one new version on the wire.
    sent_with = onetime.sent_with_field()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to article {self.article_id}"

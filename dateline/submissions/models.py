"""Readers' reports ("Be a reporter"), their photos, and every moderation decision."""

import secrets

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone

from dateline.base import onetime
from dateline.newsroom.models import Article

# No 0/O or 1/I/L: a reference is read out over the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference() -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"R-{code[:4]}-{code[4:]}"


class Submission(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        SPAM = "spam", "Spam"

    reference = models.CharField(max_length=20, unique=True, default=new_reference,
                                 editable=False)
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)
    headline = models.CharField(max_length=300)
    # Exactly as the reader wrote it; shown only through the sanitiser (text.render_report).
    text = models.TextField(max_length=50_000)
    consented_at = models.DateTimeField(help_text="When the reader accepted the terms.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW,
                              db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # A keyed hash, not the address: enough to see one sender's reports, and no more.
    sender_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    user_agent = models.CharField(max_length=300, blank=True, editable=False)
    # The one-time key of the form page it was sent from: the same page sent twice (a double
    # click, a POST the browser sends again) is one report. Unique, so two at once are too.
    sent_with = onetime.sent_with_field()
    article = models.OneToOneField(Article, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="reader_report", editable=False)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)
    decision_reason = models.TextField(blank=True, max_length=5000)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("moderate_submission", "Can accept, reject or mark reader reports")]

    def __str__(self) -> str:
        return f"{self.reference}: {self.headline}"


def photo_path(photo: "SubmissionPhoto", filename: str) -> str:
    return f"submissions/{photo.submission.reference}/{secrets.token_hex(8)}.{photo.format}"


def private_storage():
    """Never the public store of renditions: a report's photo (a witness's view, a report
    refused as spam) is the desk's alone, served only by its editors' view."""
    return storages["reader_reports"]


class SubmissionPhoto(models.Model):
    """A photo as re-encoded on arrival: checked by content, metadata (GPS too) removed."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=photo_path, storage=private_storage)
    format = models.CharField(max_length=10)  # jpeg, png or webp
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField(help_text="Bytes, as stored.")
    original_name = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.submission.reference} photo {self.pk}"


class ModerationEntry(models.Model):
    """One thing that happened to a report: received, accepted, rejected, spam, e-mailed."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="log")
    action = models.CharField(max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "moderation entries"

    def __str__(self) -> str:
        return f"{self.submission.reference} {self.action}"

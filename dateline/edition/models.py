"""The daily edition (a morning newspaper of the previous day's news) and its newsletter."""

from django.db import models
from django.urls import reverse
from django.utils import timezone

from dateline.newsroom.models import Article, Section


class Edition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Assembled, not sent"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    date = models.DateField(unique=True, help_text="The day the edition is dated, site time.")
    name = models.CharField(max_length=200, help_text="The edition's name when it was built.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    built_at = models.DateTimeField(default=timezone.now)
    send_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.name}, {self.date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("edition:day", kwargs={
            "year": self.date.year, "month": f"{self.date.month:02d}",
            "day": f"{self.date.day:02d}"})


class EditionItem(models.Model):
    """A story's place in an edition; pinned places survive a rebuild."""

    class Column(models.TextChoices):
        LEAD = "lead", "Lead story"
        SECTION = "section", "Section"
        BRIEF = "brief", "News in Brief"

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    column = models.CharField(max_length=10, choices=Column.choices)
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", help_text="The main section it runs under.")
    position = models.PositiveIntegerField(default=0)
    pinned = models.BooleanField(default=False,
                                 help_text="Kept in its place when the edition is rebuilt.")
    left_out = models.BooleanField(
        default=False, help_text="Taken out by an editor: not shown, and a rebuild does not "
        "bring it back.")

    class Meta:
        ordering = ["edition", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["edition", "article"],
                                               name="edition_item_once")]

    def __str__(self) -> str:
        return f"{self.edition_id}: {self.article_id} ({self.column})"


class Subscriber(models.Model):
    """A newsletter address: confirmed by a signed link (double opt-in), unsubscribed by one."""

    email = models.EmailField(max_length=254, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class Delivery(models.Model):
    """One edition to one subscriber: written the moment the mail server accepts it, so a
    send that is killed and run again skips exactly those who have it."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE,
                                   related_name="deliveries")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["edition", "subscriber"],
                                               name="delivery_once")]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.edition_id} → {self.subscriber_id}"

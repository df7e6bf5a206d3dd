"""Campaigns and the placements they run in."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from dateline.newsroom.models import Section, Tag
from dateline.pictures.models import Photo

from .creative import sanitise_creative
from .slots import CHOICES, SLOTS

# An https origin as a CSP source names one: a host (its labels letters, digits and
# hyphens; "*." for its subdomains), a port at most. Nothing else, so no ";" starts a
# directive of its own in the frame's policy.
ORIGIN = re.compile(r"https://(?:\*\.)?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
                    r"(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::[0-9]{1,5})?",
                    re.IGNORECASE)


class Placement(models.Model):
    """A named slot of the pages; it shows the campaigns that list it, or a third-party tag."""

    slot = models.CharField(max_length=20, choices=CHOICES, unique=True)
    third_party_tag = models.TextField(
        blank=True, max_length=20_000,
        help_text="An ad network's tag (HTML and scripts). When set, this slot shows it instead "
        "of campaigns, inside a sandboxed frame on no origin of ours.")
    third_party_origins = models.CharField(
        max_length=1000, blank=True,
        help_text="The https origins the tag may load from, separated by spaces, e.g. "
        "https://ads.example.net. Nothing else reaches the frame.")
    is_active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["slot"]

    def __str__(self) -> str:
        return self.get_slot_display()

    @property
    def size(self):
        return SLOTS[self.slot]

    def origins(self) -> list[str]:
        """The origins as the frame's CSP names them: only those that are origins (a row
        saved before the check could hold "https://x.example;frame-ancestors …", a directive
        of its own in the frame's policy)."""
        return [o for o in self.third_party_origins.split() if ORIGIN.fullmatch(o)]

    def clean(self) -> None:
        for origin in self.third_party_origins.split():
            if not ORIGIN.fullmatch(origin):
                raise ValidationError({"third_party_origins": f"{origin[:100]!r} is not an "
                                       "https origin such as https://ads.example.net (or "
                                       "https://*.example.net): a host name, a port at most."})


class CampaignQuerySet(models.QuerySet):
    def not_ended(self, now=None):
        """Active and not past its end: running, or still to start."""
        now = now or timezone.now()
        return self.filter(is_active=True).filter(
            models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=now))

    def running(self, now=None):
        """Active and within its dates."""
        now = now or timezone.now()
        return self.not_ended(now).filter(starts_at__lte=now)


class Campaign(models.Model):
    name = models.CharField(max_length=200)
    photo = models.ForeignKey(
        Photo, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="An image from the photo library; or write an HTML creative below.")
    alt_text = models.CharField(
        "alt text", max_length=500, blank=True,
        help_text="What the image says, for readers who cannot see it (else the photo's own).")
    html = models.TextField(
        "HTML creative", blank=True, max_length=5000,
        help_text="Text with simple formatting; scripts, links and styles are removed.")
    link = models.URLField(max_length=1000, validators=[URLValidator(schemes=["http", "https"])])
    placements = models.ManyToManyField(Placement, related_name="campaigns")
    sections = models.ManyToManyField(
        Section, blank=True, related_name="+",
        help_text="Shown on these sections' pages and below them. None and no tags: everywhere.")
    tags = models.ManyToManyField(Tag, blank=True, related_name="+",
                                  help_text="Shown on stories carrying any of these tags.")
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)
    weight = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="Among the campaigns that fit a slot, one of weight 4 is shown four times "
        "as often as one of weight 1.")
    impression_cap = models.PositiveIntegerField(
        null=True, blank=True, help_text="Stop after this many impressions (empty: no cap).")
    is_house = models.BooleanField(
        "house ad", default=False,
        help_text="Our own promotion: shown only where no paid campaign fits.")
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["is_active", "starts_at"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.html = sanitise_creative(self.html)  # whoever saves it, not only the desk's form
        super().save(*args, **kwargs)

    def get_click_url(self) -> str:
        return reverse("ads:click", args=[self.pk])

    def clean(self) -> None:
        self.html = sanitise_creative(self.html)
        if bool(self.photo_id) == bool(self.html):
            raise ValidationError("Give the campaign either a photo or an HTML creative.")
        if self.photo_id and not (self.alt_text or self.photo.alt_text):
            raise ValidationError({"alt_text": "Describe the image for readers who cannot "
                                   "see it (the photo has no alt text)."})
        if self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The end must come after the start."})

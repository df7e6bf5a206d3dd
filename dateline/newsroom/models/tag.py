"""Tags say who and what a story is about: people, places, organisations and topics."""

from django.db import models

from dateline.base.addresses import address

from .people import NamedWithSlug


class Tag(NamedWithSlug):
    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        PLACE = "place", "Place"
        ORGANISATION = "organisation", "Organisation"
        TOPIC = "topic", "Topic"

    # The public URL prefix of each kind: /people/volcker/, /places/usa/ ...
    URL_PREFIXES = {
        Kind.PERSON: "people",
        Kind.PLACE: "places",
        Kind.ORGANISATION: "organisations",
        Kind.TOPIC: "topics",
    }

    moved_kind = "tag"
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, allow_unicode=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TOPIC)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="tag_unique_slug_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display().lower()})"

    def get_absolute_url(self) -> str:
        return address("site:tag", kind=self.URL_PREFIXES[self.kind], slug=self.slug)

    @classmethod
    def kind_for_prefix(cls, prefix: str) -> str | None:
        return next((k for k, p in cls.URL_PREFIXES.items() if p == prefix), None)

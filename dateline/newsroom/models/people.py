"""Who writes the stories (authors) and whom they draw on (sources)."""

from django.conf import settings
from django.db import models, transaction
from django.utils.text import slugify

from dateline.base.addresses import address

from ..html import as_meant
from .moved import remember_move


class NamedWithSlug(models.Model):
    """Something with a name whose slug, when left empty, is made from the name."""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    # The name its old public addresses are remembered under (moved.py); None: it has no page.
    moved_kind: str | None = None

    def save(self, *args, **kwargs) -> None:
        self.name = as_meant(self.name)
        if not self.slug:
            self.slug = slugify(self.name, allow_unicode=True) or type(self).__name__.lower()
        before = None
        if self.moved_kind and self.pk:
            before = type(self).objects.filter(pk=self.pk).first()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if before is not None:
                remember_move(self.moved_kind, before.get_absolute_url(),
                              self.get_absolute_url(), self.pk)


class Author(NamedWithSlug):
    moved_kind = "author"
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, unique=True, allow_unicode=True)
    bio = models.TextField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="author", help_text="The desk account that writes as this author, if any.",
    )

    class Meta:
        ordering = ["name"]

    def get_absolute_url(self) -> str:
        return address("site:author", slug=self.slug)


class Source(NamedWithSlug):
    """An outlet a story draws on, named under the story as "Sources: NBC News, Le Monde"."""

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=150, unique=True, allow_unicode=True)
    url = models.URLField(blank=True, help_text="The outlet's home page.")
    # Filled only for an agency whose copy Dateline carries: a story drawing on this source
    # then carries these rights instead of the house's (newsroom.credit.rights).
    rights_holder = models.CharField(
        max_length=150, blank=True,
        help_text="Who owns the copy taken from this source (e.g. Reuters); leave blank for "
                  "outlets stories only cite, whose stories then carry the house's rights.",
    )
    copyright_notice = models.CharField(
        max_length=300, blank=True,
        help_text="Blank: \"Copyright <holder>. All rights reserved.\"",
    )
    usage_terms = models.TextField(
        blank=True, help_text="Blank: \"Republication only under an agreement with <holder>.\"",
    )

    class Meta:
        ordering = ["name"]

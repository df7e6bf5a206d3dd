"""Sections form the site's tree: World » Russia."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils.text import slugify

from dateline.base.addresses import address

from ..html import as_meant
from .moved import remember_move

PATH_SEPARATOR = "/"
DISPLAY_SEPARATOR = " » "


class SectionQuerySet(models.QuerySet):
    def roots(self) -> "SectionQuerySet":
        return self.filter(parent__isnull=True)

    def subtree_ids(self, section: "Section") -> list[int]:
        """Ids of a section and all sections below it, in one query."""
        return list(
            self.filter(
                models.Q(pk=section.pk) | models.Q(path__startswith=section.path + PATH_SEPARATOR)
            ).values_list("pk", flat=True)
        )


class Section(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, allow_unicode=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    position = models.PositiveSmallIntegerField(
        default=100, help_text="Lower numbers come first in menus and on the home page."
    )
    description = models.TextField(blank=True)
    medtop = models.CharField(
        "IPTC Media Topic", max_length=8, blank=True,
        validators=[RegexValidator(r"^\d{8}$", "A Media Topic code is eight digits.")],
        help_text="The code of the IPTC Media Topic this section covers, e.g. 04000000 for "
        "economy, business and finance (https://cv.iptc.org/newscodes/mediatopic/). Left "
        "empty, the section uses its nearest ancestor's; the wire API sends it to partners.",
    )
    # Denormalised from the ancestors so that URLs and "World » Russia" cost no extra query.
    path = models.CharField(max_length=500, unique=True, editable=False)
    display_path = models.CharField(max_length=1000, editable=False)

    objects = SectionQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "slug"], name="section_unique_slug_in_parent",
                violation_error_message="A section under the same parent has this address "
                "(slug) already: choose another.",
            ),
            models.UniqueConstraint(
                fields=["slug"], condition=models.Q(parent__isnull=True),
                name="section_unique_root_slug",
                # Said in the editor's words ('Constraint "section_unique_root_slug" is
                # violated' was all the desk said).
                violation_error_message="A top-level section has this address (slug) already: "
                "choose another, or put this one under a parent.",
            ),
        ]

    def __str__(self) -> str:
        return self.display_path or self.name

    def save(self, *args, **kwargs) -> None:
        self.name = as_meant(self.name)
        before = None
        if self.pk:
            before = type(self).objects.filter(pk=self.pk).values_list(
                "path", "display_path"
            ).first()
        self.compute_paths()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if before is not None and before[0] != self.path:
                # Its old address (and all below it, its subsections' included) leads here.
                remember_move("section", reverse("site:section", kwargs={"path": before[0]}),
                              self.get_absolute_url(), self.pk)
            if before is not None and before != (self.path, self.display_path):
                for child in self.children.all():
                    child.parent = self
                    child.save()

    def get_absolute_url(self) -> str:
        return address("site:section", path=self.path)

    def clean(self) -> None:
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": "A section cannot sit inside itself."})
            ancestor = ancestor.parent

    def compute_paths(self) -> None:
        if not self.slug:
            self.slug = slugify(self.name, allow_unicode=True) or "section"
        if self.parent is None:
            self.path, self.display_path = self.slug, self.name
        else:
            self.path = self.parent.path + PATH_SEPARATOR + self.slug
            self.display_path = self.parent.display_path + DISPLAY_SEPARATOR + self.name

    def ancestor_paths(self) -> list[str]:
        """Paths from the root down to and including this section."""
        parts = self.path.split(PATH_SEPARATOR)
        return [PATH_SEPARATOR.join(parts[: i + 1]) for i in range(len(parts))]

    def breadcrumbs(self) -> list["Section"]:
        """The section and its ancestors, root first, in one query."""
        by_path = {s.path: s for s in Section.objects.filter(path__in=self.ancestor_paths())}
        return [by_path[p] for p in self.ancestor_paths() if p in by_path]

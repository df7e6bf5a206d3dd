"""The photo library: a photo as the newsroom describes it, its renditions, and its use in stories.

The uploaded original is kept as it came, in a storage readers never reach ("pictures_originals");
readers get renditions only, re-encoded without EXIF or GPS, under content-hashed names in the
public storage ("default"), so every served file is safe to cache for a year.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from dateline.newsroom.html import as_meant
from dateline.newsroom.models import Article, Tag


def _originals():
    from django.core.files.storage import storages

    return storages["pictures_originals"]


def original_path(photo: "Photo", filename: str) -> str:
    return f"originals/{photo.sha256[:2]}/{photo.sha256}.{photo.format}"


_FOCUS = [MinValueValidator(0.0), MaxValueValidator(1.0)]


class Photo(models.Model):
    class Origin(models.TextChoices):
        UPLOAD = "upload", "Uploaded on the desk"
        IMPORT = "import", "Imported"
        READER = "reader", "A reader's report"

    original = models.FileField(upload_to=original_path, storage=_originals, max_length=200)
    # The original's SHA-256: the same file uploaded twice is one photo.
    sha256 = models.CharField(max_length=64, unique=True, editable=False)
    format = models.CharField(max_length=10, editable=False)  # jpeg, png, webp, ...
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    size = models.PositiveIntegerField(editable=False, help_text="Bytes of the original.")
    original_name = models.CharField(max_length=255, blank=True, editable=False)

    title = models.CharField(max_length=300, blank=True, help_text="A short name for the library.")
    caption = models.TextField(blank=True, max_length=2000,
                               help_text="What the photo shows, as printed under it.")
    alt_text = models.CharField(
        "alt text", max_length=500, blank=True,
        help_text="What a reader who cannot see the photo needs to know. Required before a "
        "story with this photo can be published.",
    )
    creator = models.CharField(max_length=200, blank=True, help_text="The photographer.")
    credit = models.CharField(max_length=300, blank=True,
                              help_text='The credit line, e.g. "Reuters/Ann Lee".')
    source = models.CharField(max_length=200, blank=True,
                              help_text="Who supplied it: an agency, a reader, the newsroom.")
    copyright_notice = models.CharField(max_length=500, blank=True)
    usage_terms = models.TextField(blank=True, max_length=2000)
    # IPTC's "Instructions": what the supplier tells the desk (an embargo, "no sales", a
    # mandatory credit). Never shown to readers, nor sent on the wire.
    instructions = models.TextField(
        blank=True, max_length=2000,
        help_text="The supplier's instructions to the desk, as the file gave them: never shown "
        "to readers.",
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    # Where the photo's subject is, as a share of width and height: crops keep it in frame.
    focal_x = models.FloatField(default=0.5, validators=_FOCUS)
    focal_y = models.FloatField(default=0.5, validators=_FOCUS)
    tags = models.ManyToManyField(Tag, blank=True, related_name="photos")
    # What the file's own IPTC/XMP/EXIF said, as read on upload (GPS never kept).
    embedded = models.JSONField(default=dict, blank=True, editable=False)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.UPLOAD)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    # The words a person writes about the photo, or its file brings (IPTC, XMP).
    WORDS = ("title", "caption", "alt_text", "creator", "credit", "source", "copyright_notice",
             "usage_terms", "instructions")

    def __str__(self) -> str:
        return self.title or self.caption[:80] or self.original_name or f"Photo {self.pk}"

    def save(self, *args, **kwargs) -> None:
        # As a story's own text: a bell or an open right-to-left override in a caption reached
        # the page, the feeds and partners ("XECAPS :OTOHP" for "Photo: SPACEX").
        for field in self.WORDS:
            setattr(self, field, as_meant(getattr(self, field)))
        super().save(*args, **kwargs)


class Rendition(models.Model):
    """One re-encoded size and shape of a photo, made by the worker, served to readers."""

    class Shape(models.TextChoices):
        WIDE = "16x9", "16:9"
        STANDARD = "4x3", "4:3"
        SQUARE = "1x1", "1:1"
        FREE = "free", "As taken"

    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="renditions")
    shape = models.CharField(max_length=5, choices=Shape.choices)
    format = models.CharField(max_length=5)  # avif, webp, jpeg
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    file = models.FileField(max_length=200)  # content-hashed name in the public storage
    size = models.PositiveIntegerField(help_text="Bytes.")
    # The focal point the crop was made for: a moved focal point makes new renditions.
    focal_x = models.FloatField()
    focal_y = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["photo", "shape", "format", "width"],
                                    name="rendition_one_per_size"),
        ]

    def __str__(self) -> str:
        return f"{self.photo_id} {self.shape} {self.width}w {self.format}"


class StoryPhoto(models.Model):
    """A photo in a story: its lead photo, or one placed in the body after a paragraph."""

    class Role(models.TextChoices):
        LEAD = "lead", "Lead photo"
        BODY = "body", "In the body"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="photos")
    # PROTECT: a photo a story uses cannot be deleted (the desk names the stories).
    photo = models.ForeignKey(Photo, on_delete=models.PROTECT, related_name="uses")
    role = models.CharField(max_length=5, choices=Role.choices, default=Role.LEAD)
    # For a body photo: shown after this many paragraphs of the body (0: before the first).
    after_paragraph = models.PositiveIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)
    # This story's own words, where they differ from the library's.
    caption = models.TextField(blank=True, max_length=2000)
    credit = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["role", "after_paragraph", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article"], condition=models.Q(role="lead"),
                                    name="storyphoto_one_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.photo}"

    def save(self, *args, **kwargs) -> None:
        self.caption, self.credit = as_meant(self.caption), as_meant(self.credit)
        super().save(*args, **kwargs)

"""What the machine drafted for a story, and what editors decided about it.

Every table hangs off the newsroom's models (Article, Tag); nothing in the newsroom knows
these exist. A machine suggestion never overrides an editor: a decision once taken
(accepted, rejected, pinned, removed, an edited brief) is kept through every recomputation.
"""

import unicodedata

from django.conf import settings
from django.db import models

from dateline.newsroom import medtop
from dateline.newsroom.models import Article, Tag


def alias_key(name: str) -> str:
    """How names are compared: case, accents, dots and hyphens ignored ("U.S." = "us",
    "al-Assad" = "al assad")."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() or name
    text = text.casefold().replace(".", "").replace("-", " ").replace("\u2019", "'")
    return " ".join(text.split())[:150]


class TagAlias(models.Model):
    """Another name of a tag: "Assad" and "Bashar al-Assad" for one person, "USA" for a place."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=150)
    key = models.CharField(max_length=150, editable=False, db_index=True)

    class Meta:
        verbose_name_plural = "tag aliases"
        constraints = [models.UniqueConstraint(fields=["tag", "key"], name="alias_once_per_tag")]

    def __str__(self) -> str:
        return f"{self.name} → {self.tag.name}"

    def save(self, *args, **kwargs):
        self.key = alias_key(self.name)
        super().save(*args, **kwargs)


class Decision(models.TextChoices):
    PENDING = "pending", "Suggested"
    APPLIED = "applied", "Applied by the machine"  # above the confidence threshold
    ACCEPTED = "accepted", "Accepted by an editor"
    REJECTED = "rejected", "Rejected by an editor"


class TagSuggestion(models.Model):
    """A tag (entity or topic) the machine proposes for a story, with its confidence."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE,
                                related_name="tag_suggestions")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="suggestions")
    confidence = models.FloatField()
    origin = models.CharField(max_length=60, help_text="The plug-in that suggested it.")
    evidence = models.CharField(max_length=200, blank=True,
                                help_text="The words of the story it was found from.")
    decision = models.CharField(max_length=10, choices=Decision.choices,
                                default=Decision.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "tag"],
                                               name="suggestion_once_per_tag")]
        indexes = [models.Index(fields=["article", "decision"], name="suggestion_by_decision")]

    def __str__(self) -> str:
        return f"{self.tag} for article {self.article_id} ({self.confidence:.2f})"


class StoryTopic(models.Model):
    """A subject code of a story: an IPTC Media Topic, or a code of the archive's own scheme."""

    class Scheme(models.TextChoices):
        MEDIATOPIC = "medtop", "IPTC Media Topic"
        ARCHIVE = "archive", "Archive topic"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="topics")
    scheme = models.CharField(max_length=10, choices=Scheme.choices)
    code = models.CharField(max_length=60)
    name = models.CharField(max_length=150, blank=True)
    confidence = models.FloatField(default=1.0)
    origin = models.CharField(max_length=60)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "scheme", "code"],
                                               name="topic_once_per_story")]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.code} for article {self.article_id}"

    @property
    def label(self) -> str:
        """Its name as an editor reads it: a Media Topic's English label where none was
        stored ("IPTC Media Topic 04000000: 97%" told the desk nothing)."""
        if self.name or self.scheme != self.Scheme.MEDIATOPIC:
            return self.name
        return medtop.LABELS.get(self.code, "")


class RelatedStory(models.Model):
    """One entry of a story's "Related Articles", computed or decided by an editor."""

    class Origin(models.TextChoices):
        COMPUTED = "computed", "Computed"
        PINNED = "pinned", "Pinned by an editor"
        REMOVED = "removed", "Removed by an editor"  # kept so that it never comes back

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_links")
    related = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(default=0.0)
    rank = models.PositiveSmallIntegerField(default=0)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.COMPUTED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["article", "rank"]
        verbose_name_plural = "related stories"
        constraints = [
            models.UniqueConstraint(fields=["article", "related"], name="related_once"),
            models.CheckConstraint(condition=~models.Q(article=models.F("related")),
                                   name="related_not_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.related_id} related to {self.article_id} ({self.origin})"


class Brief(models.Model):
    """A story in two or three sentences for "News in Brief": the machine's, or an editor's."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True,
                                   related_name="brief")
    text = models.TextField(help_text="At most 60 words; what News in Brief shows.")
    machine_text = models.TextField(blank=True, editable=False)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    edited_at = models.DateTimeField(null=True, blank=True)
    # The story's words the editor's brief was written from (text.brief_basis): a story
    # changed since is said beside the brief, which no longer follows it by itself.
    written_from = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Brief of article {self.article_id}"

    @property
    def edited(self) -> bool:
        return self.edited_by_id is not None or self.edited_at is not None


class Analysis(models.Model):
    """When a story's text was last analysed, and of which text: unchanged text is skipped,
    so a save that touched only the byline costs nothing."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True,
                                   related_name="analysis")
    text_hash = models.CharField(max_length=64)
    version = models.CharField(max_length=200, help_text="Of the plug-ins that analysed it, "
                               "and of what they had learnt.")
    analysed_at = models.DateTimeField()
    near_duplicates = models.JSONField(default=list, blank=True,
                                       help_text="[{id, headline, published_at, similarity}]")

    class Meta:
        verbose_name_plural = "analyses"

    def __str__(self) -> str:
        return f"Analysis of article {self.article_id} ({self.analysed_at:%Y-%m-%d %H:%M})"

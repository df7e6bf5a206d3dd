"""Work in progress on the desk: unsaved text, and who has a story open."""

from django.conf import settings
from django.db import models

from dateline.base import onetime

from .article import Article


class Autosave(models.Model):
    """The editor's unsaved text of one story, kept while they type (one per editor and story).

    A story not yet created has no article: each editor keeps one such draft, restored the next
    time they open "Add article".
    """

    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.CASCADE, related_name="autosaves"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The article version the editor had open when they began typing this text.
    base_version = models.PositiveIntegerField(default=0)
    # The editor form's fields as the browser held them (headline, standfirst, body, ...).
    data = models.JSONField(default=dict)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="autosave_one_per_editor"),
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(article__isnull=True),
                name="autosave_one_new_story_per_editor",
            ),
        ]

    def __str__(self) -> str:
        return f"Unsaved text of article {self.article_id} by user {self.user_id}"


class AddPageKey(models.Model):
    """The one-time key of the "Add article" page a story was created from: the same page
    saved twice (a double click on Save, a POST the browser sends again) is one story, also
    when both arrive at once (the key is unique; dateline.base.onetime)."""

    key = models.CharField(max_length=onetime.MAX_LENGTH, unique=True)
    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Article {self.article_id} created from add page {self.key[:8]}…"


class Presence(models.Model):
    """An editor with a story open on the desk, since when, and when their page last said so."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="presence_one_per_editor"),
        ]
        indexes = [models.Index(fields=["article", "-seen_at"], name="presence_article_idx")]

    def __str__(self) -> str:
        return f"User {self.user_id} on article {self.article_id}"

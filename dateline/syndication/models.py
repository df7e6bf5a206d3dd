"""Partner agencies and the API keys with which they read the wire API; WebSub's models."""

import hashlib
import secrets

from django.db import models

TOKEN_PREFIX = "dl_"
# The ninjs versions the wire offers (syndication/formatters), newest first.
NINJS_VERSIONS = {
    "3.1": "ninjs 3.1 (newest)",
    "2.1": "ninjs 2.1",
    "1.6": "ninjs 1.6 (Superdesk and other ninjs 1.x readers)",
    "1.5": "ninjs 1.5",
}


def hash_token(token: str) -> str:
    """The stored form of a token: a token is random enough that a plain SHA-256 is safe."""
    return hashlib.sha256(token.encode()).hexdigest()


class Partner(models.Model):
    """An agency or outlet that takes Dateline's stories over the wire API."""

    name = models.CharField(max_length=150, unique=True)
    contact_email = models.EmailField("contact e-mail")
    active = models.BooleanField(
        default=True, help_text="An inactive partner's keys are all refused."
    )
    ninjs_version = models.CharField(
        "ninjs version", max_length=5, choices=NINJS_VERSIONS, default="3.1",
        help_text="What the wire answers this partner when a request names no version "
        "(?version= or an Accept profile); a Superdesk ingest reads 1.6.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiKey(models.Model):
    """One key of a partner; only a hash of its token is stored."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="api_keys")
    label = models.CharField(max_length=100, blank=True, help_text='e.g. "production ingest".')
    prefix = models.CharField(
        max_length=16, unique=True, editable=False,
        help_text="The start of the token, to tell keys apart; the rest is never shown again.",
    )
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    rate_limit = models.PositiveIntegerField(
        "requests per minute", default=120,
        help_text="More requests within one clock minute are answered 429.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API key"
        ordering = ["partner__name", "prefix"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.partner})"

    def issue_token(self) -> str:
        """Give the key a new random token; returns it, keeping only its hash."""
        prefix = TOKEN_PREFIX + secrets.token_hex(4)
        token = f"{prefix}_{secrets.token_urlsafe(32)}"
        self.prefix, self.secret_hash = prefix, hash_token(token)
        return token



class DeletedStory(models.Model):
    """A story deleted after it reached the wire: what the changes feed still owes partners.

    Unpublish tells partners to take a story down (a canceled item); deleting the row would
    otherwise tell them nothing, and they would go on publishing it. Kept as long as the
    changes feed reaches back (syndication.deletions)."""

    article_id = models.PositiveBigIntegerField(unique=True)
    headline = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, allow_unicode=True)
    version = models.PositiveIntegerField()
    # The withdrawal's own time and, for the changes feed, where it stands among the changes.
    withdrawn_at = models.DateTimeField()
    wire_changed_at = models.DateTimeField()

    class Meta:
        ordering = ["wire_changed_at", "article_id"]
        indexes = [models.Index(fields=["wire_changed_at", "article_id"],
                                name="deleted_story_changes_idx")]

    def __str__(self) -> str:
        return f"{self.headline} (deleted story {self.article_id})"

class WithheldStory(models.Model):
    """A story already on the wire put under embargo: partners who took it must hold it.

    Its own row comes to the changes feed again when the embargo ends (usable, a new
    version); this one puts a "withheld" item on the feed now, in between (syndication.
    withholding). Without it, partners heard nothing and ran it through the embargo."""

    article_id = models.PositiveBigIntegerField(unique=True)
    version = models.PositiveIntegerField()
    wire_changed_at = models.DateTimeField()

    class Meta:
        ordering = ["wire_changed_at", "article_id"]
        indexes = [models.Index(fields=["wire_changed_at", "article_id"],
                                name="withheld_story_changes_idx")]

    def __str__(self) -> str:
        return f"story {self.article_id} withheld at version {self.version}"


from .websub.models import Intent, Subscription  # noqa: E402, F401  (WebSub, same app)

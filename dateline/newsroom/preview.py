"""Signed, expiring links that show an unpublished article as readers will see it.

The desk hands them out; the site's `/preview/<token>/` page (its URL name `site:preview`)
reads them back with `read_token` and shows the article.
"""

from django.conf import settings
from django.core import signing
from django.db.models import Max
from django.urls import reverse

from .models import Article, AuditEntry

SALT = "dateline.preview"


def last_kill(article_id: int) -> int:
    """The audit entry of the article's latest kill (0 if never killed): links name it."""
    kills = AuditEntry.objects.filter(article_id=article_id, to_status=Article.Status.UNPUBLISHED)
    return kills.exclude(from_status=Article.Status.UNPUBLISHED).aggregate(last=Max("pk"))[
        "last"] or 0


def preview_url(article: Article) -> str:
    token = signing.dumps({"article": article.pk, "killed": last_kill(article.pk)},
                          salt=SALT, compress=True)
    return reverse("site:preview", kwargs={"token": token})


def read_token(token: str) -> dict:
    """What a link names; signing.SignatureExpired or signing.BadSignature if it is no good."""
    return signing.loads(token, salt=SALT, max_age=settings.DATELINE_PREVIEW_MAX_AGE)


def still_shows(article: Article | None, data: dict) -> bool:
    """A killed story stays unseen through links handed out before the kill, even once it is
    back in the workflow; a deleted one is gone."""
    return not (article is None or article.status == Article.Status.UNPUBLISHED
                or last_kill(article.pk) != data.get("killed", 0))

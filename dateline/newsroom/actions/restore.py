"""Bring back an earlier revision's text; the restore is itself a new revision."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ..models import Article, Revision
from ..permissions import can_edit
from .audit import log_action
from .base import ActionRefused
from .save import announce_saved, claim_version, record_revision


def restore_revision(user, revision: Revision, seen_version: int | None = None) -> Article:
    """`seen_version`: the story's version the editor compared the revision with. A save
    since then is refused (ActionRefused): restoring would replace text the editor never saw,
    a colleague's correction of a published story."""
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=revision.article_id)
        if not can_edit(user, article):
            raise PermissionDenied("Your role does not allow you to edit this article now.")
        if seen_version is not None and seen_version != article.version:
            raise ActionRefused(_saved_since(article))
        claim_version(article, article.version)
        article.headline = revision.headline
        article.standfirst = revision.standfirst
        article.body = revision.body
        article.save(update_fields=["headline", "standfirst", "version"])
        record_revision(article, user, Revision.Kind.RESTORE,
                        note=f"Restored from revision {revision.pk}.")
        log_action(article, "restore", user, f"Restored the text of revision {revision.pk}.")
        announce_saved(article)
    return article


def _saved_since(article: Article) -> str:
    latest = article.revisions.select_related("created_by").order_by("-pk").first()
    who = f" by {latest.created_by}" if latest and latest.created_by else ""
    when = f" at {timezone.localtime(latest.created_at):%H:%M}" if latest else ""
    return (f"The story was saved again{who}{when} (version {article.version}) since you "
            "compared it: nothing was restored. Compare the revision with the story as it is "
            "now, below, before restoring it.")

"""Bring back an earlier revision's text; the restore is itself a new revision."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..models import Article, Revision
from ..permissions import can_edit
from .audit import log_action
from .save import announce_saved, claim_version, record_revision


def restore_revision(user, revision: Revision) -> Article:
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=revision.article_id)
        if not can_edit(user, article):
            raise PermissionDenied("Your role does not allow you to edit this article now.")
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

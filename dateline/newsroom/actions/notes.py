"""Corrections and updates: public notes under a published story."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ..models import Article, ArticleNote
from ..signals import article_saved
from .audit import log_action
from .base import ActionRefused

MAX_NOTE = 2000


def add_note(user, article: Article, kind: str, text: str,
             key: str | None = None) -> ArticleNote:
    """Add a correction or an update; `key`, the form page's one-time key, makes the same
    page sent twice one note (the story's row is locked first, so the second finds it)."""
    if not (user and user.is_active and user.has_perm("newsroom.correct_article")):
        raise PermissionDenied("Your role does not allow you to correct or update articles.")
    if kind not in ArticleNote.Kind.values:
        raise ActionRefused("Choose whether this is a correction or an update.")
    text = text.strip()
    if not text:
        raise ActionRefused("Write the text of the note.")
    if len(text) > MAX_NOTE:
        raise ActionRefused(f"A note can be at most {MAX_NOTE} characters; this is {len(text)}.")
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        if key and (sent := ArticleNote.objects.filter(sent_with=key).first()):
            return sent
        if article.status != Article.Status.PUBLISHED:
            raise ActionRefused("Corrections and updates go on published articles only.")
        note = ArticleNote.objects.create(article=article, kind=kind, text=text, created_by=user,
                                          sent_with=key)
        article.updated_at = note.created_at or timezone.now()
        article.save(update_fields=["updated_at"])
        # Partners get the story again with the note (the wire's edNote) as a new version: the
        # text is unchanged, and a partner's system takes an item again only when it grows.
        Article.objects.filter(pk=article.pk).send_again()
        log_action(article, kind, user, text)
        transaction.on_commit(lambda: article_saved.send(sender=Article, article=article))
    return note


def withdraw_note(user, note: ArticleNote) -> None:
    """Take a correction or update off its story (one added twice, or wrong): readers and
    partners stop seeing it, the story goes to partners again, and the audit log keeps its
    words, with who took it off."""
    if not (user and user.is_active and user.has_perm("newsroom.correct_article")):
        raise PermissionDenied("Your role does not allow you to correct or update articles.")
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=note.article_id)
        if not ArticleNote.objects.filter(pk=note.pk).delete()[0]:
            raise ActionRefused("That note was taken off already.")
        article.updated_at = timezone.now()
        article.save(update_fields=["updated_at"])
        Article.objects.filter(pk=article.pk).send_again()
        log_action(article, f"{note.kind} withdrawn", user, note.text)
        transaction.on_commit(lambda: article_saved.send(sender=Article, article=article))

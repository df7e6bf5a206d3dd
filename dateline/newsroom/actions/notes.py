"""Corrections and updates: public notes under a published story."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ..html import as_meant
from ..models import Article, ArticleNote
from ..signals import article_saved
from .audit import log_action
from .base import ActionRefused

MAX_NOTE = 2000


def _may_correct(user) -> None:
    if not (user and user.is_active and user.has_perm("newsroom.correct_article")):
        raise PermissionDenied("Your role does not allow you to correct or update articles.")


def _notes_changed(article: Article, user, action: str, text: str, at=None) -> None:
    """The story's notes changed (within its locked row's transaction): it is updated for
    readers, goes to partners again as a new version (the wire's edNote: the text is
    unchanged, and a partner's system takes an item again only when it grows), and the
    audit log keeps the words."""
    article.updated_at = at or timezone.now()
    article.save(update_fields=["updated_at"])
    Article.objects.filter(pk=article.pk).send_again()
    log_action(article, action, user, text)
    transaction.on_commit(lambda: article_saved.send(sender=Article, article=article))


def add_note(user, article: Article, kind: str, text: str,
             key: str | None = None) -> ArticleNote:
    """Add a correction or an update; `key`, the form page's one-time key, makes the same
    page sent twice one note (the story's row is locked first, so the second finds it)."""
    _may_correct(user)
    if kind not in ArticleNote.Kind.values:
        raise ActionRefused("Choose whether this is a correction or an update.")
    text = as_meant(text).strip()  # as a story's own text is: no control characters, composed
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
        if not article.is_live:
            # Held by its embargo: no reader has the version a note would correct, and the
            # note's time came before the story's own once the embargo ended.
            held = article.embargo_until or article.published_at
            raise ActionRefused(
                "Corrections and updates go on stories readers have; this one is held until "
                f"{timezone.localtime(held):%Y-%m-%d %H:%M %Z}. Change its text instead.")
        note = ArticleNote.objects.create(article=article, kind=kind, text=text, created_by=user,
                                          sent_with=key)
        _notes_changed(article, user, kind, text, note.created_at)
    return note


def withdraw_note(user, note: ArticleNote) -> None:
    """Take a correction or update off its story (one added twice, or wrong): readers and
    partners stop seeing it, the story goes to partners again, and the audit log keeps its
    words, with who took it off."""
    _may_correct(user)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=note.article_id)
        if not ArticleNote.objects.filter(pk=note.pk).delete()[0]:
            raise ActionRefused("That note was taken off already.")
        _notes_changed(article, user, f"{note.kind} withdrawn", note.text)

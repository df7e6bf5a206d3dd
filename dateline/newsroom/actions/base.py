"""The shape every workflow action shares: check, apply under a row lock, log, announce."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..models import Article, AuditEntry
from ..signals import article_status_changed


class ActionRefused(Exception):
    """The action cannot be done: the message says why, in words for the desk."""


class Transition:
    name = ""
    label = ""
    sources: frozenset[str] = frozenset()
    target = ""  # empty: the status does not change
    permission = ""
    # Fields the action writes besides status; nothing else of the row is touched.
    fields: tuple[str, ...] = ()
    needs_time = False

    def is_available(self, user, article: Article) -> bool:
        try:
            self.check(user, article)
        except (ActionRefused, PermissionDenied):
            return False
        return True

    def check(self, user, article: Article) -> None:
        if article.status not in self.sources:
            raise ActionRefused(
                f"“{self.label}” is not possible for an article that is "
                f"{article.get_status_display().lower()}."
            )
        self.check_permission(user, article)

    def check_permission(self, user, article: Article) -> None:
        if not (user and user.is_active and user.has_perm(f"newsroom.{self.permission}")):
            raise PermissionDenied(f"Your role does not allow you to {self.label.lower()}.")

    def validate(self, article: Article, **params) -> None:
        """Check the action's own parameters (a time, say); raise ActionRefused if wrong."""

    def apply(self, article: Article, **params) -> None:
        """Set the fields this action changes, besides status."""

    def describe(self, article: Article, **params) -> str:
        return ""

    def execute(self, user, article: Article, note: str = "", **params) -> Article:
        with transaction.atomic():
            locked = Article.objects.select_for_update().get(pk=article.pk)
            self.check(user, locked)
            self.validate(locked, **params)
            before = locked.status
            self.apply(locked, **params)
            if self.target:
                locked.status = self.target
            locked.save(update_fields=["status", *self.fields])
            details = self.describe(locked, **params)
            AuditEntry.objects.create(
                article=locked, action=self.name, from_status=before, to_status=locked.status,
                note="\n".join(p for p in (details, note.strip()) if p), user=user,
            )
            transaction.on_commit(
                lambda: article_status_changed.send(
                    sender=Article, article=locked, action=self.name, previous=before
                )
            )
        return locked

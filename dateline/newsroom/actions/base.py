"""The shape every workflow action shares: check, apply under a row lock, log, announce."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from ..html import has_content
from ..models import Article
from ..signals import article_status_changed, publication_checks
from .audit import SCHEDULER, last_move, log_action

# A story's time to go live, or its embargo's end, comes before any other work the worker has
# queued (a story's analysis, a photo's renditions, an import's backlog): those run first in,
# first out at priority 0 or below, and a scheduled story waited behind them.
SCHEDULER_PRIORITY = 50


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
    # Whether the worker may do it as SCHEDULER, at a time someone booked; never a person.
    by_scheduler = False
    # Whether the move makes the story public (or books it to be): publication_checks run.
    checks_publication = False

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
        if user is SCHEDULER:
            if not self.by_scheduler:
                raise PermissionDenied(f"The scheduler does not {self.label.lower()}.")
            return
        if not (user and user.is_active and user.has_perm(f"newsroom.{self.permission}")):
            raise PermissionDenied(f"Your role does not allow you to {self.label.lower()}.")

    def validate(self, article: Article, **params) -> None:
        """Check the action's own parameters (a time, say); raise ActionRefused if wrong."""

    def apply(self, article: Article, **params) -> None:
        """Set the fields this action changes, besides status."""

    def describe(self, article: Article, **params) -> str:
        return ""

    def outcome(self, article: Article) -> str:
        """What the desk says once the move is done, after its name."""
        return "done."

    def moved_since(self, article: Article, seen: str) -> str:
        """Why a move chosen on a page showing the story as `seen` is not done now."""
        return (f"The story is {article.get_status_display().lower()} now, not "
                f"{Article.Status(seen).label.lower()} as on your page: {last_move(article)}. "
                f"Nothing was done; look at it again before you choose “{self.label}”.")

    def announce(self, article: Article, previous: str) -> None:
        """Tell the other apps, once the transaction has committed."""
        transaction.on_commit(
            lambda: article_status_changed.send(
                sender=Article, article=article, action=self.name, previous=previous
            )
        )

    def execute(self, user, article: Article, note: str = "", seen: str | None = None,
                **params) -> Article:
        """Do the move for `user` (SCHEDULER for the worker): the only way a state changes.
        `seen`: the status the story had on the page the move was chosen on; if another
        move came since (a kill while the page stood open), this one is refused."""
        with transaction.atomic():
            locked = Article.objects.select_for_update().get(pk=article.pk)
            if seen and locked.status != seen:
                raise ActionRefused(self.moved_since(locked, seen))
            self.check(user, locked)
            self.validate(locked, **params)
            if self.checks_publication:
                # The other apps' refusals first; one that answers True gives the story its
                # text itself (a press review's entries).
                answers = publication_checks.send(sender=Article, article=locked,
                                                  action=self.name)
                if not has_content(locked.body) and not any(
                        answer is True for _, answer in answers):
                    raise ActionRefused("The story has no text: write its body before it "
                                        "goes out.")
            before = locked.status
            # Partners may hold an item of it (usable, or canceled by a kill).
            held = locked.wire_changed_at is not None and locked.wire_changed_at <= timezone.now()
            stamped = locked.published_at
            self.apply(locked, **params)
            if self.target:
                locked.status = self.target
            fields = ["status", *self.fields]
            if locked.published_at != stamped and locked.published_at_is_import_time:
                # The desk gave it a time of its own: no longer the import's stand-in.
                locked.published_at_is_import_time = False
                fields.append("published_at_is_import_time")
            if self.target or self.fields:
                # A move that changes no field (an embargo running out) leaves the row as it
                # was, its modification time included.
                locked.save(update_fields=fields)
            if held and locked.status != before:
                # A kill, a republication: a new version of the item partners hold, whose
                # systems take an item again only when its version grows. The desk's own
                # version stays, so no editor with the story open is refused a save.
                Article.objects.filter(pk=locked.pk).new_wire_version()
                locked.resent += 1
            details = self.describe(locked, **params)
            log_action(locked, self.name, user,
                       "\n".join(p for p in (details, note.strip()) if p), previous=before)
            self.announce(locked, before)
        return locked

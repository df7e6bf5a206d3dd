"""The story list as a newsroom budget: my drafts, the stories waiting for me, who is editing.

Everything here costs a fixed number of small queries, whatever the archive's size: the
budget's panels read a few rows by status (indexed), and the list's extra columns are filled for
the page's rows in one query each, never one per row.
"""

from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from ..models import Article, AuditEntry, Presence, Revision
from ..permissions import can_see_all, owned_by
from .presence import WINDOW as PRESENCE_FRESH  # a page not heard from since has closed

PANEL_SIZE = 10
LIST_URL = "/desk/newsroom/article/"
Status = Article.Status


@dataclass
class Panel:
    title: str
    stories: list[Article]
    see_all: str  # the main list, filtered to everything this panel stands for
    empty: str


def _newest(queryset) -> list[Article]:
    return list(queryset.select_related("section").order_by("-modified_at", "-id")[:PANEL_SIZE])


def waiting_for(user):
    """The stories "Waiting for you": for an editor every story in review; for a reporter
    their own in review, and those sent back to them, which they must act on."""
    if can_see_all(user):
        return Article.objects.filter(status=Status.REVIEW)
    returned = Exists(AuditEntry.objects.filter(article=OuterRef("pk"), action="return"))
    return Article.objects.filter(owned_by(user)).filter(
        Q(status=Status.REVIEW) | Q(returned, status=Status.DRAFT))


def waiting_count(user) -> int:
    """How many stories wait for `user` (the desk's front page)."""
    return waiting_for(user).count()


def panels(user) -> list[Panel]:
    """"Your drafts" and "Waiting for you", each at most PANEL_SIZE stories, newest change first."""
    drafts = Article.objects.filter(owned_by(user), status=Status.DRAFT)
    mine = Panel("Your drafts", _newest(drafts), f"{LIST_URL}?status__exact=draft&whose=mine",
                 "No drafts of yours.")
    see_all, empty = ((f"{LIST_URL}?status__exact=review", "Nothing waits for review.")
                      if can_see_all(user) else
                      (f"{LIST_URL}?whose=mine", "None of your stories is in review or sent back."))
    return [mine, Panel("Waiting for you", _newest(waiting_for(user)), see_all, empty)]


def _name(user) -> str:
    return user.get_full_name().strip() or user.get_username()


def annotate_rows(articles: list[Article], viewer) -> None:
    """Give each listed story `editing_now` (names) and `changed_by` (a name or "")."""
    ids = [article.pk for article in articles]
    since = timezone.now() - PRESENCE_FRESH
    editing: dict[int, list[str]] = {}
    present = (Presence.objects.filter(article_id__in=ids, seen_at__gte=since)
               .exclude(user=viewer).select_related("user").order_by("since"))
    for presence in present:
        editing.setdefault(presence.article_id, []).append(_name(presence.user))
    # Who made the last change: the newest save (a refused one changed nothing) or move (a
    # publish from this list saves no revision), whichever came later. The name was the last
    # reviser's, beside the time of a colleague's publish, or of a refused save's author.
    saves = Revision.objects.filter(article_id__in=ids).exclude(
        kind=Revision.Kind.REFUSED).values("article_id").annotate(newest=Max("pk"))
    moves = AuditEntry.objects.filter(article_id__in=ids).values("article_id").annotate(
        newest=Max("pk"))
    changed: dict[int, tuple] = {}
    for rows, model, who in ((saves, Revision, "created_by"), (moves, AuditEntry, "user")):
        for row in model.objects.filter(pk__in=rows.values("newest")).select_related(who).only(
                "article_id", "created_at", who):
            if row.article_id not in changed or changed[row.article_id][0] < row.created_at:
                changed[row.article_id] = (row.created_at, getattr(row, who), model)
    for article in articles:
        article.editing_now = editing.get(article.pk, [])
        _, author, model = changed.get(article.pk, (None, None, None))
        article.changed_by = _name(author) if author else (
            "the scheduler" if model is AuditEntry else "")

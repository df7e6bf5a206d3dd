"""Who else has a story open on the desk, and whether they saved it after this page opened.

Each open editor page posts a heartbeat every ~10 s; an editor not heard from for `WINDOW`
has gone (a closed laptop sends no goodbye). The answer also says whether the stored version
moved past the one the page holds, so an editor learns before saving that they will merge.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from ..models import Article, Presence, Revision
from .json_post import json_post
from .states import GONE_OUT, moved_by
from .views import _article_for

WINDOW = timedelta(seconds=30)


def mark(article: Article, user) -> None:
    """This editor has the story open now (since when they first opened it, if still there)."""
    now = timezone.now()
    seen = Presence.objects.filter(article=article, user=user)
    if seen.filter(seen_at__gte=now - WINDOW).update(seen_at=now):
        return
    try:
        with transaction.atomic():
            seen.update_or_create(article=article, user=user,
                                  defaults={"since": now, "seen_at": now})
    except IntegrityError:  # the editor's other tab got there first
        seen.update(seen_at=now)


def describe(user) -> str:
    name = user.get_full_name() or user.get_username()
    role = next(iter(g.name for g in user.groups.all()), "")
    return f"{name} ({role.lower()})" if role else name


def others(article: Article, user) -> list[str]:
    """"Ann Lee (editor) has had this story open since 09:14", for everyone else there now."""
    present = (Presence.objects.filter(article=article, seen_at__gte=timezone.now() - WINDOW)
               .exclude(user=user).select_related("user").prefetch_related("user__groups")
               .order_by("since"))
    return [
        f"{describe(p.user)} has had this story open since "
        f"{timezone.localtime(p.since):%H:%M}" for p in present
    ]


def newer_than(article: Article, version: int | None, user) -> str:
    """Who saved a version later than the page's, and when; empty if none did."""
    if version is None or article.version <= version:
        return ""
    last = (article.revisions.filter(version__gt=version)
            .exclude(kind=Revision.Kind.REFUSED).select_related("created_by").first())
    who = "Someone"
    if last and last.created_by:
        who = "You (in another window)" if last.created_by == user else describe(last.created_by)
    when = f" at {timezone.localtime(last.created_at):%H:%M}" if last else ""
    return f"{who} saved a newer version{when}: your save will ask you to merge."


@json_post
def heartbeat(request: HttpRequest, payload: dict, pk: int) -> JsonResponse:
    article = _article_for(request, pk)
    mark(article, request.user)
    version = payload.get("version")
    version = version if isinstance(version, int) else None
    return JsonResponse({
        "ok": True,
        "others": others(article, request.user),
        "version": article.version,
        "newer": newer_than(article, version, request.user),
        "moved": moved_since(article, payload.get("status")),
    })


def moved_since(article: Article, shown) -> str:
    """Who published or scheduled the story since the page showed it in another state (a
    move from the list changes no version): the editor's next save will ask first."""
    if not isinstance(shown, str) or not shown or shown == article.status or (
            article.status not in GONE_OUT):
        return ""
    return f"{moved_by(article)}: your save will ask you first."


@json_post
def leave(request: HttpRequest, payload: dict, pk: int) -> JsonResponse:
    Presence.objects.filter(article_id=pk, user=request.user).delete()
    return JsonResponse({"ok": True})

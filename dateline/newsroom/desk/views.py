"""Desk views around the article editor: workflow actions, audit log, revisions, notes."""

from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..actions import TRANSITIONS, ActionRefused
from ..actions.notes import add_note as do_add_note
from ..actions.notes import withdraw_note as do_withdraw_note
from ..actions.restore import restore_revision
from ..diff import revision_diff
from ..models import Article, Revision
from ..permissions import can_edit, can_see_all, is_owner
from ..preview import preview_url
from .forms import NoteForm, TransitionForm


def _article_for(request: HttpRequest, pk: int) -> Article:
    """The article, if this user may see it on the desk at all."""
    article = get_object_or_404(Article.objects.select_related("section"), pk=pk)
    if not request.user.has_perm("newsroom.view_article"):
        raise PermissionDenied
    if not (can_see_all(request.user) or is_owner(request.user, article)):
        raise PermissionDenied
    return article


def _change_url(article: Article) -> str:
    return reverse("admin:newsroom_article_change", args=[article.pk])


def workflow_context(request: HttpRequest, article: Article) -> dict:
    user = request.user
    return {
        "transitions": [t for t in TRANSITIONS.values() if t.is_available(user, article)],
        "transition_form": TransitionForm(),
        "note_form": NoteForm() if user.has_perm("newsroom.correct_article") else None,
        "notes": article.notes.select_related("created_by"),
        "can_edit_article": can_edit(user, article),
        "move_note": move_note(article),
    }


def move_note(article: Article) -> str:
    """The note left with the move that put the story in its state ("Please add a line on the
    ships' wait"), in words, for the writer it went back to; it was only in the audit log."""
    moved = article.audit_log.select_related("user").filter(to_status=article.status).first()
    if moved is None or not moved.note or moved.action not in TRANSITIONS:
        return ""
    who = "the scheduler" if moved.user is None else (
        moved.user.get_full_name() or moved.user.get_username())
    when = timezone.localtime(moved.created_at)
    return (f"“{TRANSITIONS[moved.action].label}” by {who} at {when:%Y-%m-%d %H:%M}: "
            f"{moved.note}")


@require_POST
def transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    article = _article_for(request, pk)
    chosen = TRANSITIONS.get(action)
    if chosen is None:
        raise Http404("No such action.")
    form = TransitionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(_change_url(article))
    params = {"at": form.cleaned_data["at"]} if chosen.needs_time else {}
    try:
        done = chosen.execute(request.user, article, note=form.cleaned_data["note"],
                              seen=form.cleaned_data["seen_status"], **params)
    except (ActionRefused, PermissionDenied) as exc:
        messages.error(request, str(exc) or "Your role does not allow this.")
    else:
        messages.success(request, f"{chosen.label}: {chosen.outcome(done)}")
    return redirect(_change_url(article))


def audit_log(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article_for(request, pk)
    if not (request.user.has_perm("newsroom.view_auditentry") or is_owner(request.user, article)):
        raise PermissionDenied
    entries = list(article.audit_log.select_related("user"))
    # States as the desk says them ("Killed", "In review"), not their stored values.
    said = dict(Article.Status.choices)
    for entry in entries:
        entry.from_said = said.get(entry.from_status, entry.from_status)
        entry.to_said = said.get(entry.to_status, entry.to_status)
    return render(request, "desk/audit_log.html", _page(request, article, "Audit log",
                                                         entries=entries))


def revisions(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article_for(request, pk)
    listing = list(article.revisions.select_related("created_by").defer("body", "metadata"))
    context = {"revisions": listing, "can_restore": can_edit(request.user, article)}
    a, b = request.GET.get("a"), request.GET.get("b")
    if a and b:
        try:
            old = article.revisions.get(pk=int(a))
            new = article.revisions.get(pk=int(b))
        except (ValueError, Revision.DoesNotExist):
            raise Http404("No such revision of this article.") from None
        context.update(old=old, new=new, diff=revision_diff(old, new))
    return render(request, "desk/revisions.html", _page(request, article, "Revisions", **context))


def restore(request: HttpRequest, pk: int, revision: int) -> HttpResponse:
    """Asked first (GET: what would change, the chosen text against the story's own), then done
    (POST): one click on a list of revisions replaced a published story's text for readers."""
    article = _article_for(request, pk)
    chosen = get_object_or_404(article.revisions, pk=revision)
    if request.method != "POST":
        diff = revision_diff(_text_of(article), _text_of(chosen))
        return render(request, "desk/confirm_restore.html", _page(
            request, article, f"Restore revision {chosen.pk}", chosen=chosen, diff=diff,
            changes=any(field["changed"] for field in diff),
            can_restore=can_edit(request.user, article)))
    try:
        seen = int(request.POST["version"]) if request.POST.get("version") else None
    except ValueError:
        seen = -1  # not a version: refused as stale, and the page shown again
    try:
        restore_revision(request.user, chosen, seen)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(request.path)
    else:
        messages.success(request, f"Restored the text of revision {chosen.pk}.")
    return redirect(_change_url(article))


def _text_of(story: Article | Revision) -> SimpleNamespace:
    """What a restore brings back (headline, standfirst, body), for the diff."""
    return SimpleNamespace(headline=story.headline, standfirst=story.standfirst,
                           body=story.body, metadata={})


@require_POST
def add_note(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article_for(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(_change_url(article))
    try:
        do_add_note(request.user, article, form.cleaned_data["kind"], form.cleaned_data["text"],
                    key=form.cleaned_data["sending"])
    except (ActionRefused, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The note is on the published article.")
    return redirect(_change_url(article))


@require_POST
def withdraw_note(request: HttpRequest, pk: int, note: int) -> HttpResponse:
    article = _article_for(request, pk)
    found = article.notes.filter(pk=note).first()
    if found is None:
        messages.error(request, "That note is not on this story (taken off already?).")
        return redirect(_change_url(article))
    try:
        do_withdraw_note(request.user, found)
    except (ActionRefused, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The {found.get_kind_display().lower()} is off the story; "
                                  "the audit log keeps its words.")
    return redirect(_change_url(article))


def preview_link(request: HttpRequest, pk: int) -> HttpResponse:
    article = _article_for(request, pk)
    url = request.build_absolute_uri(preview_url(article))
    hours = settings.DATELINE_PREVIEW_MAX_AGE // 3600
    return render(request, "desk/preview_link.html",
                  _page(request, article, "Preview link", url=url, preview_hours=hours))


def _page(request: HttpRequest, article: Article, title: str, **context) -> dict:
    from django.contrib import admin

    return {
        **admin.site.each_context(request),
        "title": f"{title}: {article.headline}",
        "article": article,
        "opts": Article._meta,
        "change_url": _change_url(article),
        **context,
    }

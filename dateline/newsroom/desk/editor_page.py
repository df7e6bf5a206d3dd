"""The article editor page around the form: kept text restored, presence, workflow buttons.

The workflow buttons post the editor's form itself (`_workflow=<action>`), so the text on the
screen is saved first, with the same stale-version check as Save; only a save that went
through is followed by the action, in the same request.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from dateline.base.numbers import key_from

from ..actions import TRANSITIONS, ActionRefused
from ..actions.audit import last_move
from ..actions.save import keep_refused
from ..coming import comes_out
from ..models import Article, Revision
from ..permissions import can_edit
from . import autosave, presence
from .forms import TransitionForm

WORKFLOW_BUTTON = "_workflow"
# What the apps above the newsroom must tell an editor beside a story's workflow buttons (the
# machine's "very like another story" before publishing), each a function of the request and
# the story giving safe HTML or None: added by the app at ready(), so that the newsroom names
# none of them.
_story_notices: list[Callable[[HttpRequest, Article], str | None]] = []


def add_story_notice(notice: Callable[[HttpRequest, Article], str | None]) -> None:
    """Added once, however often."""
    if notice not in _story_notices:
        _story_notices.append(notice)


def site_zone() -> str:
    """"Europe/Sofia, UTC+02:00": the zone the desk's times are typed and shown in."""
    offset = timezone.localtime().strftime("%z")
    return f"{settings.TIME_ZONE}, UTC{offset[:3]}:{offset[3:]}"


def page_context(request: HttpRequest, article: Article | None) -> dict:
    """What the editor page shows above the form; keeps the text restored for the form."""
    # Only into a form the editor may still save; otherwise the text waits, kept, until then.
    may_save = article is None or can_edit(request.user, article)
    kept = (autosave.kept_for(request.user, article)
            if request.method == "GET" and may_save else None)
    offered = None
    if kept is not None and article is None and request.GET.get("restore") != "1":
        # A new story's page opens blank, offering the text left on an earlier one: restored
        # unasked, an editor starting another story typed into the middle of it.
        kept, offered = None, autosave.offer(kept)
    # Read by the form class (ArticleAdmin.get_form): the form opens with this text.
    request.desk_restored = kept
    context = {
        "site_zone": site_zone(),
        "site_zone_name": settings.TIME_ZONE,
        "restored_note": autosave.restore_note(kept, article) if kept else "",
        # The page whose text this was (restored here, or the page refused and drawn again
        # with its own text): this page's save has done its job.
        "restored_page": (autosave.page_of(kept) if kept
                          else request.POST.get(autosave.PAGE, "")[:64]),
        "unsaved_offer": offered,
        "autosave_url": reverse("admin:newsroom_article_autosave_new"),
    }
    if article is not None:
        if request.method == "GET":
            presence.mark(article, request.user)
        context.update(
            autosave_url=reverse("admin:newsroom_article_autosave", args=[article.pk]),
            presence_url=reverse("admin:newsroom_article_presence", args=[article.pk]),
            leave_url=reverse("admin:newsroom_article_leave", args=[article.pk]),
            comes_out=comes_out(article),
            others_here=presence.others(article, request.user),
            kept_move=refused_move(request, article) if request.method == "GET" else None,
            story_notices=[said for notice in _story_notices
                           if (said := notice(request, article))],
            **present_times(article),
        )
    return context


def present_times(article: Article) -> dict:
    """Schedule's and Embargo's time boxes start on the story's present time for them, in the
    site's zone: moving 06:00 to 06:30 meant typing the whole date and time again."""
    def box(moment) -> str:
        return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M:%S}"

    times = {}
    if article.status == Article.Status.SCHEDULED and article.scheduled_for:
        times["schedule_at_now"] = box(article.scheduled_for)
    if article.embargo_until and article.embargo_until > timezone.now():
        times["embargo_at_now"] = box(article.embargo_until)
    return times


def keep_unwritable_save(request: HttpRequest, article: Article) -> HttpResponse:
    """A save from someone who could edit the story when their page opened and no longer can
    (an editor published it while a reporter typed): their text is kept, not applied, and
    they are told where it is."""
    kept = _keep_posted(request, article,
                        "Sent after the story left the writer's hands; kept, not applied.")
    messages.error(request, (
        f"Your text was not applied: the story is {article.get_status_display().lower()} now "
        f"({last_move(article)}), and your role cannot change it so. It is kept as revision "
        f"{kept.pk}, under Revisions, where an editor can restore it."))
    return redirect(reverse("admin:newsroom_article_change", args=[article.pk]))


def _keep_posted(request: HttpRequest, article: Article, note: str):
    """The text the editor's form posted, kept as a refused revision (not applied)."""
    base = min(key_from(request.POST.get("base_version", "")) or 0, Article.HIGHEST_VERSION)
    return keep_refused(article.pk, request.user, base, request.POST.get("headline", ""),
                        request.POST.get("standfirst", ""), request.POST.get("body", ""),
                        note=note)


def refuse_moved_since(request: HttpRequest, article: Article, name: str,
                       changed: Callable[[], list[str]]) -> HttpResponse | None:
    """A workflow button pressed on a page that showed the story in another state (another
    editor killed it meanwhile): nothing is saved or done, and the editor is told what moved
    it, not shown a merge of texts that may not differ. What they had changed on the page
    (`changed()`: the fields that differ from the story's, read only then) is kept as a
    revision."""
    chosen = TRANSITIONS.get(name)
    seen = request.POST.get(f"wf-{name}-seen_status", "")
    if chosen is None or seen not in Article.Status.values or seen == article.status:
        return None
    why = chosen.moved_since(article, seen)
    if changed():
        kept = _keep_posted(request, article,
                            f"Sent with “{chosen.label}” after the story had moved on.")
        why += f" Your changes are kept as revision {kept.pk}, under Revisions."
    messages.error(request, why)
    return redirect(reverse("admin:newsroom_article_change", args=[article.pk]))


def run_workflow(request: HttpRequest, article: Article, name: str) -> HttpResponse:
    """After the text was saved: the chosen action, with its time and note from the form."""
    back = redirect(reverse("admin:newsroom_article_change", args=[article.pk]))
    chosen = TRANSITIONS.get(name)
    if chosen is None:
        messages.error(request, "Your text is saved; there is no such workflow action.")
        return back
    form = TransitionForm(request.POST, prefix=f"wf-{name}")
    if not form.is_valid():
        problems = " ".join(e for errors in form.errors.values() for e in errors)
        messages.error(request, f"Your text is saved, but not “{chosen.label}”: {problems}")
        keep_refused_move(request, article, name)
        return back
    params = {"at": form.cleaned_data["at"]} if chosen.needs_time else {}
    # This request's save (not another editor's, committed since).
    saved = (article.revisions.filter(created_by=request.user, version=article.version)
             .exclude(kind=Revision.Kind.REFUSED).order_by("-created_at", "-pk").first())
    try:
        done = chosen.execute(request.user, article, note=form.cleaned_data["note"],
                              seen=form.cleaned_data["seen_status"], **params)
    except (ActionRefused, PermissionDenied) as exc:
        why = str(exc) or "your role does not allow this."
        messages.error(request, f"Your text is saved, but not “{chosen.label}”: {why}")
        keep_refused_move(request, article, name)
    else:
        _revision_after_move(saved, article, chosen.label)
        messages.success(request, f"Saved, then “{chosen.label}”: {chosen.outcome(done)}")
    return back


def _revision_after_move(saved: Revision | None, article: Article, label: str) -> None:
    """The save's revision records the story as the move left it: comparing the save that
    published a killed story again with the one before read "published → unpublished"."""
    if saved is None:
        return
    status = Article.objects.filter(pk=article.pk).values_list("status", flat=True).first()
    saved.metadata = {**saved.metadata, "status": status}
    limit = Revision._meta.get_field("note").max_length
    saved.note = " ".join(filter(None, (saved.note, f"Then “{label}”.")))[:limit]
    saved.save(update_fields=["metadata", "note"])


# The session key of a refused move's note and time, put back in its fields on the page the
# editor returns to (page_context): they came back empty, and the note was lost.
KEPT_MOVE = "desk-refused-move"


def keep_refused_move(request: HttpRequest, article: Article, name: str) -> None:
    request.session[KEPT_MOVE] = {
        "article": article.pk, "name": name,
        "note": request.POST.get(f"wf-{name}-note", "")[:2000],
        "at": request.POST.get(f"wf-{name}-at", "")[:40],
    }


def refused_move(request: HttpRequest, article: Article) -> dict | None:
    """The note and time of the move refused on this story's last page, once."""
    kept = request.session.get(KEPT_MOVE)
    if not kept or kept.get("article") != article.pk:
        return None
    del request.session[KEPT_MOVE]
    return kept

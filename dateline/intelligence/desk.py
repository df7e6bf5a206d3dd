"""The machine's drafts on the article editor: tags to accept or reject, topics, related
stories to pin or remove, the brief, and a warning when the story is very like another.

Shown by the newsroom's ArticleAdmin through its EXTRA_INLINES (apps.ready adds it), so the
newsroom never imports intelligence. The panel sits inside the editor's form, which cannot
hold forms of its own: its buttons post to `decide` with `formaction` (the whole page goes,
the view reads its own fields and comes back), and intelligence/panel.js does the same by
fetch, replacing the panel in place so that the editor's unsaved text stays.
"""

from datetime import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from dateline.base.numbers import key_from
from dateline.newsroom.desk.article_admin import keep_typed
from dateline.newsroom.desk.keys import AutocompleteSelect
from dateline.newsroom.models import Article
from dateline.newsroom.permissions import can_edit

from . import decisions
from .base import BRIEF_MAX_CHARACTERS
from .duplicates import near_duplicates
from .models import Analysis, Brief, Decision, RelatedStory, StoryTopic, TagSuggestion
from .text import brief_basis, story_of

SHOWN_RELATED = 5
# The session's key for a brief refused without scripts, kept for the page drawn again.
_TYPED_BRIEF = "intel-brief-typed:{}"
# Pending tag suggestions under this confidence are folded under "Less likely".
LESS_LIKELY_BELOW = 0.3


def may_decide(user, article: Article) -> bool:
    return user.has_perm("newsroom.change_article") and can_edit(user, article)


def panel_context(request: HttpRequest, article: Article) -> dict:
    suggestions = list(TagSuggestion.objects.filter(article=article).select_related("tag")
                       .order_by("-confidence", "tag__name"))
    related = list(RelatedStory.objects.filter(article=article).select_related("related")
                   .order_by("rank", "pk"))
    pinned = [r for r in related if r.origin == RelatedStory.Origin.PINNED]
    computed = [r for r in related if r.origin == RelatedStory.Origin.COMPUTED]
    # A story killed (or not out yet) since it was pinned or ranked is not shown to readers:
    # said, and not counted among the five they see (the panel listed a killed one first).
    for row in related:
        row.unseen = not row.related.is_live
    place = sum(not row.unseen for row in pinned)
    for row in computed:
        place += not row.unseen
        row.spare = not row.unseen and place > SHOWN_RELATED  # stands in for one removed
    analysis = Analysis.objects.filter(article=article).first()
    brief = Brief.objects.filter(article=article).first()
    return {
        # A brief refused without scripts (a colleague's came first): the words typed, to be
        # saved again over theirs, as the refusal says.
        "typed_brief": request.session.pop(_TYPED_BRIEF.format(article.pk), None),
        "article": article,
        "decide_url": reverse("intelligence-desk:decide", args=[article.pk]),
        # Suggestions far below the line an editor is asked to look at are folded away: a long
        # table of 2% guesses hid the few that mattered.
        "pending": [s for s in suggestions
                    if s.decision == Decision.PENDING and s.confidence >= LESS_LIKELY_BELOW],
        "less_likely": [s for s in suggestions
                        if s.decision == Decision.PENDING and s.confidence < LESS_LIKELY_BELOW],
        "less_likely_below": LESS_LIKELY_BELOW,
        "on_story": [s for s in suggestions if s.decision in (Decision.APPLIED,
                                                               Decision.ACCEPTED)],
        "rejected": [s for s in suggestions if s.decision == Decision.REJECTED],
        "topics": StoryTopic.objects.filter(article=article).order_by("scheme", "-confidence"),
        "pinned": pinned,
        "computed": computed,
        "removed": [r for r in related if r.origin == RelatedStory.Origin.REMOVED],
        "shown_related": SHOWN_RELATED,
        "brief": brief,
        "brief_behind": brief_behind(article, brief),
        "analysis": analysis,
        # "gazetteer:1@e411000b+linear:1+…" as an editor reads it: the parts' names.
        "drafted_by": ", ".join(dict.fromkeys(
            part.split(":", 1)[0] for part in (analysis.version.split("+") if analysis else []))),
        "duplicates": [{**d, "published": datetime.fromisoformat(d["published_at"]),
                        "percent": round(100 * d["similarity"])}
                       for d in current_duplicates(article, analysis)],
        "picker": RelatedPick(prefix="intel", story=article)["related"],
    }


def very_like_notice(request: HttpRequest, article: Article) -> str | None:
    """Beside the workflow buttons of a story not out yet: the near-duplicate the machine
    found, which only the panel below the form said, where an editor about to publish did
    not look."""
    if article.is_live:
        return None
    found = current_duplicates(
        article, Analysis.objects.filter(article=article).only("near_duplicates").first())
    if not found:
        return None
    closest = max(found, key=lambda d: d["similarity"])
    published = datetime.fromisoformat(closest["published_at"]) if closest.get(
        "published_at") else None
    return format_html(
        '<strong>Very like</strong> <a href="{}">“{}”</a>{} ({}% the same words): check it '
        'is not the same story before publishing (<a href="#intelligence">the machine\'s '
        "notes</a>).", reverse("admin:newsroom_article_change", args=[closest["id"]]),
        closest["headline"],
        f" of {timezone.localtime(published):%Y-%m-%d %H:%M}" if published else "",
        round(100 * closest["similarity"]))


def current_duplicates(article: Article, analysis: Analysis | None) -> list[dict]:
    """The live stories very like this one now. A story not out yet is compared again each
    time its page opens: what its analysis found is as old as its last save, and a twin
    published since (a draft analysed before it went out) was never flagged, so the copy
    went out too. Its candidates are those the analysis found, its related stories and its
    section's recent ones (duplicates.near_duplicates); a live story keeps its analysis's."""
    stored = analysis.near_duplicates if analysis else []
    if article.is_live:
        return stored
    if "_current_duplicates" not in article.__dict__:  # once a page: the notice and the panel
        related = RelatedStory.objects.filter(article=article).values_list("related_id",
                                                                            flat=True)
        article._current_duplicates = near_duplicates(
            article, story_of(article), [*(d["id"] for d in stored), *related])
    return article._current_duplicates


def brief_behind(article: Article, brief: Brief | None) -> str:
    """What changed in the story since an editor wrote its brief, in words, or "": their brief
    stays as written, and a corrected figure stayed wrong in News in Brief and the edition."""
    if brief is None or not brief.edited or brief.edited_at is None:
        return ""
    changes = []
    if brief.written_from and brief.written_from != brief_basis(article):
        changes.append("its text was changed")
    if article.notes.filter(created_at__gt=brief.edited_at).exists():
        changes.append("a correction or update was added")
    return " and ".join(changes)


class OtherStoryPicker(AutocompleteSelect):
    """The admin's autocomplete over the stories' search, less the story itself: it came first
    in its own picker, to be refused once chosen ("A story cannot be related to itself")."""

    def __init__(self, *args, story: Article | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.story = story

    def get_url(self) -> str:
        # The desk's story search leaves out the story named by `exclude`, and with `live`
        # finds published stories for every writer, not only their own (article_admin).
        url = f"{super().get_url()}?live=1"
        return f"{url}&exclude={self.story.pk}" if self.story is not None else url


class RelatedPick(forms.Form):
    """The desk's own story picker."""

    def __init__(self, *args, story: Article | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["related"] = forms.ModelChoiceField(
            Article.objects.none(), required=False, widget=OtherStoryPicker(
                RelatedStory._meta.get_field("related"), admin.site, story=story,
                attrs={"id": "intel-related-pick"}))


class PanelFormSet(forms.BaseInlineFormSet):
    """No rows of its own: the panel shows what the machine drafted; decisions go to `decide`."""

    request = None

    def __init__(self, data=None, *args, prefix=None, **kwargs):
        # As pictures' formset: a post without the panel's management form (a workflow
        # button's, a script's) still saves the story.
        key = f"{prefix or self.get_default_prefix()}-TOTAL_FORMS"
        if data is not None and key not in data:
            data = data.copy()
            data[key] = data[key.replace("TOTAL", "INITIAL")] = "0"
        super().__init__(data, *args, prefix=prefix, **kwargs)

    def panel(self) -> dict:
        return panel_context(self.request, self.instance)


class IntelligencePanel(admin.TabularInline):
    model = TagSuggestion
    formset = PanelFormSet
    template = "intelligence/desk_panel.html"
    fields = ["confidence"]
    extra = max_num = 0
    can_delete = False
    verbose_name_plural = "Drafted by the machine"

    class Media:
        css = {"all": ["intelligence/panel.css"]}
        js = ["intelligence/panel.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_view_permission(self, request, obj=None) -> bool:
        return obj is not None and may_decide(request.user, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type("PanelFormSetFor", (formset,), {"request": request})


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """One decision from the panel (`intel-action` = "accept:<id>", "pin:<id>", "brief" ...);
    JSON with the panel again for panel.js, else back to the editor with a message."""
    article = get_object_or_404(Article.objects.select_related("section"), pk=pk)
    if not may_decide(request.user, article):
        raise PermissionDenied("Your role does not allow you to edit this story now.")
    action, _, target = request.POST.get("intel-action", "").partition(":")
    try:
        message = _act(request, article, action, target)
        ok = True
    except decisions.NotPossible as refusal:
        message, ok = str(refusal), False
    if request.headers.get("Accept", "").startswith("application/json"):
        html = render_to_string("intelligence/panel_body.html",
                                {"p": panel_context(request, article)}, request=request)
        answer = {"ok": ok, "message": message, "html": html}
        # The tag put on or taken off the story, for the form's Tags box on the same page:
        # left as it was, the story's next Save wrote the old list back over the decision.
        if ok and (decided := getattr(request, "intel_tag", None)):
            tag, on = decided
            answer["tag"] = {"id": tag.pk, "name": str(tag), "on": on}
        return JsonResponse(answer, status=200 if ok else 400)
    (messages.success if ok else messages.error)(request, message)
    _keep_what_was_typed(request, article, action, ok)
    return redirect(reverse("admin:newsroom_article_change", args=[article.pk]) + "#intelligence")


def _keep_what_was_typed(request: HttpRequest, article: Article, action: str, ok: bool) -> None:
    """Without scripts a panel button posts the whole story form here, and the page drawn
    again after it showed the story as saved: the editor's unsaved changes were lost without a
    word, and a refused brief's text too ("your text is still in the box": it was not)."""
    if action == "brief" and not ok:
        request.session[_TYPED_BRIEF.format(article.pk)] = \
            request.POST.get("intel-brief", "")[:4 * BRIEF_MAX_CHARACTERS]
    if "base_version" not in request.POST:
        return  # the panel's own form (panel.js), not the story's
    # A tag accepted or rejected is the decision itself: the Tags box as sent predates it.
    leave_out = frozenset({"tags"}) if action in ("accept", "reject") else frozenset()
    if keep_typed(request, article, leave_out):
        messages.warning(request, "What you had changed in the story and not saved is back in "
                         "the form: save to keep it.")


def _act(request: HttpRequest, article: Article, action: str, target: str) -> str:
    user = request.user
    if action in ("accept", "reject"):
        suggestion = _suggestion(article, target)
        request.intel_tag = (suggestion.tag, action == "accept")
        if action == "accept":
            decisions.accept(suggestion, user)
            return f"Tagged “{suggestion.tag.name}”."
        decisions.reject(suggestion, user)
        return f"“{suggestion.tag.name}” rejected: it will not be suggested again."
    if action in ("pin", "add-related"):
        picked = target if action == "pin" else request.POST.get("intel-related", "")
        related = Article.objects.filter(pk=_number(picked, "Choose a story first.")).first()
        if related is None:
            raise decisions.NotPossible("That story no longer exists.")
        decisions.pin(article, related, user)
        return f"“{related.headline}” pinned to the related stories."
    if action == "remove":
        decisions.remove(article, _number(target), user)
        return "Removed from the related stories; it will not come back (unless let back)."
    if action == "let-back":
        from .tasks import queue_analysis

        back = decisions.let_back(article, _number(target))
        queue_analysis(article.pk, force=True)
        return (f"“{back.headline}” may be among the related stories again: the machine ranks "
                "them again in a moment.")
    if action == "brief":
        decisions.edit_brief(article, request.POST.get("intel-brief", ""), user,
                             seen=request.POST.get("intel-brief-seen"))
        return "Brief saved: News in Brief shows your words."
    if action == "brief-reset":
        brief = Brief.objects.filter(article=article).first()
        if brief is None or not brief.machine_text:
            raise decisions.NotPossible("The machine has no brief of this story yet.")
        decisions.reset_brief(article)
        return "Brief reset to the machine's; it follows the story's changes again."
    if action == "analyse":
        from .tasks import queue_analysis

        queue_analysis(article.pk, force=True)
        return "Queued: the suggestions are drafted again in a moment (reload to see them)."
    raise decisions.NotPossible("Unknown action.")


def _suggestion(article: Article, target: str) -> TagSuggestion:
    return get_object_or_404(TagSuggestion.objects.select_related("article", "tag"),
                             article=article, pk=_number(target))


def _number(text: str, why: str = "Unknown item.") -> int:
    if (number := key_from(text)) is None:
        raise decisions.NotPossible(why)
    return number

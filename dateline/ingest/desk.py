"""The desk's foreign-media monitor and what an editor does from it: a draft from an item or a
whole cluster, a press review from chosen items, and the review's entries edited.

Every button is a POST from the monitor's one form (CSRF-checked), checks the user's
permission on the server, and says in a message what happened or why nothing did.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dateline.base.numbers import key_from
from dateline.newsroom.desk.seen import SeenState
from dateline.newsroom.models import Article

from . import monitor, press_review
from .drafts import DraftedAlready, NoSection, make_draft, outlet_link
from .models import Cluster, Item, PressReviewEntry

POLL_SECONDS = 30


def editor_url(article: Article) -> str:
    return reverse("admin:newsroom_article_change", args=[article.pk])


def _require(request: HttpRequest, *perms: str) -> None:
    if not request.user.has_perms(perms):
        raise PermissionDenied("Your role may not do this.")


def open_reviews():
    return Article.objects.filter(kind=Article.Kind.PRESS_REVIEW, status=Article.Status.DRAFT)\
        .order_by("-created_at")[:20]


def monitor_page(request: HttpRequest) -> HttpResponse:
    _require(request, "ingest.view_cluster")
    terms = monitor.active_terms()
    return render(request, "ingest/monitor.html", {
        **admin.site.each_context(request), "title": "Foreign-media monitor",
        "entries": monitor.todays_clusters(), "terms": terms,
        "exclusions": monitor.exclusions(),
        "subject": terms[0] if terms else "",
        "reviews": open_reviews(), "poll_seconds": POLL_SECONDS,
        "can_draft": request.user.has_perm("newsroom.add_article"),
        "can_review": request.user.has_perms(
            ["newsroom.add_article", "ingest.add_pressreviewentry"]),
    })


def monitor_json(request: HttpRequest) -> JsonResponse:
    _require(request, "ingest.view_cluster")
    return JsonResponse({"clusters": [monitor.as_json(e) for e in monitor.todays_clusters()],
                         "terms": monitor.active_terms()})


def _items(pks) -> list[Item]:
    wanted = [pk for pk in map(key_from, map(str, pks)) if pk is not None]
    found = {item.pk: item for item in
             Item.objects.select_related("feed", "outlet").filter(pk__in=wanted)}
    return [found[pk] for pk in wanted if pk in found]


def _drafted(request: HttpRequest, items: list[Item]) -> HttpResponse:
    again = request.POST.get("again") == "1"
    if any(item.used for item in items) and not again:
        return _drafted_already(request, items)
    try:
        article = make_draft(items, request.user, again=again)
    except DraftedAlready:  # by a colleague, in the same moment
        return _drafted_already(request, items)
    except NoSection as error:
        messages.error(request, str(error))
        return redirect("ingest-desk:monitor")
    # The section is the desk's default for drafts, not the outlet's: said, so that a tennis
    # story is not published under Business unseen.
    messages.success(request, f"Draft made from {len(items)} item(s); its sources: "
                     f"{', '.join(dict.fromkeys(item.outlet.name for item in items))}. "
                     f"It is filed under {article.section.display_path}: choose its section "
                     "before publishing.")
    return redirect(editor_url(article))


def _drafted_already(request: HttpRequest, items: list[Item]) -> HttpResponse:
    """The page saying who drafted these items already: pressed a second time, or by a
    colleague (a second draft of one item was made without a word, and two people rewrote
    one story)."""
    link = outlet_link(items[0])[:500]
    # An item with no link of its own names no draft: every story without an original
    # address would match "".
    earlier = Article.objects.filter(original_url=link).exclude(
        kind=Article.Kind.PRESS_REVIEW).select_related("created_by").order_by("-pk") \
        if link else Article.objects.none()
    return render(request, "ingest/drafted_already.html", {
        **admin.site.each_context(request), "title": "Drafted already",
        "items": items, "drafts": [(draft, editor_url(draft)) for draft in earlier[:5]]})


@require_POST
def item_draft(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "ingest.view_cluster", "newsroom.add_article")
    return _drafted(request, _items([get_object_or_404(Item, pk=pk).pk]))


@require_POST
def cluster_draft(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "ingest.view_cluster", "newsroom.add_article")
    cluster = get_object_or_404(Cluster, pk=pk)
    items = list(cluster.items.select_related("feed", "outlet").order_by("first_seen_at", "pk"))
    if not items:
        messages.error(request, "That cluster has no items left.")
        return redirect("ingest-desk:monitor")
    return _drafted(request, items)


@require_POST
def add_to_review(request: HttpRequest) -> HttpResponse:
    """The chosen items (or the one whose button was pressed) into a press review: a new one,
    or an open draft review chosen on the monitor."""
    _require(request, "newsroom.add_article", "ingest.add_pressreviewentry")
    pks = [request.POST["only"]] if request.POST.get("only") else request.POST.getlist("items")
    items = _items(pks)
    if not items:
        messages.error(request, "Choose at least one item for the press review.")
        return redirect("ingest-desk:monitor")
    review = request.POST.get("review", "").strip()
    if review and key_from(review) is None:
        # A review chosen that no story can be: said, not a new review started instead.
        messages.error(request, "No such press review: choose one on the monitor again.")
        return redirect("ingest-desk:monitor")
    try:
        if (review_pk := key_from(review)) is not None:
            article = get_object_or_404(Article, pk=review_pk, kind=Article.Kind.PRESS_REVIEW)
            added = press_review.add_items(article, items, request.user)
        else:
            subject = request.POST.get("subject", "").strip() or "us"
            article = press_review.start_review(items, request.user, subject)
            added = len(items)
    except (NoSection, press_review.ReviewOut) as error:
        messages.error(request, str(error))
        return redirect("ingest-desk:monitor")
    messages.success(request, f"{added} item(s) added to \u2018{article.headline}\u2019: "
                     "write your summary of each.")
    return redirect("ingest-desk:review", pk=article.pk)


class EntryForm(SeenState, forms.ModelForm):
    """An entry's row: saved over what a colleague saved since only where this editor changed
    it (newsroom.desk.seen)."""

    class Meta:
        model = PressReviewEntry
        fields = ["position", "excerpt", "summary"]
        widgets = {"excerpt": forms.Textarea(attrs={"rows": 3, "cols": 60}),
                   "summary": forms.Textarea(attrs={"rows": 4, "cols": 60})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Saved without a summary, the review is refused at publication, not here.
        self.fields["summary"].required = False
        if self.instance.pk:
            for field in self.fields.values():
                field.widget.attrs["aria-label"] = \
                    f"{field.label} for \u2018{self.instance.headline}\u2019"
        entry = self.instance
        if entry.pk and entry.item_id and not entry.item.feed.may_quote:
            self.fields["excerpt"].disabled = True
            self.fields["excerpt"].help_text = "This outlet may not be quoted."
            # A quotation kept from before the outlet said so goes at the next save.
            self.initial["excerpt"] = ""

    def clean_excerpt(self) -> str:
        text = self.cleaned_data["excerpt"].strip()
        if len(text) > press_review.EXCERPT_LIMIT + 1:
            raise forms.ValidationError(
                f"Keep the quotation short: at most {press_review.EXCERPT_LIMIT} characters.")
        return text


class EntriesOfAReview(forms.BaseInlineFormSet):
    """A review published or scheduled keeps what its publication asked for: at least one
    entry, each with its summary. Every entry of a live review could be deleted, or its
    summary emptied, and the page went on showing what was left."""

    def clean(self) -> None:
        super().clean()
        if self.instance.status not in press_review.GONE_OUT:
            return
        kept = [form for form in self.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        state = self.instance.get_status_display().lower()
        if not kept:
            raise forms.ValidationError(
                f"This review is {state}: it keeps at least one entry. To take it down, kill "
                "it from its page in the desk.")
        if any(not (form.cleaned_data.get("summary") or "").strip() for form in kept):
            raise forms.ValidationError(
                f"This review is {state}: every entry keeps its summary.")


EntryFormSet = forms.inlineformset_factory(
    Article, PressReviewEntry, form=EntryForm, formset=EntriesOfAReview, extra=0,
    can_delete=True)


def _rows_removed_since(data, existing: set[int]) -> int:
    """Rows of the posted page whose entry a colleague removed since it was drawn, marked
    deleted in `data`: each failed on its hidden id, an error the page could not show, and
    every Save was refused with nothing saved. How many there were."""
    prefix = EntryFormSet.get_default_prefix()
    drawn = min(key_from(data.get(f"{prefix}-INITIAL_FORMS", "")) or 0, EntryFormSet.absolute_max)
    gone = 0
    for row in range(drawn):
        if key_from(data.get(f"{prefix}-{row}-id", "")) not in existing:
            data[f"{prefix}-{row}-DELETE"] = "on"
            gone += 1
    return gone


def review_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A press review's entries: order, excerpt, the editor's summary; removing one."""
    _require(request, "ingest.change_pressreviewentry")
    article = get_object_or_404(Article, pk=pk, kind=Article.Kind.PRESS_REVIEW)
    entries = article.press_review_entries.select_related("outlet", "item__feed")
    data = request.POST.copy() if request.method == "POST" else None
    gone = _rows_removed_since(data, {entry.pk for entry in entries}) if data else 0
    formset = EntryFormSet(data, instance=article, queryset=entries)
    if request.method == "POST" and formset.is_valid():
        with transaction.atomic():
            formset.save()
            # Renews the story's cached page and its search entry like any save.
            article.save(update_fields=["modified_at"])
        messages.success(request, "The press review's entries are saved.")
        if gone:
            messages.warning(request, f"{gone} of the entries on your page had been removed "
                             "by a colleague meanwhile: what you wrote for them is not kept.")
        return redirect("ingest-desk:review", pk=article.pk)
    return render(request, "ingest/review.html", {
        **admin.site.each_context(request), "title": f"Entries of \u2018{article.headline}\u2019",
        "article": article, "formset": formset, "editor_url": editor_url(article),
    })

"""Desk pages for real time: the breaking-news switch and the entries of live coverage.

Neither goes through the article form: an editor flips "breaking" or a reporter files an
entry in seconds, while others may have the story open, and neither should meet a
stale-version refusal or overwrite someone's edit.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dateline.base import onetime
from dateline.newsroom.actions import log_action
from dateline.newsroom.coming import comes_out
from dateline.newsroom.html import paragraphs_to_html
from dateline.newsroom.models import Article
from dateline.newsroom.permissions import can_see_all, is_owner

from .models import LiveEntry

MAX_ENTRY = 20_000


class EntryForm(forms.Form):
    body = forms.CharField(
        label="New entry",
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80, "class": "vLargeTextField"}),
        max_length=MAX_ENTRY,
        help_text="Plain text: a blank line starts a new paragraph. Links and simple "
                  "formatting may be written as HTML; anything else is removed.",
    )

    # The page's one-time key: the same entry sent twice (a double click) is filed once.
    sending = forms.CharField(required=False, widget=forms.HiddenInput,
                              initial=onetime.new_key)

    def clean_sending(self) -> str | None:
        return onetime.sent_key(self.cleaned_data["sending"])

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if body.startswith("<"):
            return body
        if _MARKUP.search(body):
            # Plain paragraphs holding a link or a bold word: paragraphs made of the blank
            # lines, the markup kept for the sanitiser (LiveEntry.save), not escaped into text
            # that showed readers "<b>a new start</b>".
            return "\n".join(f"<p>{p.strip()}</p>" for p in _BLANK_LINE.split(body) if p.strip())
        return paragraphs_to_html(body)


# A tag the sanitiser keeps, opening or closing ("<a href=", "</b>"), in text typed as plain.
_MARKUP = re.compile(r"</?(a|b|strong|i|em|u|s|sub|sup|br|code|q|abbr|cite|mark)\b[^<>]*>",
                     re.IGNORECASE)
_BLANK_LINE = re.compile(r"\r?\n[ \t]*\r?\n")


def change_url(article: Article) -> str:
    return reverse("admin:newsroom_article_change", args=[article.pk])


def may_file_entries(user, article: Article) -> bool:
    return user.has_perm("live.add_liveentry") and (
        can_see_all(user) or is_owner(user, article))


@require_POST
def breaking(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a story as breaking news, or end it: one click, logged."""
    if not request.user.has_perm("newsroom.publish_article"):
        raise PermissionDenied("Only editors mark breaking news.")
    on = request.POST.get("breaking") == "on"
    with transaction.atomic():
        article = get_object_or_404(Article.objects.select_for_update(), pk=pk)
        if article.is_breaking != on:
            article.is_breaking = on
            article.save(update_fields=["is_breaking"])
            # The wire's urgency changed: partners get a new version of the story.
            Article.objects.filter(pk=article.pk).send_again()
            log_action(article, "breaking" if on else "breaking_ended", request.user,
                       "Marked as breaking news." if on else "Breaking news ended.")
    if on and not article.is_live:
        messages.info(request, f"Marked as breaking: the banner appears {comes_out(article)}.")
    else:
        messages.success(request, "Breaking news on." if on else "Breaking news ended.")
    return redirect(change_url(article))


def coverage(request: HttpRequest, pk: int) -> HttpResponse:
    """The entries of a live story, newest first, with a form to file the next one."""
    article = get_object_or_404(Article.objects.select_related("section"), pk=pk)
    if not may_file_entries(request.user, article):
        raise PermissionDenied
    form = EntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["sending"]
        with transaction.atomic():
            # Locked first, so that the same page sent twice at once finds its entry.
            locked = Article.objects.select_for_update().only("pk").get(pk=article.pk)
            if not article.is_live_coverage:
                article.is_live_coverage = True
                # Partners' item carries no live coverage: nothing new for them.
                article.save(update_fields=["is_live_coverage"], for_partners=False)
            if not (key and LiveEntry.objects.filter(sent_with=key).exists()):
                LiveEntry.objects.create(article=locked, body=form.cleaned_data["body"],
                                         author=request.user, sent_with=key)
        messages.success(request, "Entry filed." if article.is_live else
                         f"Entry saved; readers see it {comes_out(article)}.")
        return redirect(reverse("live-desk:coverage", args=[article.pk]))
    # The admin's own context (nav sidebar, user links, site header): this page is part of
    # the desk, not a page beside it.
    return render(request, "live/desk_coverage.html", {
        **admin.site.each_context(request),
        "article": article, "form": form, "entries": article.live_entries.select_related("author"),
        "change_url": change_url(article), "title": "Live coverage",
        "can_delete": request.user.has_perm("live.delete_liveentry"),
        "subtitle": article.headline, "comes_out": comes_out(article),
    })



@require_POST
def delete_entry(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("live.delete_liveentry"):
        raise PermissionDenied
    entry = LiveEntry.objects.select_related("article").filter(pk=pk).first()
    if entry is None:  # a colleague removed it first: back to the page it was on, saying so
        messages.info(request, "That entry is not there any more: removed already.")
        return redirect(admin.site.page_sent_from(request))
    article = entry.article
    with transaction.atomic():
        entry.delete()
        log_action(article, "live_entry_removed", request.user, "A live entry was removed.")
    messages.success(request, "Entry removed.")
    return redirect(reverse("live-desk:coverage", args=[article.pk]))

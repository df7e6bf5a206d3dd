"""Desk pages for readers' reports: the report as the editor reads it, decisions, photos.

The report is shown read-only: its text only through `render_report` (and raw, escaped, for
the record); its photos only through `photo`, which checks the moderate permission, because
photos are never public.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from dateline.newsroom.models import Section

from . import moderation
from .models import Submission, SubmissionPhoto
from .text import render_report

# Photos are re-encoded on arrival into one of these; anything else is not served at all.
PHOTO_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
PHOTO_EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp"}


def undecided(user) -> int:
    """Reports no editor has decided on yet (the desk's front page; an indexed count)."""
    return Submission.objects.filter(status=Submission.Status.NEW).count()


class SectionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Section) -> str:
        return obj.display_path


class AcceptForm(forms.Form):
    section = SectionChoice(
        queryset=Section.objects.order_by("path"), empty_label="Choose a section",
        help_text="The draft is filed here; you can change it in the article.",
    )
    note = forms.CharField(required=False, max_length=2000, label="Note for the log")


class RejectForm(forms.Form):
    reason = forms.CharField(
        max_length=5000, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Kept in the log; sent to the reader if you tick the box below.",
    )
    email_reader = forms.BooleanField(required=False, label="E-mail the reason to the reader")


class SpamForm(forms.Form):
    note = forms.CharField(required=False, max_length=2000, label="Note for the log")


DECISION_FORMS = {"accept": AcceptForm, "reject": RejectForm, "spam": SpamForm}


def decision_form(decision: str, data=None) -> forms.Form:
    # The three forms share a page, and two have a "note": each gets ids of its own.
    return DECISION_FORMS[decision](data, auto_id=f"{decision}_%s")


def report_url(submission: Submission) -> str:
    return reverse("admin:submissions_submission_change", args=[submission.pk])


def queue_url() -> str:
    return reverse("admin:submissions_submission_changelist") + "?status__exact=new"


def report_page(request: HttpRequest, submission: Submission,
                bound: forms.Form | None = None, decision: str = "") -> TemplateResponse:
    """The report, read-only, with its photos, log and (while undecided) the decisions."""
    decision_forms = {name: decision_form(name) for name in DECISION_FORMS}
    if bound is not None:
        decision_forms[decision] = bound
    undecided = submission.status == Submission.Status.NEW
    context = {
        **admin.site.each_context(request),
        "title": f"Reader report {submission.reference}",
        "opts": Submission._meta,
        "submission": submission,
        "report_html": render_report(submission.text),
        "photos": list(submission.photos.order_by("pk")),
        "log": submission.log.select_related("user"),
        "same_sender": (
            Submission.objects.filter(sender_hash=submission.sender_hash)
            .exclude(pk=submission.pk).count() if submission.sender_hash else 0
        ),
        "may_moderate": moderation.may_moderate(request.user),
        "undecided": undecided,
        "forms": decision_forms if undecided else {},
        "may_delete": request.user.has_perm("submissions.delete_submission"),
    }
    return TemplateResponse(request, "submissions/desk_report.html", context)


@require_POST
def decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """Accept, reject or mark as spam, from the forms on the report's page."""
    moderation.check_may_moderate(request.user)
    if decision not in DECISION_FORMS:
        raise Http404("No such decision.")
    submission = get_object_or_404(Submission, pk=pk)
    form = decision_form(decision, request.POST)
    if not form.is_valid():
        # Shown again with the errors, so a typed reason is not lost.
        return report_page(request, submission, bound=form, decision=decision)
    data = form.cleaned_data
    try:
        if decision == "accept":
            return _accepted(request, submission, data)
        if decision == "reject":
            return _rejected(request, submission, data)
        moderation.mark_spam(request.user, submission, note=data["note"])
    except moderation.DecisionRefused as exc:
        messages.error(request, str(exc))
        return redirect(report_url(submission))
    messages.success(request, f"Report {submission.reference} marked as spam.")
    return redirect(queue_url())


def _accepted(request: HttpRequest, submission: Submission, data: dict) -> HttpResponse:
    article = moderation.accept(request.user, submission, data["section"], note=data["note"])
    sent, placed = submission.photos.count(), article.photos.count()
    said = ""
    if placed:
        said = (f" The report's {placed} photo(s) are in the photo library, credited to the "
                "reader: the first leads the draft, any others are in its body; write their "
                "alt text before publishing.")
    if sent > placed:
        said += (f" {sent - placed} photo(s) could not be added: the report's log says why; "
                 "they stay on the report's page.")
    credited = moderation.reader_name(submission)
    if credited != moderation.one_line(submission.name):
        credited = (f"“{credited}” (what looked like an e-mail address or telephone number in "
                    "the reader's name left out)")
    else:
        credited = "the reader"
    messages.success(
        request,
        f"Accepted report {submission.reference}: this draft was made from it, credited to "
        f"{credited}. Edit it and publish it as any other story.{said}",
    )
    return redirect(reverse("admin:newsroom_article_change", args=[article.pk]))


def _rejected(request: HttpRequest, submission: Submission, data: dict) -> HttpResponse:
    sent = moderation.reject(request.user, submission, data["reason"],
                             email_reader=data["email_reader"])
    if sent is False:
        messages.warning(
            request,
            f"Report {submission.reference} rejected, but the e-mail to the reader could not "
            "be sent; the error is in the report's log.",
        )
    else:
        told = " The reader was e-mailed the reason." if sent else ""
        messages.success(request, f"Report {submission.reference} rejected.{told}")
    return redirect(queue_url())


def photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """Stream one photo of a report to an editor; never cached, never sniffed."""
    if not moderation.may_moderate(request.user):
        raise PermissionDenied("Only editors see the photos readers send.")
    found = get_object_or_404(SubmissionPhoto.objects.select_related("submission"),
                              pk=photo_pk, submission_id=pk)
    content_type = PHOTO_TYPES.get(found.format)
    if content_type is None or not found.image:
        raise Http404("No such photo.")
    try:
        handle = found.image.open("rb")
    except FileNotFoundError:
        raise Http404("The photo's file is missing.") from None
    # The reader's file name is not echoed back: the name is ours.
    filename = f"{found.submission.reference}-{found.pk}.{PHOTO_EXTENSIONS[found.format]}"
    response = FileResponse(handle, content_type=content_type, filename=filename)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

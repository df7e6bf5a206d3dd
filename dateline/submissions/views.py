"""The reader's side of "Be a reporter": the form, the confirmation page and the terms.

Whatever goes wrong, the reader's words come back to them: a form with mistakes, a refused
security check and too many reports in an hour all show the form again, filled in as sent.
None of these pages declares surrogate keys, so the page cache never stores a form (each
carries its own CSRF token); only the terms page, which holds nothing personal, is cached.
"""

import logging
import math

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from dateline.base import onetime
from dateline.base.hashes import address_hash, sender_hash
from dateline.base.methods import takes_posts
from dateline.pagecache import keys
from dateline.pagecache.queries import reads_query

from . import limits
from .forms import ReportForm
from .intake import already_received, do_receive_report, same_report, story_for
from .mail import send_report_mails
from .models import Submission
from .photos import display_name
from .receipt import ReceiptExpired, receipt_token, reference_from_token

logger = logging.getLogger(__name__)
FORM_TEMPLATE = "submissions/new.html"


# The size of the body is checked before anything reads it, and Django's CSRF middleware
# reads it; so the view asks for the same check itself, once the size is known to be sane.
@takes_posts
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
# Browsers and proxies keep no copy (it holds a token), yet going back still refills the form.
@reads_query("from")
@cache_control(private=True, no_cache=True)
def new(request: HttpRequest) -> HttpResponse:
    """Show the form (GET), or check and store a report (POST)."""
    if request.method != "POST":
        story = story_for(_article_id(request.GET.get("from", "")))
        form = ReportForm(initial={"story": story.pk if story else "",
                                   "sending": onetime.new_key()})
        return _form_page(request, form, story=story)
    return _receive(request)


def _receive(request: HttpRequest) -> HttpResponse:
    if limits.too_large(request):
        return _too_large(request, settings.DATELINE_SUBMISSION_MAX_REQUEST_BYTES, "in all")
    try:
        request.POST, request.FILES  # noqa: B018 -- read the body here, where errors are ours
    except RequestDataTooBig:
        return _too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE, "as text")
    except (MultiPartParserError, SuspiciousOperation, UnreadablePostError):
        return render(request, "submissions/unreadable.html", status=400)
    if _csrf_refused(request):
        return _form_page(request, ReportForm.kept(request.POST), status=403,
                          problem="expired")
    # The same page sent again (a double click, a resent POST): its report, stored and mailed
    # once, before its photos are read again or the sender's limits count it.
    if earlier := already_received(onetime.sent_key(request.POST.get("sending"))):
        return _thanks_for(earlier)
    sender = sender_hash(request)
    refusal = (limits.attempts_per_sender().count(sender)
               or limits.reports_per_sender().reached(sender))
    if refusal:
        return _too_many(request, ReportForm.kept(request.POST), refusal)

    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    story = story_for(form.cleaned_data["story"])
    if not form.is_robot and (earlier := same_report(form, story)):
        return _thanks_for(earlier, again=True)
    refusal = (limits.reports_per_sender().count(sender)
               or limits.reports_per_address().count(address_hash(form.cleaned_data["email"])))
    if refusal:
        return _too_many(request, ReportForm.kept(request.POST), refusal)

    try:
        submission, created = do_receive_report(form, request, story)
    except OSError as error:  # a photo's storage refused (a full disk): nothing kept, the
        # text shown again to send later
        logger.error("A reader's report could not be stored (%s)", error.strerror or error)
        return _form_page(request, ReportForm.kept(request.POST), status=503,
                          story=story, problem="unstored")
    if created and submission.status != Submission.Status.SPAM:
        send_report_mails(submission, request.build_absolute_uri("/"), story)
    return _thanks_for(submission)


def _thanks_for(submission: Submission, again: bool = False) -> HttpResponse:
    url = reverse("submissions:thanks", kwargs={"token": receipt_token(submission.reference)})
    return redirect(url + ("?again=1" if again else ""))


def _too_large(request: HttpRequest, limit: int, what: str) -> HttpResponse:
    return render(request, "submissions/too_large.html", {
        "size": filesizeformat(limits.request_size(request)), "limit": filesizeformat(limit),
        "what": what,
    }, status=413)


def _article_id(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None


def _csrf_refused(request: HttpRequest) -> bool:
    """Run Django's CSRF check (logged as usual when it fails) on this request."""
    def checked(request):  # a view without csrf_exempt, for the middleware to judge
        return None

    return CsrfViewMiddleware(checked).process_view(request, checked, (), {}) is not None


def _too_many(request: HttpRequest, form: ReportForm, refusal: limits.Refusal) -> HttpResponse:
    response = _form_page(request, form, status=429, problem="too_many",
                          retry_minutes=math.ceil(refusal.retry_after / 60))
    response["Retry-After"] = str(refusal.retry_after)
    return response


def _form_page(request: HttpRequest, form: ReportForm, *, status: int = 200,
               story=None, **context) -> HttpResponse:
    if story is None:
        # A bound form comes here checked (to show its errors), its story field with it.
        story_id = (form.cleaned_data.get("story") if form.is_bound
                    else _article_id(str(form.initial.get("story", ""))))
        story = story_for(story_id)
    # Browsers never send a file a second time: name the photos to choose again, apart from
    # those refused (each has its own message).
    sent = [display_name(f) for f in request.FILES.getlist("photos")] if request.FILES else []
    if not sent and form.is_bound and not form.data.get("without_photos"):
        sent = [name[:200] for name in form.data.getlist("photos_before")[:20] if name]
    refused = set(getattr(form, "refused_photos", []))
    choose_again = [name for name in sent if name not in refused]
    # What the summary lists, one line a field: its heading says "this" or "these" by it.
    problems = sum(1 for field in form if field.errors) if form.is_bound else 0
    problems += bool(choose_again and not form["photos"].errors)
    return render(request, FORM_TEMPLATE, {
        "form": form, "story": story,
        "has_errors": form.is_bound and bool(form.errors),
        "photos_to_choose_again": choose_again, "problems": problems,
        **context,
    }, status=status)


@reads_query("again")
@require_safe
@cache_control(private=True, no_cache=True)
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    """Show a report's reference to whoever holds the signed link from the redirect."""
    try:
        reference = reference_from_token(token)
    except ReceiptExpired:
        return render(request, "submissions/thanks_expired.html", status=410)
    submission = get_object_or_404(Submission, reference=reference or "")
    return render(request, "submissions/thanks.html", {
        "report": submission, "again": request.GET.get("again") == "1"})


@reads_query()
@require_safe
def terms(request: HttpRequest) -> HttpResponse:
    """Show what a reader agrees to by sending a report."""
    response = render(request, "submissions/terms.html")
    keys.add(response)  # the same for everyone: cached, and refreshed with the menu
    return response

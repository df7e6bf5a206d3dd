"""The desk's edition buttons: open the next edition early, rebuild one, send a test copy to
oneself, send one now; and the PDF of an edition readers cannot see yet.

Each button is a POST from the edition's desk pages (CSRF-checked by the admin), checks the
user's permission on the server, and says in a message what happened or why nothing did.
"""

import re
import smtplib
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from dateline.base.errors import in_words
from dateline.base.numbers import json_loads
from dateline.base.ratelimits import RateLimit
from dateline.newsroom.models import Article

from . import arrange
from .assembly import build_edition, goes_out_at, layout, next_edition_date
from .models import Edition, EditionItem
from .pdf import DESK_WAIT_SECONDS, Busy, edition_pdf, pdf_filename

DAY_FORMAT = "l, j F Y"
# A test copy goes to the editor's own address only (the desk is no mail relay), a few at a time.
TEST_SENDS = RateLimit("edition-test", 5, 600)


def change_url(edition: Edition) -> str:
    return reverse("admin:edition_edition_change", args=[edition.pk])


def named(edition: Edition, start: str = "The") -> str:
    return f"{start} edition of {format_date(edition.date, DAY_FORMAT)}"


def may_arrange(user) -> bool:
    return user.has_perm("edition.change_edition")


def may_send(edition: Edition) -> bool:
    """Today's and later editions go to subscribers, once; a past day's is old news."""
    return edition.status != Edition.Status.SENT and edition.date >= timezone.localdate()


def buttons_context(request: HttpRequest, edition: Edition) -> dict:
    arrange = may_arrange(request.user)
    return {
        "can_rebuild": arrange and edition.status == Edition.Status.DRAFT,
        "can_send": arrange and may_send(edition),
        "can_test": arrange,
        "goes_out_at": goes_out_at(edition.date),
        "pdf_url": reverse("admin:edition_edition_pdf", args=[edition.pk]),
    }


def board_context(request: HttpRequest, edition: Edition) -> dict:
    """The drag-and-drop board, for an editor and an edition not yet sent."""
    if not (may_arrange(request.user) and edition.status == Edition.Status.DRAFT):
        return {}
    return {"board": arrange.board(edition), "arrange_version": arrange.version(edition),
            "columns": EditionItem.Column.choices,
            "arrange_url": reverse("admin:edition_edition_arrange", args=[edition.pk]),
            "left_out_count": edition.items.filter(left_out=True).count()}


def next_edition_context(request: HttpRequest) -> dict:
    from .tasks import waiting_runs

    day = next_edition_date()
    # What the worker will really do next: the booked run, not the edition time. None is a
    # fault (no worker has started since the last run ended), shown as such.
    now = timezone.now()
    runs = [{"day": date.fromisoformat(run.args_kwargs["args"][0]),
             # None: queued to run at once ("Send now"), as soon as the worker takes it.
             "at": run.task.run_after,
             "attempt": run.args_kwargs["kwargs"].get("attempt", 1)} for run in waiting_runs()]
    return {
        "can_open_next": request.user.has_perm("edition.add_edition"),
        "next_edition_day": day,
        "next_edition_goes_out": goes_out_at(day),
        "next_run": min(runs, key=lambda run: run["at"] or now, default=None),
    }


@require_POST
def open_next(request: HttpRequest) -> HttpResponse:
    """Build the next edition now, so the desk can arrange it before it goes out."""
    if not request.user.has_perm("edition.add_edition"):
        raise PermissionDenied("Only editors open editions.")
    day = next_edition_date()
    found = Edition.objects.filter(date=day).first()
    if found is not None and found.status != Edition.Status.DRAFT:
        messages.info(request, f"{named(found)} has already been sent; nothing to open.")
        return redirect(change_url(found))
    before = set(found.items.values_list("article_id", flat=True)) if found else set()
    edition = build_edition(day)
    count = edition.items.count()
    when = timezone.localtime(goes_out_at(day)).strftime("%H:%M")
    if found is None:
        messages.success(request, f"{named(edition)} is open with {stories(count)}. Arrange "
                                  f"{'it' if count == 1 else 'them'} before it goes out at "
                                  f"{when}.")
    else:
        added = len(set(edition.items.values_list("article_id", flat=True)) - before)
        messages.success(request, f"{named(edition)} was already open: "
                                  f"{stories(added, 'new ')} added, the placed ones kept "
                                  "where they were.")
    return redirect(change_url(edition))


def stories(count: int, kind: str = "") -> str:
    return f"{count} {kind}{'story' if count == 1 else 'stories'}"


@require_POST
def rebuild(request: HttpRequest, pk: int) -> HttpResponse:
    """Top the edition up with stories that qualified since, keeping every placed one."""
    if not may_arrange(request.user):
        raise PermissionDenied("Only editors rebuild editions.")
    edition = get_object_or_404(Edition, pk=pk)
    if edition.status != Edition.Status.DRAFT:
        messages.error(request, f"{named(edition)} has been sent (or is being sent): a "
                                "rebuild now would make the archive differ from what "
                                "subscribers received.")
        return redirect(change_url(edition))
    before = set(edition.items.values_list("article_id", flat=True))
    build_edition(edition.date)
    after = set(edition.items.values_list("article_id", flat=True))
    added, dropped, kept = len(after - before), len(before - after), len(before & after)
    messages.success(request, f"Rebuilt: {added} new stories added, {dropped} no longer "
                              f"published taken out, {kept} placed stories kept in place.")
    return redirect(change_url(edition))


def send_now(request: HttpRequest, pk: int) -> HttpResponse:
    """Asked first (GET: to how many, what they get, when it would go anyway), then done
    (POST): the morning run for this edition queued with no delay, out within seconds. One
    press beside "Rebuild" mailed every subscriber, a day early, past recall."""
    from .sending import waiting_for
    from .tasks import publish_edition

    if not may_arrange(request.user):
        raise PermissionDenied("Only editors send editions.")
    edition = get_object_or_404(Edition, pk=pk)
    if request.method != "POST":
        if not may_send(edition):
            return redirect(change_url(edition))
        from django.contrib import admin

        return render(request, "edition/admin/confirm_send.html", {
            **admin.site.each_context(request), "title": f"Send {named(edition, 'the')}?",
            "edition": edition, "opts": Edition._meta, "change_url": change_url(edition),
            "subscribers": waiting_for(edition).count(), "goes_out_at": goes_out_at(edition.date),
            "early": edition.date > timezone.localdate(),
            "mail_url": reverse("admin:edition_edition_mail", args=[edition.pk]),
            "pdf_url": reverse("admin:edition_edition_pdf", args=[edition.pk])})
    if edition.status == Edition.Status.SENT:
        sent = timezone.localtime(edition.sent_at).strftime("%d %B %Y, %H:%M") \
            if edition.sent_at else "already"
        messages.error(request, f"{named(edition)} was sent ({sent}); it is never sent twice.")
    elif not may_send(edition):
        messages.error(request, f"{named(edition)} is of a past day: only today's or the next "
                                "edition goes to subscribers.")
    else:
        publish_edition.enqueue(edition.date.isoformat())
        resumed = " It resumes the send that had started, skipping those who have it." \
            if edition.status == Edition.Status.SENDING else ""
        messages.success(request, f"Sending now: the background worker tops up "
                                  f"{named(edition, 'the')} and sends it to subscribers "
                                  f"within a minute.{resumed}")
    return redirect(change_url(edition))


# A story's address on the site ("/articles/123/slug/", with or without the host) or its number.
_STORY = re.compile(r"(?:(?:https?://[^/\s]+)?/articles/(\d{1,18})(?:/[^/?#]*)?/?(?:[?#].*)?"
                    r"|(\d{1,18}))")


@require_POST
def add_story(request: HttpRequest, pk: int) -> HttpResponse:
    """A story the build did not choose, put in a slot by the editor: the end of it, pinned."""
    if not may_arrange(request.user):
        raise PermissionDenied("Only editors arrange editions.")
    edition = get_object_or_404(Edition, pk=pk)
    given = request.POST.get("story", "").strip()[:500]
    found = _STORY.fullmatch(given)
    number = found and (found.group(1) or found.group(2))
    article = Article.objects.filter(pk=int(number)).first() if number else None
    if article is None:
        messages.error(request, f"No story has the address or number “{given}”: paste the "
                                "story's address from the site, or its number.")
        return redirect(change_url(edition))
    try:
        item = arrange.add_story(edition.pk, article, request.POST.get("column", ""))
    except arrange.Refused as refusal:
        messages.error(request, refusal.message)
    else:
        slot = item.get_column_display()
        if item.column == EditionItem.Column.SECTION:  # the slot by its section's name
            slot = item.section.name if item.section else arrange.MORE_NEWS
        messages.success(request, f"“{article.headline}” is now last in {slot}, pinned: move "
                                  "it where it belongs.")
    return redirect(change_url(edition))


@require_POST
def send_test(request: HttpRequest, pk: int) -> HttpResponse:
    """The edition's e-mail to the editor's own address, as subscribers will get it: what a
    mail program makes of it is seen before the morning run, not after."""
    from django.core.mail import mailers

    from .newsletter import EditionMail

    if not may_arrange(request.user):
        raise PermissionDenied("Only editors send editions.")
    edition = get_object_or_404(Edition, pk=pk)
    # Back to the page the button was on: the edition, or "Send now"'s question.
    back = (reverse("admin:edition_edition_send", args=[pk])
            if request.POST.get("back") == "send" and may_send(edition) else change_url(edition))
    address = request.user.email
    if not address:
        # Only a role that manages accounts has a user page to add it on.
        where = ("add one on your user page (Users)" if request.user.has_perm("auth.change_user")
                 else "ask whoever manages the desk's accounts to add one")
        messages.error(request, f"Your account has no e-mail address to send a test to: "
                                f"{where}.")
        return redirect(back)
    refusal = TEST_SENDS.count(f"user:{request.user.pk}")
    if refusal is not None:
        messages.error(request, f"{TEST_SENDS.allowed} test copies in "
                                f"{TEST_SENDS.window // 60} minutes is the most: try again in "
                                f"{refusal.retry_after} seconds.")
    else:
        try:
            mailers.default.send_messages([EditionMail(edition).test_copy(address)])
        except (smtplib.SMTPException, OSError) as error:
            messages.error(request, f"The mail server did not take the test copy "
                                    f"({in_words(error)}): nothing was sent.")
        else:
            where = (" (no mail server is set: it is written to the server's log)"
                     if settings.MAILERS["default"]["BACKEND"].endswith("console.EmailBackend")
                     else "")
            messages.success(request, f"A test copy of {named(edition, 'the')} went to "
                                      f"{address}{where}. Subscribers got nothing, and the "
                                      f"edition is not marked as sent.")
    return redirect(back)


@require_POST
def arrange_items(request: HttpRequest, pk: int) -> JsonResponse:
    """Save the whole order the board sends (JSON); answer with the new places, or why not.

    A refusal is also put in the desk's messages: the page reloads to show the order as it is,
    and the reason with it.
    """
    if not may_arrange(request.user):
        return JsonResponse({"error": "Only editors arrange editions."}, status=403)
    edition = Edition.objects.filter(pk=pk).first()
    if edition is None:
        return JsonResponse({"error": "There is no such edition."}, status=404)
    try:
        payload = json_loads(request.body or b"null")
        arrange.save(edition.pk, payload)
    except ValueError:
        return JsonResponse({"error": "The arrangement could not be read."}, status=400)
    except arrange.Refused as refusal:
        messages.error(request, refusal.message)
        return JsonResponse({"error": refusal.message}, status=refusal.status)
    return JsonResponse(arrange.places(edition))


def mail_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The edition's e-mail as subscribers would get it now: no script runs in it, and it
    loads nothing but its pictures."""
    from .newsletter import EditionMail

    if not request.user.has_perm("edition.view_edition"):
        raise PermissionDenied
    response = HttpResponse(EditionMail(get_object_or_404(Edition, pk=pk)).preview())
    response["Content-Security-Policy"] = ("default-src 'none'; img-src * data:; "
                                           "style-src 'unsafe-inline'; frame-ancestors 'self'")
    response["Cache-Control"] = "no-store"
    return response


def pdf_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF as it stands, also before the edition is out (the public URL is a 404 then)."""
    if not request.user.has_perm("edition.view_edition"):
        raise PermissionDenied
    edition = get_object_or_404(Edition, pk=pk)
    try:
        body = edition_pdf(edition, layout(edition), wait=DESK_WAIT_SECONDS)
    except Busy:
        messages.error(request, "Another PDF is being rendered: try the preview again.")
        return redirect(reverse("admin:edition_edition_change", args=[edition.pk]))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=pdf_filename(edition))
    return response

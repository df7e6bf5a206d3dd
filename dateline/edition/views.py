"""The edition on the web: today's, any day's, with previous and next, and as a PDF."""

from datetime import date, datetime

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header

from dateline.pagecache import keys
from dateline.pagecache.queries import reads_query

from .assembly import layout, next_edition_date
from .models import Edition
from .pdf import RETRY_AFTER_SECONDS, Busy, edition_pdf, pdf_filename


def public_editions(now: datetime | None = None):
    """Editions readers may see, newest first: every day whose edition time has come, and
    any edition sent early (the queryset twin of assembly.is_public)."""
    return Edition.objects.filter(
        Q(date__lt=next_edition_date(now)) | ~Q(status=Edition.Status.DRAFT))


@reads_query()
def latest(request: HttpRequest) -> HttpResponse:
    """Today's edition once it is out, else the latest one out."""
    edition = public_editions().first()
    if edition is None:
        return no_edition(request)
    return show(request, edition)


@reads_query()
def day(request: HttpRequest, year: int, month: int, day: int) -> HttpResponse:
    edition = dated_edition(year, month, day)
    if edition is None:
        return no_edition(request, date(year, month, day))
    if request.path != edition.get_absolute_url():
        return redirect(edition.get_absolute_url(), permanent=True)  # /edition/2024/1/5/
    return show(request, edition)


@reads_query()
def pdf(request: HttpRequest, year: int, month: int, day: int) -> HttpResponse:
    """The edition as a newspaper PDF, downloaded under a name that says which."""
    edition = dated_edition(year, month, day)
    if edition is None:
        raise Http404("No edition that day.")
    canonical = pdf_url(edition)
    if request.path != canonical:
        return redirect(canonical, permanent=True)
    context = layout(edition)
    try:
        body = edition_pdf(edition, context)
    except Busy:
        busy = HttpResponse("Another edition's PDF is being prepared: try again in a few "
                            "seconds.", status=503, content_type="text/plain; charset=utf-8")
        busy["Retry-After"] = str(RETRY_AFTER_SECONDS)
        busy["Cache-Control"] = "no-store"
        return busy
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=pdf_filename(edition))
    # The same keys as the edition's page: any change the page would show renews the PDF.
    keys.add(response, shown_keys(edition, context))
    return response


def dated_edition(year: int, month: int, day: int) -> Edition | None:
    """The public edition of that day; an impossible date (2024/02/30, 99999/1/1) is a 404."""
    try:
        dated = date(year, month, day)
    except (ValueError, OverflowError):
        raise Http404("No such date.") from None
    return public_editions().filter(date=dated).first()


def pdf_url(edition: Edition) -> str:
    return reverse("edition:pdf", kwargs={
        "year": edition.date.year, "month": f"{edition.date.month:02d}",
        "day": f"{edition.date.day:02d}"})


def no_edition(request: HttpRequest, dated: date | None = None) -> HttpResponse:
    context = {"dated": dated, "latest": public_editions().first(),
               "edition_time": settings.DATELINE_EDITION_TIME}
    return render(request, "edition/none.html", context, status=404)


def show(request: HttpRequest, edition: Edition) -> HttpResponse:
    published = public_editions()
    earlier = published.filter(date__lt=edition.date).first()
    later = published.filter(date__gt=edition.date).order_by("date").first()
    context = layout(edition)
    context.update(previous=earlier, next=later, pdf_url=pdf_url(edition),
                   canonical=settings.DATELINE_SITE_URL + edition.get_absolute_url())
    response = render(request, "edition/edition.html", context)
    keys.add(response, shown_keys(edition, context))
    return response


def shown_keys(edition: Edition, context: dict) -> list[str]:
    """The archive (previous and next), this edition, and every story it shows."""
    shown = [item.article for item in context["briefs"]]
    shown += [item.article for _, items in context["blocks"] for item in items]
    if context["lead"]:
        shown.append(context["lead"].article)
    return [keys.EDITIONS, keys.edition(edition.pk), *keys.articles(shown)]

"""The desk's readership screen: views per hour, story and section, as charts and tables."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from . import charts
from .figures import PERIODS, figures

PERMISSION = "readership.view_tally"
CHARTS = {"hours": lambda f: charts.hours_chart(f, timezone.get_current_timezone()),
          "stories": charts.stories_chart, "sections": charts.sections_chart}


def _period(request: HttpRequest) -> str:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    period = request.GET.get("period", "day")
    if period not in PERIODS:
        raise Http404("The period is day, week or month.")
    return period


def readership_page(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    return render(request, "readership/desk.html", {
        **admin.site.each_context(request), "title": "Readership",
        "period": period, "periods": list(PERIODS), "figures": figures(PERIODS[period]),
    })


def chart(request: HttpRequest, name: str) -> HttpResponse:
    period = _period(request)
    draw = CHARTS.get(name)
    if draw is None:
        raise Http404("No such chart.")
    response = HttpResponse(draw(figures(PERIODS[period])), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    return response

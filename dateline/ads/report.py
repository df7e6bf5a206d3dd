"""A campaign's report: impressions, clicks and click-through rate per day, from the
readership's hourly tallies."""

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from dateline.readership.models import Tally

from .choice import CLICK, IMPRESSION
from .models import Campaign

MOST_DAYS = 400  # more than a year's campaign; the table and the CSV stay bounded


@dataclass(frozen=True)
class Day:
    day: date
    impressions: int
    clicks: int

    @property
    def ctr(self) -> float | None:
        """Clicks per impression, in per cent; None without impressions."""
        return round(100 * self.clicks / self.impressions, 2) if self.impressions else None


def daily(campaign: Campaign) -> list[Day]:
    """Every day from the first counted to the last, in the site's zone, gaps as zeros."""
    rows = (Tally.objects.filter(kind__in=[IMPRESSION, CLICK], key=str(campaign.pk))
            .annotate(day=TruncDate("hour", tzinfo=timezone.get_current_timezone()))
            .values("day", "kind").annotate(total=Sum("count")).order_by("day"))
    found: dict[date, dict[str, int]] = {}
    for row in rows:
        found.setdefault(row["day"], {})[row["kind"]] = row["total"]
    if not found:
        return []
    last = max(found)
    first = max(min(found), last - timedelta(days=MOST_DAYS - 1))
    return [Day(d, found.get(d, {}).get(IMPRESSION, 0), found.get(d, {}).get(CLICK, 0))
            for d in (first + timedelta(days=i) for i in range((last - first).days + 1))]


def totals(days: list[Day]) -> Day | None:
    if not days:
        return None
    return Day(days[-1].day, sum(d.impressions for d in days), sum(d.clicks for d in days))


def as_csv(days: list[Day]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "impressions", "clicks", "ctr_percent"])
    for d in days:
        writer.writerow([d.day.isoformat(), d.impressions, d.clicks,
                         "" if d.ctr is None else f"{d.ctr:.2f}"])
    return out.getvalue()


def chart(days: list[Day], width: int = 720, height: int = 200) -> str:
    """Impressions as bars and clicks as a line, an SVG drawn here: no script, no CSP change.

    Until the desk has a charting library of its own; the table under it says the same.
    """
    from django.utils.html import format_html, format_html_join
    from django.utils.safestring import mark_safe

    if not days:
        return mark_safe("")
    top_i = max(d.impressions for d in days) or 1
    top_c = max(d.clicks for d in days) or 1
    step = width / len(days)
    bars = format_html_join("", '<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" '
                            'fill="#5b7db1"><title>{}: {} impressions</title></rect>', (
        (i * step + 1, height - height * d.impressions / top_i, max(step - 2, 1),
         height * d.impressions / top_i, d.day.isoformat(), d.impressions)
        for i, d in enumerate(days)))
    points = " ".join(f"{i * step + step / 2:.1f},{height - height * d.clicks / top_c:.1f}"
                      for i, d in enumerate(days))
    return format_html(
        '<svg class="ad-report-chart" role="img" viewBox="0 0 {} {}" width="{}" height="{}" '
        'aria-label="Impressions (bars, up to {}) and clicks (line, up to {}) per day">'
        '{}<polyline points="{}" fill="none" stroke="#c0392b" stroke-width="2"/></svg>',
        width, height, width, height, top_i, top_c, bars, points)

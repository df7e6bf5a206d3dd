"""A campaign's report: impressions, clicks and click-through rate per day, from the
readership's hourly tallies."""

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from dateline.readership import charts
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
    # Only the hours it ran: a beacon names any campaign, and one POSTed after its end (no
    # page shows it) was billed as an impression. Tallies are hourly, so its first and last
    # hours count whole.
    ran = Tally.objects.filter(
        kind__in=[IMPRESSION, CLICK], key=str(campaign.pk),
        hour__gte=campaign.starts_at.replace(minute=0, second=0, microsecond=0))
    if campaign.ends_at is not None:
        ran = ran.filter(hour__lt=campaign.ends_at)
    rows = (ran
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



def chart(days: list[Day]) -> bytes:
    """Impressions (bars) and clicks (line, on the right-hand scale) per day, as an SVG drawn
    on the server by pygal, the desk's charting library (dateline.readership.charts): shown as
    an <img>, so no script reaches the desk; the table under it says the same."""
    chart = charts.pygal().Bar(
        style=charts.style("#205067", "#b3261e"), js=[], width=800, height=320,
        x_label_rotation=45, show_minor_x_labels=False, title="Impressions and clicks per day",
        legend_at_bottom=True)
    labels = [d.day.isoformat() for d in days]
    chart.x_labels = labels
    chart.x_labels_major = labels[::max(1, len(labels) // 20)]
    chart.add("Impressions", [d.impressions for d in days])
    chart.add("Clicks", [d.clicks for d in days], secondary=True)
    return chart.render()

"""What the desk's readership screen shows: views per hour, per story and per section."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Sum

from dateline.newsroom.models import Article, Section

from .models import Tally

# The periods the screen offers, in hours (a day, a week, four weeks).
PERIODS = {"day": 24, "week": 24 * 7, "month": 24 * 28}
TOP_STORIES = 20
_CHUNK = 1000  # story keys looked up per query


@dataclass(frozen=True)
class Figures:
    hours: list[tuple[datetime, int]]
    stories: list[tuple[Article, int]]
    sections: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.hours)


def since(hours: int, now: datetime | None = None) -> datetime:
    """The first of the last `hours` whole hours, the current one included."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    return now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours - 1)


def figures(hours: int, now: datetime | None = None) -> Figures:
    start = since(hours, now)
    views = Tally.objects.filter(kind=Tally.Kind.VIEW, hour__gte=start)
    per_hour = dict(views.values_list("hour").annotate(n=Sum("count")))
    timeline = [(start + timedelta(hours=i), per_hour.get(start + timedelta(hours=i), 0))
                for i in range(hours)]
    per_story = {int(key): n for key, n in views.values_list("key").annotate(n=Sum("count"))
                 if key.isdigit()}
    return Figures(timeline, _top_stories(per_story), _by_section(per_story))


def _top_stories(per_story: dict[int, int]) -> list[tuple[Article, int]]:
    top = sorted(per_story, key=lambda pk: (-per_story[pk], pk))[:TOP_STORIES]
    found = Article.objects.select_related("section").only(
        "pk", "headline", "slug", "section", "section__name", "section__display_path",
    ).in_bulk(top)
    return [(found[pk], per_story[pk]) for pk in top if pk in found]


def _by_section(per_story: dict[int, int]) -> list[tuple[str, int]]:
    totals: dict[int, int] = defaultdict(int)
    pks = list(per_story)
    for start in range(0, len(pks), _CHUNK):
        for pk, section in Article.objects.filter(pk__in=pks[start:start + _CHUNK]).values_list(
                "pk", "section_id"):
            totals[section] += per_story[pk]
    names = dict(Section.objects.filter(pk__in=totals).values_list("pk", "display_path"))
    return sorted(((names.get(pk, "?"), n) for pk, n in totals.items()),
                  key=lambda pair: (-pair[1], pair[0]))

"""Assemble a day's edition: the lead, each main section's top stories, News in Brief.

An edition dated D carries what was published in the 24 hours before D at the edition time
(DATELINE_EDITION_TIME, site time). Building again keeps every item already placed (an
editor's order and pins) and only adds stories that have qualified since, so an edition an
editor opened early is topped up, never reshuffled, when it goes out.
"""

from collections import Counter
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import timezone

from dateline.intelligence.briefs import briefs_for
from dateline.newsroom.models import Article, Section

from . import photos
from .models import Edition, EditionItem

Column = EditionItem.Column


def edition_time() -> time:
    hours, _, minutes = settings.DATELINE_EDITION_TIME.partition(":")
    return time(int(hours), int(minutes or 0))


def goes_out_at(day: date) -> datetime:
    """The moment an edition dated `day` is due, in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, edition_time()))


def window(day: date) -> tuple[datetime, datetime]:
    end = goes_out_at(day)
    return end - timedelta(hours=24), end


def stories_of(day: date):
    """Live stories published in the edition's 24 hours (an archive's back issues too). Not
    an undated archive's, whose time is their import's: a morning's edition of the BBC's
    2004 archive, imported the day before, was no news of that day."""
    start, end = window(day)
    return (Article.objects.live().filter(published_at__gte=start, published_at__lt=end,
                                          published_at_is_import_time=False)
            .select_related("section"))


def ranked(stories):
    # A wire has no "importance" field: the desk's top-story flag first, then the longer
    # story (a fuller report is the bigger story), then the newer.
    return stories.annotate(length=Length("body")).order_by(
        "-is_top_story", "-length", "-published_at", "-pk")


def same_story(headline: str) -> str:
    """Two stories with this in common are one story twice (an archive's copies)."""
    return " ".join(headline.casefold().split())


def root_of(section: Section, roots: dict[str, Section]) -> Section | None:
    return roots.get(section.path.split("/", 1)[0])


@transaction.atomic
def build_edition(day: date) -> Edition:
    """Build the edition dated `day`, or top it up: keep what it holds, add what qualified since."""
    edition, _ = Edition.objects.select_for_update().get_or_create(
        date=day, defaults={"name": settings.DATELINE_EDITION_NAME})
    placer = _Placer(edition, _items_still_live(edition))
    candidates = placer.new_stories(ranked(stories_of(day)))
    if placer.counts[Column.LEAD] == 0 and candidates:
        placer.place(candidates.pop(0), Column.LEAD)
    _place_briefs(placer, _place_section_tops(placer, candidates))
    edition.built_at = timezone.now()
    edition.save(update_fields=["built_at"])
    return edition


def _items_still_live(edition: Edition) -> list[EditionItem]:
    """The edition's items, less those whose story is no longer live (deleted here)."""
    placed = {item.article_id: item for item in edition.items.all()}
    # Stories unpublished since they were placed leave the edition, pinned or not.
    still_live = set(Article.objects.live().filter(pk__in=placed).values_list("pk", flat=True))
    edition.items.filter(article_id__in=[pk for pk in placed if pk not in still_live]).delete()
    return [item for pk, item in placed.items() if pk in still_live]


class _Placer:
    """Places stories in an edition after the items it holds, under their main section."""

    def __init__(self, edition: Edition, items: list[EditionItem]) -> None:
        self.edition = edition
        self.placed = {item.article_id for item in items}
        self.position = max((item.position for item in items), default=0)
        # A left-out item's place may go to another story; it never comes back.
        self.counts = Counter(item.column for item in items if not item.left_out)
        self.roots = {s.path: s for s in Section.objects.roots()}
        self.headlines = set(
            map(same_story, Article.objects.filter(pk__in=self.placed)
                .values_list("headline", flat=True)))

    def new_stories(self, ranked_stories) -> list[Article]:
        """The stories not in the edition yet, and no copy of one that is, or was left out: an
        archive carrying a story twice filled the slot an editor had freed with its copy."""
        fresh = []
        for article in ranked_stories:
            key = same_story(article.headline)
            if article.pk not in self.placed and key not in self.headlines:
                self.headlines.add(key)
                fresh.append(article)
        return fresh

    def root(self, article: Article) -> Section | None:
        return root_of(article.section, self.roots)

    def place(self, article: Article, column: str) -> None:
        self.position += 1
        EditionItem.objects.create(edition=self.edition, article=article, column=column,
                                   section=self.root(article), position=self.position)
        self.placed.add(article.pk)
        self.counts[column] += 1


def _place_section_tops(placer: _Placer, candidates: list[Article]) -> list[Article]:
    """Give each main section its top stories, up to the limit; return the stories left over."""
    per_section = Counter(
        placer.edition.items.filter(column=Column.SECTION, left_out=False)
        .values_list("section_id", flat=True))
    rest = []
    for article in candidates:
        root = placer.root(article)
        if root is not None and per_section[root.pk] < settings.DATELINE_EDITION_PER_SECTION:
            placer.place(article, Column.SECTION)
            per_section[root.pk] += 1
        else:
            rest.append(article)
    return rest


def _place_briefs(placer: _Placer, rest: list[Article]) -> None:
    """News in Brief: what is left, newest first, as one line each, up to the limit."""
    for article in sorted(rest, key=lambda a: a.published_at, reverse=True):
        if placer.counts[Column.BRIEF] >= settings.DATELINE_EDITION_BRIEFS:
            break
        placer.place(article, Column.BRIEF)


def is_public(edition: Edition, now: datetime | None = None) -> bool:
    """Readers see an edition once it is due or sent; an editor's early draft is not out."""
    now = now or timezone.now()
    return edition.status != Edition.Status.DRAFT or now >= goes_out_at(edition.date)


def next_edition_date(now: datetime | None = None) -> date:
    """The date of the next edition to go out."""
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    return today if now < goes_out_at(today) else today + timedelta(days=1)


def layout(edition: Edition) -> dict:
    """The edition's items by column, sections in the site's order, for pages, PDF and mail."""
    items = list(edition.items.select_related("article", "article__section", "section")
                 .prefetch_related("article__notes")
                 .filter(Q(article__in=Article.objects.live()), left_out=False)
                 .order_by("position", "pk"))
    photos.attach(items)
    lead = next((i for i in items if i.column == Column.LEAD), None)
    sections: dict[int | None, list[EditionItem]] = {}
    for item in items:
        if item.column == Column.SECTION:
            sections.setdefault(item.section_id, []).append(item)
    order = {s.pk: n for n, s in enumerate(Section.objects.roots())}
    blocks = sorted(
        ((items_[0].section, items_) for items_ in sections.values()),
        key=lambda block: order.get(block[0].pk if block[0] else None, len(order)))
    briefs = [i for i in items if i.column == Column.BRIEF]
    # News in Brief reads as the site's page does: each story's brief, an editor's where
    # there is one (dateline.intelligence), for the page, the PDF and the mail alike.
    texts = briefs_for(item.article for item in briefs)
    for item in briefs:
        item.brief_text = texts[item.article_id]
    return {"edition": edition, "lead": lead, "blocks": blocks, "briefs": briefs}


def archive_days() -> list[date]:
    """Every past edition date whose 24 hours hold a live story (the edition time on a story's
    day, or the next day's for a story from the edition time on)."""
    from django.db.models.functions import TruncDate

    today = timezone.localdate()
    moments = (Article.objects.live().filter(published_at_is_import_time=False)
               .annotate(day=TruncDate("published_at"))
               .values_list("day", flat=True).distinct())
    days = set()
    for day in moments:
        days.update({day, day + timedelta(days=1)})
    return sorted(d for d in days if d <= today and stories_of(d).exists())

"""What the sitemaps say about the whole archive, worked out by the worker and kept ready.

The sitemap index names a sitemap for each month with live stories, with its count and its
newest change; the sections', tags' and News in Brief days' sitemaps date each page by its
newest live story. Each is a pass over the whole archive. At 100,000 stories they took a
second of SQLite's CPU (time-zone conversion of every row, a newest-story lookup for each tag
and section), far past a public request's read budget (dateline.db.limits): crawlers got 503
for the index and three of its sitemaps, on every try.

So the worker works them out (`refresh`, a grouped query per kind) and keeps them in the page
cache's store, which every process shares. A request reads them and adds the live stories
changed since (by the desk's `modified_at` index: a handful), so a publication dates its
month, day, sections and tags at once. What an added story cannot lower (a story unpublished
or moved to another section) shows at the next refresh, which a request asks of the worker
once the figures are DATELINE_SITEMAP_FIGURES_SECONDS old. With none kept (a new site, an
emptied cache), a request works them out itself within its budget, which a small archive's
take easily; a larger archive's request answers 503 with Retry-After while the worker does.
An import of many stories asks for a refresh too; until it is done, requests add at most
FOLDED stories and keep the figures as they were past that.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.cache import caches
from django.db.models import Count, Max
from django.db.models.functions import Coalesce, TruncDate
from django.tasks import task
from django.utils import timezone

from dateline.base import queued
from dateline.base.cachefailure import log_failure
from dateline.newsroom.models import Article
from dateline.pagecache import keys
from dateline.pagecache.invalidation import invalidate

logger = logging.getLogger(__name__)

KEY = "sitemap-figures"
# Stories saved since the figures were worked out (drafts too) that a request adds itself;
# past that (an import), it asks the worker rather than read them all.
FOLDED = 1000
# Set while a refresh is asked for and not yet done, so that readers ask once.
ASKED_KEY = "sitemap-figures:asked"
ASK_AGAIN_SECONDS = 600


@dataclass
class Figures:
    """Live stories counted and dated up to `as_of`, by day (the site's zone), section, tag."""

    as_of: datetime
    days: dict[date, tuple[int, datetime]] = field(default_factory=dict)
    sections: dict[int, datetime] = field(default_factory=dict)
    tags: dict[int, datetime] = field(default_factory=dict)

    def months(self) -> dict[date, tuple[int, datetime]]:
        """Each month's live stories and newest change, from its days."""
        found: dict[date, tuple[int, datetime]] = {}
        for day, (count, latest) in self.days.items():
            month = day.replace(day=1)
            before = found.get(month, (0, latest))
            found[month] = (before[0] + count, max(before[1], latest))
        return found


def _changed():
    return Coalesce("updated_at", "published_at")


def compute() -> Figures:
    """The figures of every live story: a pass over the archive (the worker's job)."""
    as_of = timezone.now()
    # Stories written or published later are added by `with_changes_since`, which counts
    # only those.
    live = Article.objects.live().filter(created_at__lte=as_of, published_at__lte=as_of)
    live = live.order_by()
    days = live.annotate(day=TruncDate("published_at")).values("day").annotate(
        count=Count("pk"), latest=Max(_changed()))
    sections = live.values("section_id").annotate(latest=Max(_changed()))
    tags = live.filter(tags__isnull=False).values("tags").annotate(latest=Max(_changed()))
    return Figures(
        as_of=as_of,
        days={row["day"]: (row["count"], row["latest"]) for row in days},
        sections={row["section_id"]: row["latest"] for row in sections},
        tags={row["tags"]: row["latest"] for row in tags},
    )


def with_changes_since(figures: Figures) -> Figures:
    """The kept figures with the live stories saved since they were worked out."""
    # By the desk's index of the last saved alone, liveness checked here (`is_live`): with
    # the live filter beside it, SQLite may walk the publication index instead.
    saved = list(
        Article.objects.filter(modified_at__gt=figures.as_of).order_by()
        .only("pk", "status", "created_at", "published_at", "embargo_until", "updated_at",
              "section_id")[:FOLDED + 1]
    )
    if len(saved) > FOLDED:
        ask_for_refresh()
        return figures
    changed = [story for story in saved if story.is_live]
    if not changed:
        return figures
    days, sections, tags = dict(figures.days), dict(figures.sections), dict(figures.tags)
    tags_of: dict[int, list[int]] = {}
    for article_id, tag_id in Article.tags.through.objects.filter(
            article_id__in=[story.pk for story in changed]).values_list("article_id", "tag_id"):
        tags_of.setdefault(article_id, []).append(tag_id)
    for story in changed:
        published_at, latest = story.published_at, story.last_changed_at
        day = timezone.localtime(published_at).date()
        count, before = days.get(day, (0, latest))
        # Counted once: a story written and published by then is in the figures already
        # (a draft of before then published since under an earlier date is not, and its day
        # is counted as one story at least until the refresh).
        new = story.created_at > figures.as_of or published_at > figures.as_of
        days[day] = (max(count + new, 1), max(before, latest))
        sections[story.section_id] = max(sections.get(story.section_id, latest), latest)
        for tag_id in tags_of.get(story.pk, ()):
            tags[tag_id] = max(tags.get(tag_id, latest), latest)
    return Figures(figures.as_of, days, sections, tags)


def current() -> Figures:
    """The figures as readers' requests use them: kept, and brought up to date."""
    cache = caches[settings.DATELINE_PAGE_CACHE]
    try:
        kept = cache.get(KEY)
    except Exception:
        # Worked out within this request's budget, as on a new site, until the cache answers.
        log_failure(logger, "sitemap figures not read: the page cache is unavailable")
        return compute()
    if kept is None:
        # Asked first: if this request's budget stops the pass below, the worker does it.
        ask_for_refresh()
        kept = compute()
        try:
            cache.set(KEY, kept, None)
        except Exception:
            log_failure(logger, "sitemap figures not kept: the page cache is unavailable")
    elif (timezone.now() - kept.as_of).total_seconds() > settings.DATELINE_SITEMAP_FIGURES_SECONDS:
        ask_for_refresh()
    return with_changes_since(kept)


def forget(**kwargs) -> None:
    """After the database was replaced (a restore): the kept figures counted stories that may
    be gone, so the next reader's request works them out anew, as on a new site."""
    try:
        caches[settings.DATELINE_PAGE_CACHE].delete_many([KEY, ASKED_KEY])
    except Exception:
        log_failure(logger, "sitemap figures not forgotten: the page cache is unavailable")


def ask_for_refresh(**kwargs) -> None:
    """Queue one refresh for the worker, however many readers find the figures old."""
    # Asked again after a while even if no refresh came (a worker that was down).
    wait = max(ASK_AGAIN_SECONDS, settings.DATELINE_SITEMAP_FIGURES_SECONDS)
    queued.enqueue_once(refresh_sitemap_figures, ASKED_KEY, wait, settings.DATELINE_PAGE_CACHE)


def refresh() -> Figures:
    """Work the figures out again and keep them (the worker's `refresh_sitemap_figures`)."""
    figures = compute()
    caches[settings.DATELINE_PAGE_CACHE].set(KEY, figures, None)
    queued.done(ASKED_KEY, settings.DATELINE_PAGE_CACHE)
    # The sitemaps stored with the old figures (a story unpublished since leaves its month).
    invalidate({keys.SITEMAPS})
    return figures


@task()
def refresh_sitemap_figures() -> dict:
    """The worker's task: work out again what the sitemaps say about the whole archive."""
    figures = refresh()
    return {"days": len(figures.days), "sections": len(figures.sections),
            "tags": len(figures.tags)}

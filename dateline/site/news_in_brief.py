"""News in Brief: every story of a day in two or three sentences, for all sections or one.

URLs: `/news-in-brief/` (today), `/news-in-brief/2026-11-28/` (a day), and each of them
followed by a section's path (`/news-in-brief/business/`, `/news-in-brief/2026-11-28/
business/`) for one section and those below it. The canonical address of a page is always
the dated one: `/news-in-brief/` is today's only until midnight.

The briefs are `dateline.intelligence`'s (an editor's where there is one, else the
machine's, computed on the spot for a story not yet analysed). Pages are cached like the
other listings: under the home page's key, which every story's change renews (so a new
story joins its day), the section's, and each story shown; an edited brief renews its
story's key (`brief_cache.py`).
"""

from datetime import date, datetime, time, timedelta

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from dateline.intelligence.briefs import briefs_for
from dateline.newsroom.importer.records import FIRST_YEAR
from dateline.newsroom.models import Article, Section
from dateline.pagecache import keys
from dateline.pagecache.queries import reads_query

from .own_url import site_url
from .pagination import ListingEnded, news_page
from .sections import attach_sections, main_sections, tree

# A day's page lists at most this many stories: a busy wire day is read, not scrolled. The
# all-sections page takes its share from each main section (so one busy desk does not push
# the others off), each group linking to its section's own page, which pages on to the rest
# (a busy day's earliest stories were on none).
MOST_ON_A_DAY = 200
PER_SECTION = 20


@reads_query("page")
def today(request: HttpRequest, path: str = "") -> HttpResponse:
    return _page(request, timezone.localdate(), path, dated=False)


@reads_query("page")
def day(request: HttpRequest, day: str, path: str = "") -> HttpResponse:
    try:
        shown = date.fromisoformat(day)
    except ValueError:
        raise Http404("No such date.") from None
    if shown.year < FIRST_YEAR:  # no story is that old (and 0001-01-01 has no day before)
        raise Http404("No stories that day.")
    if shown > timezone.localdate():
        raise Http404("That day has not come yet.")
    return _page(request, shown, path, dated=True)


def url_for(day: date, section: Section | None = None) -> str:
    kwargs = {"day": day.isoformat()}
    if section is None:
        return reverse("site:news-in-brief-day", kwargs=kwargs)
    return reverse("site:news-in-brief-day-section", kwargs={**kwargs, "path": section.path})


def _page(request: HttpRequest, shown: date, path: str, dated: bool) -> HttpResponse:
    section = get_object_or_404(Section, path=path) if path else None
    live = Article.objects.live()
    if section is not None:
        live = live.in_section(section)
    start, end = _bounds(shown)
    that_day = live.filter(published_at__gte=start, published_at__lt=end)
    if section is None:
        if request.GET.get("page", "1") != "1":  # one page: each section's own pages on
            raise Http404("The day's page of all sections has no other pages.")
        stories = [story for root in main_sections() for story in
                   that_day.in_section(root).for_listing().newest_first()[:PER_SECTION]]
        page = None
    else:
        page = news_page(that_day.for_listing().newest_first(), request.GET.get("page"),
                         MOST_ON_A_DAY)
        if page.number > 1 and not page.object_list:
            raise ListingEnded(page.number)
        stories = page.object_list
    earlier = live.filter(published_at__lt=start).order_by("-published_at").first()
    later = live.filter(published_at__gte=end).order_by("published_at").first()
    if not stories and dated and shown != timezone.localdate():
        # A 404, so that crawlers keep no endless empty pages; in words, with the nearest
        # days that have stories, where the generic "mistyped address" page misled readers.
        response = render(request, "site/news_in_brief_none.html", {
            "day": shown, "section": section, "previous_day": _day_link(earlier, section),
            "next_day": _day_link(later, section)}, status=404)
        keys.add(response, keys.HOME)
        return response
    attach_sections(stories)
    briefs = briefs_for(stories)
    for story in stories:
        story.brief_text = briefs[story.pk]
    context = {
        "day": shown, "section": section, "is_today": shown == timezone.localdate(),
        # A section with nothing yet today is no group: an empty list under a bare heading
        # said nothing; "No stories in Japan yet today" does.
        "groups": _with_links(_groups(stories) if section is None else
                              [(section, stories)] if stories else [], shown),
        "stories": stories,
        "per_section": PER_SECTION,
        "page": page,
        "canonical": site_url(
            url_for(shown, section) + (f"?page={page.number}" if page and page.number > 1
                                       else "")),
        "previous_day": _day_link(earlier, section),
        "next_day": _day_link(later, section),
        "current_root": section.path.split("/")[0] if section else "",
        "all_sections_url": url_for(shown) if section else "",
    }
    response = render(request, "site/news_in_brief.html", context)
    keys.add(response, keys.HOME, keys.articles(stories))
    if section is not None:
        keys.add(response, keys.section(section.pk))
    return response


def _bounds(shown: date) -> tuple[datetime, datetime]:
    """The day's start and end in the site's time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(shown, time.min, tzinfo=zone)
    return start, datetime.combine(shown + timedelta(days=1), time.min, tzinfo=zone)


def _day_link(article: Article | None, section: Section | None) -> dict | None:
    if article is None:
        return None
    found = timezone.localdate(article.published_at)
    return {"day": found, "url": url_for(found, section)}


def _groups(stories: list[Article]) -> list[tuple[Section, list[Article]]]:
    """The stories by main section, in the site's order of sections."""
    by_id = tree()["by_id"]
    grouped: dict[int, list[Article]] = {}
    for story in stories:
        root = story.section
        while root.parent_id is not None and root.parent_id in by_id:
            root = by_id[root.parent_id]
        grouped.setdefault(root.pk, []).append(story)
    order = [s for s in main_sections() if s.pk in grouped]
    return [(s, grouped[s.pk]) for s in order]


def _with_links(groups: list, shown: date) -> list[tuple[Section, list[Article], str]]:
    return [(section, stories, url_for(shown, section)) for section, stories in groups]

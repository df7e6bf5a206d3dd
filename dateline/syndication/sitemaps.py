"""Sitemaps and robots.txt: what search engines read to find every live story.

The index at /sitemap.xml names one sitemap per month that has live stories, the sections,
the tags with live stories (each dated by its newest story), the days of News in Brief, and
the Google News sitemap of the last 48 hours in pages of 1,000. Every sitemap starts from
`Article.objects.live()`, so no draft, scheduled, killed, future-dated or embargoed story is
ever listed.
"""

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import cached_property, wraps

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override

from dateline.db import limits
from dateline.newsroom.html import without_control_characters
from dateline.newsroom.models import Article, Section, Tag
from dateline.pagecache import keys
from dateline.pagecache.queries import reads_query

from . import sitemap_figures
from .sitemap_figures import Figures

NEWS_WINDOW = timedelta(hours=48)
RETRY_AFTER_SECONDS = 60
# Paths no crawler has business in: the desk, and the editors' preview links.
DISALLOWED = ("/desk/", "/preview/")
_MONTH = re.compile(r"articles-(\d{4})-(\d{2})")


def w3c(value: datetime) -> str:
    """A W3C datetime in the site's zone, with its offset, to the second."""
    return timezone.localtime(value).isoformat(timespec="seconds")


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next one, in the site's zone."""
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return (timezone.make_aware(datetime.combine(month, time.min)),
            timezone.make_aware(datetime.combine(following, time.min)))


class DatelineSitemap(Sitemap):
    """A sitemap of the index; the views ask it for its template and surrogate keys."""

    template_name = "sitemap.xml"

    @cached_property
    def paginator(self) -> Paginator:
        # Sitemaps are built per request, so one count serves the index's checks and pages.
        return super().paginator

    def surrogate_keys(self, urls: list[dict]) -> Iterable[str]:
        """What the sitemap shows: every article change invalidates `home`, and so the list."""
        return [keys.HOME]


class ArticleMonthSitemap(DatelineSitemap):
    """Every live story published in one month (of the site's zone), oldest first."""

    def __init__(self, month: date, count: int | None = None,
                 latest: datetime | None = None) -> None:
        self.month = month
        self.start, self.end = month_bounds(month)
        self.count = count
        self.latest = latest

    def items(self):
        # A total order (pk breaks ties), so that pages of a month over the limit never
        # repeat or skip a story.
        return (
            Article.objects.live()
            .filter(published_at__gte=self.start, published_at__lt=self.end)
            .order_by("published_at", "pk")
            .only("pk", "slug", "published_at", "updated_at")
        )

    def lastmod(self, item: Article) -> datetime:
        return item.last_changed_at

    def get_latest_lastmod(self) -> datetime | None:
        if self.latest is None:
            self.latest = self.items().aggregate(latest=Max(Coalesce("updated_at",
                                                                     "published_at")))["latest"]
        return self.latest

    @cached_property
    def paginator(self) -> Paginator:
        # A month without live stories has no sitemap (404), rather than an empty urlset,
        # which the sitemap schema does not allow.
        pages = Paginator(self.items(), self.limit, allow_empty_first_page=False)
        if self.count is not None:
            pages.count = self.count  # counted by the index's one query
        return pages


class ListingSitemap(DatelineSitemap):
    """Pages that list stories: dated by their newest live story (sitemap_figures)."""

    def __init__(self, figures: Figures | None = None) -> None:
        self.given = figures

    @cached_property
    def figures(self) -> Figures:
        return self.given or sitemap_figures.current()

    def lastmod(self, item) -> datetime | None:
        return item.latest

    def get_latest_lastmod(self) -> datetime | None:
        return max((item.latest for item in self.items() if item.latest), default=None)

    def surrogate_keys(self, urls: list[dict]) -> Iterable[str]:
        # Renewed by any story's change, and when the worker works the figures out again.
        return [keys.HOME, keys.SITEMAPS]


class SectionSitemap(ListingSitemap):
    @cached_property
    def listed(self) -> list[Section]:
        # A section's page lists the stories of the sections below it too.
        sections = list(Section.objects.order_by("path").only("path"))
        by_path = {section.path: section for section in sections}
        for section in sections:
            section.latest = None
        for section in sections:
            own = self.figures.sections.get(section.pk)
            for path in section.ancestor_paths() if own else ():
                above = by_path.get(path)
                if above is not None and (above.latest is None or above.latest < own):
                    above.latest = own
        return sections

    def items(self):
        return self.listed


class TagSitemap(ListingSitemap):
    """Tags with at least one live story: the others' pages are empty."""

    @cached_property
    def listed(self) -> list[Tag]:
        dated = self.figures.tags
        tags = [tag for tag in Tag.objects.order_by("kind", "slug").only("kind", "slug")
                if tag.pk in dated]
        for tag in tags:
            tag.latest = dated[tag.pk]
        return tags

    def items(self):
        return self.listed


class NewsSitemap(DatelineSitemap):
    """Google News: every live story of the last 48 hours, newest first. Not a story whose
    source gave no date (an undated archive's import): its time is when it reached the
    archive, not news, and Google News takes a sitemap's dates for publication times.

    Google reads at most 1,000 URLs a file, so more stories than that are paged
    (`news.xml?p=2` …), each page named in the index.
    """

    limit = 1000
    language = "en"
    template_name = "syndication/news_sitemap.xml"

    def items(self):
        return (
            Article.objects.live()
            .filter(published_at__gte=timezone.now() - NEWS_WINDOW,
                    published_at_is_import_time=False)
            .newest_first()
            .only("pk", "slug", "headline", "published_at", "updated_at")
        )

    def lastmod(self, item: Article) -> datetime:
        return item.last_changed_at

    def get_latest_lastmod(self) -> datetime | None:
        return self.items().aggregate(latest=Max(Coalesce("updated_at",
                                                          "published_at")))["latest"]

    def get_urls(self, page=1, site=None, protocol=None) -> list[dict]:
        urls = super().get_urls(page, site, protocol)
        for url in urls:
            article = url["item"]
            url["news"] = {
                "name": settings.DATELINE_SITE_NAME,
                "language": self.language,
                "publication_date": w3c(article.published_at),
                "lastmod": w3c(url["lastmod"]),
                # Saved stories hold no control character (newsroom.html); one stored before
                # that rule would make Google refuse the whole sitemap, as it would a feed.
                "title": without_control_characters(article.headline),
            }
        return urls

    def surrogate_keys(self, urls: list[dict]) -> Iterable[str]:
        # At most 1,000 stories a page: few enough to name each, so a CDN purges it by any.
        # The month sitemaps name only `home`, since a month can hold 50,000.
        return [keys.HOME, *keys.articles(url["item"] for url in urls)]


class BriefDaySitemap(ListingSitemap):
    """News in Brief (the site's `/news-in-brief/<day>/`): a page per day with live stories,
    dated by the newest change among them."""

    @cached_property
    def days(self) -> list[dict]:
        return [{"day": day, "latest": latest}
                for day, (count, latest) in sorted(self.figures.days.items()) if count]

    def items(self):
        return self.days

    def location(self, item: dict) -> str:
        return reverse("site:news-in-brief-day", kwargs={"day": item["day"].isoformat()})

    def lastmod(self, item: dict) -> datetime:
        return item["latest"]

    def get_latest_lastmod(self) -> datetime | None:
        return max((item["latest"] for item in self.days), default=None)


FIXED = {"sections": SectionSitemap, "tags": TagSitemap, "news": NewsSitemap,
         "briefs": BriefDaySitemap}


def month_sitemaps(figures: Figures) -> dict[str, ArticleMonthSitemap]:
    """A sitemap per month with live stories, counted and dated by sitemap_figures."""
    return {f"articles-{month:%Y-%m}": ArticleMonthSitemap(month, count, latest)
            for month, (count, latest) in sorted(figures.months().items()) if count}


# A sitemap is a document a browser only shows: nothing in it may load or run, but Chromium
# lays out its XML tree with inline styles and draws the folding arrows as data: images, which
# the site's own policy (style-src 'self') blocks, leaving the raw text run together above an
# unstyled tree.
DISPLAYED_XML_POLICY = {"default-src": [CSP.NONE], "style-src": [CSP.UNSAFE_INLINE],
                        "img-src": ["data:"], "frame-ancestors": [CSP.NONE],
                        "base-uri": [CSP.NONE], "form-action": [CSP.NONE]}


def while_figures_are_worked_out(view):
    """A request that found no figures kept and ran out of its read budget working them out
    (a large archive) says when to come back: the worker is working them out meanwhile."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DatabaseError as exc:
            if not limits.stopped(exc):
                raise
        response = HttpResponse("The sitemaps are being prepared; please come back in a "
                                "minute.\n", status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    return wrapped


def sitemap_for(section: str) -> DatelineSitemap:
    if section in FIXED:
        return FIXED[section]()  # the listings' figures are read when first asked for
    match = _MONTH.fullmatch(section)
    if match is None:
        raise Http404(f"No sitemap {section!r}.")
    try:
        return ArticleMonthSitemap(date(int(match[1]), int(match[2]), 1))
    except ValueError:
        raise Http404(f"No sitemap {section!r}.") from None


@reads_query()
@csp_override(DISPLAYED_XML_POLICY)
@while_figures_are_worked_out
def index(request: HttpRequest) -> HttpResponse:
    """The sitemap index; the months it names change only when stories do (`home`)."""
    figures = sitemap_figures.current()
    sitemaps = {**month_sitemaps(figures),
                **{name: cls(figures) if issubclass(cls, ListingSitemap) else cls()
                   for name, cls in FIXED.items()}}
    # An empty urlset breaks the schema (it wants one URL at least): name only sitemaps
    # with URLs (and an empty one is not found: `sitemap`).
    sitemaps = {name: site for name, site in sitemaps.items() if site.paginator.count}
    response = sitemap_views.index(request, sitemaps, sitemap_url_name="syndication:sitemap")
    keys.add(response, keys.HOME, keys.SITEMAPS)
    return response


@reads_query("p")
@csp_override(DISPLAYED_XML_POLICY)
@while_figures_are_worked_out
def sitemap(request: HttpRequest, section: str) -> HttpResponse:
    """One sitemap of the index, rendered by Django's view with its own template."""
    site = sitemap_for(section)
    if not site.paginator.count:
        # An empty <urlset> is not a sitemap the schema allows (one URL at least): Google
        # News' on a day with no story of the last 48 hours was served so, and failed it.
        # Not found until it has one; robots.txt and the index name it only then.
        response = HttpResponse(f"The sitemap {section}.xml lists nothing at the moment.\n",
                                status=404, content_type="text/plain; charset=utf-8")
        keys.add(response, keys.HOME)
        return response
    response = sitemap_views.sitemap(request, {section: site}, section=section,
                                     template_name=site.template_name)
    keys.add(response, site.surrogate_keys(response.context_data["urlset"]))
    return response


@reads_query()
def robots(request: HttpRequest) -> HttpResponse:
    """robots.txt: crawl the site but not the desk or previews; here are the sitemaps."""
    index_url = request.build_absolute_uri(reverse("syndication:sitemap-index"))
    news_url = request.build_absolute_uri(
        reverse("syndication:sitemap", kwargs={"section": "news"})
    )
    # Google News' sitemap is named while it lists a story (an empty one is not found).
    news = [f"Sitemap: {news_url}"] if NewsSitemap().paginator.count else []
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), "Allow: /", "",
             f"Sitemap: {index_url}", *news]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    keys.add(response, keys.HOME)  # renewed by a story's change, which may fill or empty news
    return response

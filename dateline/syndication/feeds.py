"""The site's feeds: the newest live stories of the site, of a section or of a tag."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.contrib.syndication.views import Feed, add_domain
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.urls import reverse
from django.utils.feedgenerator import Enclosure
from django.utils.html import format_html_join

from dateline.intelligence.related import stored_related
from dateline.newsroom.credit import credit, rights
from dateline.newsroom.datelines import house_dateline
from dateline.newsroom.html import with_absolute_urls
from dateline.newsroom.models import Article, Author, Section, Source, Tag
from dateline.pagecache import keys

from .generators import AtomFeed, JsonFeed, RssFeed
from .pictures import body_photos_of, body_prefetch, lead_photo_of, lead_prefetch, with_body_photos
from .websub.discovery import hub_url, link_header

ITEMS = 50


class ArticleFeed(Feed):
    """The items every feed shares; subclasses say which stories and what the feed is."""

    feed_type = RssFeed
    query_params = frozenset()  # a feed reads none: `?x=…` is redirected (pagecache.queries)

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().__call__(request, *args, **kwargs)
        # Join the page cache: it adds ETag and answers 304, and a change to any story,
        # tag or author shown here (or to the listing itself) refreshes the feed.
        keys.add(response, getattr(request, "feed_keys", ()))
        # WebSub discovery for subscribers that read headers only; stored with the page.
        response["Link"] = request.feed_links
        return response

    def get_feed(self, obj, request: HttpRequest):
        feed = super().get_feed(obj, request)
        site = get_current_site(request)
        found = {self.listing_key(obj)}
        for entry in feed.items:
            # The short URL names only the id, so the GUID survives a changed slug; on the
            # site's public origin, not the host asked (two names of one site were two GUIDs
            # of each story, every story read twice).
            entry["unique_id"] = settings.DATELINE_SITE_URL + entry.pop("guid_path")
            found.update(entry.pop("keys"))
            # The lead photo's URLs on the host the feed was asked on, like its links.
            photo = lead_photo_of(entry.pop("article"), request.build_absolute_uri)
            entry["related"] = [(add_domain(site.domain, path, request.is_secure()), title)
                                for path, title in entry.get("related", ())]
            if entry.get("content_html"):  # its paths would name the reader's own page
                entry["content_html"] = with_absolute_urls(entry["content_html"], entry["link"])
            if photo is not None:
                entry["photo"] = photo
                entry["enclosures"] = [Enclosure(photo.main.url, str(photo.main.size),
                                                 photo.main.content_type)]
        request.feed_keys = found
        # The feed's own id (Atom's <id>) on the public origin too, as its items' are.
        feed.feed["id"] = settings.DATELINE_SITE_URL + urlsplit(feed.feed["link"]).path
        feed.feed["hub_url"] = hub_url(request)
        feed.feed["icon"] = request.build_absolute_uri(static("syndication/icon.png"))
        feed.feed["favicon"] = request.build_absolute_uri(static("site/favicon.svg"))
        feed.feed["authors"] = [{"name": settings.DATELINE_SITE_NAME,
                                 "url": request.build_absolute_uri(reverse("site:home"))}]
        request.feed_links = link_header(feed.feed["hub_url"], feed.feed["feed_url"])
        return feed

    def listing_key(self, obj) -> str:
        return keys.HOME

    def articles(self, obj):
        return Article.objects.live()

    def items(self, obj) -> list[Article]:
        # The section by a second query, not a join: with a join, SQLite's planner (its
        # statistics from `dateline import`) reads every live story section by section and
        # sorts them all (120 ms at 100,000 stories) instead of the newest 50 by index.
        items = list(
            self.articles(obj).newest_first().prefetch_related(
                "section",
                Prefetch("authors", queryset=Author.objects.only("pk", "name")),
                Prefetch("tags", queryset=Tag.objects.only("pk", "name").order_by("name")),
                Prefetch("sources", queryset=Source.objects.only(
                    "pk", "name", "rights_holder", "copyright_notice", "usage_terms")),
                lead_prefetch(),
                *(["notes", body_prefetch()] if settings.DATELINE_FEED_FULL_CONTENT else []),
            )[:ITEMS]
        )
        # Atom says how an entry relates to another (<link rel="related">); RSS and JSON
        # Feed have no standard element for it, so only Atom reads the stored lists.
        if issubclass(self.feed_type, AtomFeed):
            lists = stored_related(items)
            for item in items:
                item.related_stories = lists[item.pk]
        return items

    def item_title(self, item: Article) -> str:
        return item.headline

    def feed_copyright(self) -> str:
        return settings.DATELINE_COPYRIGHT_NOTICE

    def item_description(self, item: Article) -> str:
        # Plain text: each writer encodes it so that readers show it as written.
        return item.teaser

    def item_guid_is_permalink(self, item: Article) -> bool:
        return True

    def item_pubdate(self, item: Article):
        # An undated archive's import has no publication date, only the time it reached the
        # archive: given as one, feed readers showed twenty-year-old stories as today's news.
        # Its entry says when it was added (Atom's <updated>, JSON Feed's date_modified).
        return None if item.published_at_is_import_time else item.published_at

    def item_updateddate(self, item: Article):
        return item.last_changed_at

    def item_copyright(self, item: Article) -> str:
        """The agency's notice for its copy, else the house's (Atom <rights>, RSS dc:rights)."""
        return rights(item).notice

    def item_categories(self, item: Article) -> list[str]:
        """The section, then the tags; a tag named like the section is said once."""
        names = {}
        for name in (item.section.name, *(t.name for t in item.tags.all())):
            names.setdefault(name.casefold(), name)
        return list(names.values())

    def item_extra_kwargs(self, item: Article) -> dict:
        credited = credit(item)  # its authors, or its agencies when it names none
        authors = credited.authors
        return {
            "authors": credited.names,
            # The body with its photos in place, as the page shows it (paths made absolute
            # in get_feed): a reader of the full text lost every photo of the body.
            "content_html": (notes_html(item) + with_body_photos(
                item.body, body_photos_of(item, lambda path: path))
                if settings.DATELINE_FEED_FULL_CONTENT else None),
            "guid_path": reverse("site:article-short", kwargs={"pk": item.pk}),
            "article": item,  # for its lead photo, made absolute in get_feed
            # Each stored related story's address (made absolute in get_feed) and headline.
            "related": [(story.get_absolute_url(), story.headline)
                        for story in getattr(item, "related_stories", ())],
            "keys": {keys.article(item.pk), *(keys.tag(t.pk) for t in item.tags.all()),
                     *(keys.author(a.pk) for a in authors),
                     *(keys.source(s.pk) for s in item.sources.all())},
        }


def notes_html(item: Article) -> str:
    """The story's corrections and updates, above its body as its page shows them: a reader
    of the whole story in a feed reader sees what was corrected, as one on the site does."""
    return format_html_join(
        "", '<p class="story-note"><strong>{}</strong> {}: {}</p>',
        ((note.get_kind_display(), house_dateline(note.created_at), note.text)
         for note in item.notes.all()))


class SiteFeed(ArticleFeed):
    def title(self) -> str:
        return settings.DATELINE_SITE_NAME

    def description(self) -> str:
        return settings.DATELINE_SITE_TAGLINE

    subtitle = description

    def link(self) -> str:
        return reverse("site:home")


class SectionFeed(ArticleFeed):
    def get_object(self, request: HttpRequest, path: str) -> Section:
        return get_object_or_404(Section, path=path)

    def listing_key(self, obj: Section) -> str:
        return keys.section(obj.pk)

    def articles(self, obj: Section):
        return Article.objects.live().in_section(obj)

    def title(self, obj: Section) -> str:
        return f"{settings.DATELINE_SITE_NAME}: {obj.display_path}"

    def description(self, obj: Section) -> str:
        return obj.description or f"The latest news in {obj.display_path}."

    subtitle = description

    def link(self, obj: Section) -> str:
        return obj.get_absolute_url()


class TagFeed(ArticleFeed):
    def get_object(self, request: HttpRequest, kind: str, slug: str) -> Tag:
        tag = get_object_or_404(Tag, kind=Tag.kind_for_prefix(kind), slug=slug)
        if not self.articles(tag).exists():
            # As its page: a tag only a draft carries tells nothing (site.views.tag).
            raise Http404("Nothing is published here.")
        return tag

    def listing_key(self, obj: Tag) -> str:
        return keys.tag(obj.pk)

    def articles(self, obj: Tag):
        return Article.objects.live().linked_to("tags", obj.pk, ITEMS)

    def title(self, obj: Tag) -> str:
        return f"{settings.DATELINE_SITE_NAME}: {obj.name}"

    def description(self, obj: Tag) -> str:
        return obj.description or f"News about {obj.name}."

    subtitle = description

    def link(self, obj: Tag) -> str:
        return obj.get_absolute_url()


class SiteAtomFeed(SiteFeed):
    feed_type = AtomFeed


class SiteJsonFeed(SiteFeed):
    feed_type = JsonFeed


class SectionAtomFeed(SectionFeed):
    feed_type = AtomFeed


class SectionJsonFeed(SectionFeed):
    feed_type = JsonFeed


class TagAtomFeed(TagFeed):
    feed_type = AtomFeed


class TagJsonFeed(TagFeed):
    feed_type = JsonFeed

from django.urls import include, path, re_path
from django.views.generic import RedirectView

from dateline.pagecache.queries import reads_query

from . import feeds, sitemaps

app_name = "syndication"
# A section's and a tag's feeds, each under its page's address.
SECTION_FEED = r"^section/(?P<path>[\w-]+(?:/[\w-]+)*)/feed/"
TAG_FEED = r"^(?P<kind>people|places|organisations|topics)/(?P<slug>[\w-]+)/feed/"


def _moved(to: str):
    """A permanent redirect to the feed named `to`, with the same path arguments (a query
    is dropped: the feeds read none)."""
    return reads_query()(RedirectView.as_view(pattern_name=f"syndication:{to}", permanent=True))


# Where readers, feed readers and sites moving from WordPress look for a feed first (its
# /feed/ and /feed/atom/, the common /rss.xml, /atom.xml and /feed.json): sent on to ours.
_FEED_ALIASES = [
    path("feed/", _moved("site-rss")),
    path("feed/rss/", _moved("site-rss")),
    path("feed/atom/", _moved("site-atom")),
    path("feed/json/", _moved("site-json")),
    path("rss/", _moved("site-rss")),
    path("rss.xml", _moved("site-rss")),
    path("atom.xml", _moved("site-atom")),
    path("feed.json", _moved("site-json")),
    re_path(SECTION_FEED + "$", _moved("section-rss")),
    re_path(TAG_FEED + "$", _moved("tag-rss")),
]

# Included before the site's URLs: its section pattern would take /section/a/feed/rss/ too.
urlpatterns = [
    path("api/", include("dateline.syndication.api.urls")),
    path("feeds/rss/", feeds.SiteFeed(), name="site-rss"),
    path("feeds/atom/", feeds.SiteAtomFeed(), name="site-atom"),
    path("feeds/json/", feeds.SiteJsonFeed(), name="site-json"),
    re_path(SECTION_FEED + "rss/$", feeds.SectionFeed(), name="section-rss"),
    re_path(SECTION_FEED + "atom/$", feeds.SectionAtomFeed(), name="section-atom"),
    re_path(SECTION_FEED + "json/$", feeds.SectionJsonFeed(), name="section-json"),
    re_path(TAG_FEED + "rss/$", feeds.TagFeed(), name="tag-rss"),
    re_path(TAG_FEED + "atom/$", feeds.TagAtomFeed(), name="tag-atom"),
    re_path(TAG_FEED + "json/$", feeds.TagJsonFeed(), name="tag-json"),
    path("sitemap.xml", sitemaps.index, name="sitemap-index"),
    path("sitemaps/<slug:section>.xml", sitemaps.sitemap, name="sitemap"),
    path("robots.txt", sitemaps.robots, name="robots"),
    *_FEED_ALIASES,
]

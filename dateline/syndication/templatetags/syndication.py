"""Advertise feeds in a page's head, so that browsers and readers find them."""

from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from dateline.newsroom.models import Section, Tag

register = template.Library()

TYPES = {
    "rss": ("application/rss+xml", "RSS"),
    "atom": ("application/atom+xml", "Atom"),
    "json": ("application/feed+json", "JSON Feed"),
}


@register.simple_tag
def feed_links(obj: Section | Tag | None = None) -> SafeString:
    """<link rel="alternate"> for the site's feeds, or for a section's or tag's own."""
    if obj is None:  # on every page: three URL reversals, a sixth of a cached page's render
        return _site_links(get_script_prefix(), settings.DATELINE_SITE_NAME)
    return _links(obj)


@lru_cache(maxsize=8)
def _site_links(script_prefix: str, site_name: str) -> SafeString:
    return _links(None)


def _links(obj: Section | Tag | None) -> SafeString:
    if isinstance(obj, Section):
        name, kwargs, prefix = obj.display_path, {"path": obj.path}, "section"
    elif isinstance(obj, Tag):
        name, prefix = obj.name, "tag"
        kwargs = {"kind": Tag.URL_PREFIXES[obj.kind], "slug": obj.slug}
    else:
        name, kwargs, prefix = None, {}, "site"
    title = settings.DATELINE_SITE_NAME + (f": {name}" if name else "")
    return format_html_join(
        "\n", '<link rel="alternate" type="{}" title="{} ({})" href="{}">',
        ((TYPES[f][0], title, TYPES[f][1],
          reverse(f"syndication:{prefix}-{f}", kwargs=kwargs)) for f in TYPES),
    )

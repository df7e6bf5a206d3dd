"""Advertise feeds in a page's head, so that browsers and readers find them."""

from django import template
from django.conf import settings
from django.urls import reverse
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

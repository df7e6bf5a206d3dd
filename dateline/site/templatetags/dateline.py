"""Formats the agency's pages share, such as its house dateline."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dateline.newsroom.datelines import house_dateline

register = template.Library()
# The format is the newsroom's: the live stream writes moments the same way.
register.filter("house_dateline", house_dateline)


@register.filter
def iso_datetime(moment) -> str:
    # Whole seconds: HTML allows at most three digits of a fraction in a datetime attribute.
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


@register.simple_tag
def url_if_exists(name: str) -> str:
    """Reverse a URL name, or return '' while the app that provides it is not installed."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def masthead(context) -> str:
    """The site's name and section menu: the same on thousands of pages, rendered once."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    from dateline.pagecache.keys import NAV
    from dateline.site.fragments import fragment

    request = context.get("request")
    is_home = request is not None and request.path == "/"
    current_root = context.get("current_root", "")

    def render() -> tuple[str, set[str]]:
        html = render_to_string("site/includes/masthead.html", context.flatten(), request)
        return html, {NAV}

    html, _ = fragment(f"masthead:{is_home}:{current_root}", render)
    return mark_safe(html)  # rendered by our own template


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """This page's absolute URL: its path, and its page number past the first."""
    request = context["request"]
    page = context.get("page")
    query = f"?page={page.number}" if page is not None and page.number > 1 else ""
    return request.build_absolute_uri(request.path) + query

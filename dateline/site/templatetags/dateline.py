"""Formats the agency's pages share, such as its house dateline."""

from django import template
from django.urls import NoReverseMatch
from django.utils.safestring import mark_safe

from dateline.base.addresses import address, asset
from dateline.newsroom.credit import credit
from dateline.newsroom.datelines import house_dateline
from dateline.newsroom.html import within_depth
from dateline.site import teasers
from dateline.site.context_processors import site as site_context
from dateline.site.own_url import own_url
from dateline.site.own_url import site_url as public_url

register = template.Library()
# The format is the newsroom's: the live stream writes moments the same way.
register.filter("house_dateline", house_dateline)
# {% with credited=article|credit %}: the people a story names, else the agency whose copy it is.
register.filter("credit", credit)
# A body stored before sanitize_body bounded its nesting: the edition's PDF (WeasyPrint)
# stops with a RecursionError on a thousand nested quotes.
register.filter("within_depth", within_depth)


# {{ moment|iso_datetime }}: whole seconds in the site's time zone, remembered as teasers'.
register.filter("iso_datetime", teasers.iso_datetime)


# {% teaser story level=3 show_section=True compact=True lead=True %}: a story in a listing.
register.simple_tag(teasers.teaser, name="teaser")


@register.simple_tag(name="address")
def address_of(name: str, **kwargs) -> str:
    """`{% address 'site:home' %}`: `{% url %}` remembered (dateline.base.addresses), for the
    addresses every reader page names; Django's reverses each on every render."""
    return address(name, **kwargs)


@register.simple_tag(name="asset")
def asset_of(path: str) -> str:
    """`{% asset 'site/site.css' %}`: `{% static %}` remembered (dateline.base.addresses)."""
    return asset(path)


@register.simple_tag
def url_if_exists(name: str) -> str:
    """Reverse a URL name, or return '' while the app that provides it is not installed."""
    try:
        return address(name)
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def masthead(context) -> str:
    """The site's name and section menu: the same on thousands of pages, rendered once."""
    from django.template.loader import render_to_string

    from dateline.pagecache.keys import NAV
    from dateline.site.fragments import fragment

    request = context.get("request")
    is_home = request is not None and request.path == "/"
    current_root = context.get("current_root", "")

    def render() -> tuple[str, set[str]]:
        # What a menu shows, not the page's whole context flattened and every context
        # processor run again (a fifth of the masthead's time on a page rendered afresh).
        html = render_to_string("site/includes/masthead.html", {
            **site_context(request), "request": request, "current_root": current_root})
        return html, {NAV}

    html, _ = fragment(f"masthead:{is_home}:{current_root}", render)
    return mark_safe(html)  # rendered by our own template


@register.simple_tag
def site_url(path: str) -> str:
    """`path` on the site's public origin (own_url.site_url): a page's canonical address."""
    return public_url(path)


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """This page's absolute URL: its path, and its page number past the first."""
    request = context["request"]
    page = context.get("page")
    query = f"?page={page.number}" if page is not None and page.number > 1 else ""
    return own_url(request, query)


class CaptureNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str) -> None:
        self.nodelist, self.name = nodelist, name

    def render(self, context) -> str:
        # Already escaped by the template that rendered it: safe to print again, unescaped.
        context[self.name] = mark_safe(self.nodelist.render(context).strip())
        return ""


@register.tag
def capture(parser, token) -> CaptureNode:
    """{% capture as name %}…{% endcapture %}: render once, keep it to print many times.

    The base template captures the page's title and description blocks, which Django
    renders only once, for the <title>, the meta description and the social card.
    """
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Use {% capture as name %}…{% endcapture %}.")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])


@register.inclusion_tag("site/includes/social_card.html", takes_context=True)
def social_card(context, title: str | None = None, description: str | None = None,
                url: str | None = None, kind: str = "website", image: dict | None = None) -> dict:
    """Open Graph and Twitter card tags: what a link shared on social media shows.

    Title and description default to the page's own (captured by the base template), the
    URL to its canonical one. `image` (url, width, height, alt, type) makes a large card.
    """
    if url is None and context.get("request") is not None:
        url = canonical_url(context)
    return {
        "site_name": context.get("site_name", ""),
        "title": context.get("page_title", "") if title is None else title,
        "description": context.get("page_description", "") if description is None
        else description,
        "url": url,
        "kind": kind,
        "image": image,
    }

"""What a campaign shows: its HTML creative sanitised, and the markup a slot receives."""

import nh3
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from dateline.newsroom.html import shallower
from dateline.pictures.display import picture

# Words and images only: no links (the whole creative is the one click-through link), no
# scripts, no style attributes (the page's CSP refuses them), no images but the site's own
# files (the page's img-src is 'self', and any other path of ours is an action).
CREATIVE_TAGS = {"p", "br", "strong", "em", "b", "i", "span", "small", "h2", "h3", "img"}
CREATIVE_ATTRIBUTES = {"img": {"src", "alt", "width", "height"}}
# What the URL standard strips from anywhere in a URL before reading it.
_BROWSER_DROPS = str.maketrans("", "", "\t\n\r")


# Dot segments, which a browser resolves ("/media/../ads/click/2" is the click counter),
# written plainly or percent-encoded.
_DOTS = {".", "..", "%2e", "%2e%2e", ".%2e", "%2e."}


def _own_images_only(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not _site_file(value):
        return None
    return value


def _site_file(url: str) -> bool:
    """A file of this site's static or media folders, read as a browser reads the URL: tabs
    and newlines dropped, a backslash taken for a slash ("/\\evil.example/x.png" is another
    origin, as "//" is), dot segments resolved. Any other path of ours is not an image but an
    action every reader's browser would take: "/ads/click/2" clicked another campaign."""
    seen = url.translate(_BROWSER_DROPS).replace("\\", "/")
    path = seen.split("?", 1)[0].split("#", 1)[0]
    if any(segment.lower() in _DOTS for segment in path.split("/")):
        return False
    folders = [f for f in (settings.STATIC_URL, settings.MEDIA_URL) if f.startswith("/")]
    return any(seen.startswith(folder) and not seen.startswith("//") for folder in folders)


def sanitise_creative(markup: str) -> str:
    """Keep the few tags a text creative needs; anything else is dropped with its script."""
    # Nesting bounded first, as a story's body is: the parser's time grows with its square.
    return _clean(shallower(markup), set(), _own_images_only)


def creative_for_mail(markup: str, site_url: str) -> str:
    """A saved creative for an e-mail, which has no page to resolve a path against: its images
    (the site's own, as saving keeps them) named by absolute URL on `site_url`."""

    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if _own_images_only(tag, attribute, value) is None:
            return None
        return site_url.rstrip("/") + value if (tag, attribute) == ("img", "src") else value

    return _clean(markup, {"http", "https"}, absolute)


def _clean(markup: str, url_schemes: set[str], attribute_filter) -> str:
    return nh3.clean(markup, tags=CREATIVE_TAGS, attributes=CREATIVE_ATTRIBUTES,
                     url_schemes=url_schemes, strip_comments=True,
                     attribute_filter=attribute_filter).strip()


def render(campaign, click_url: str, *, image_loading: str = "lazy") -> SafeString:
    """The creative as one link through the click counter, for the page or the frame."""
    if campaign.photo_id:
        inner = picture(campaign.photo, "free", "(max-width: 728px) 100vw, 728px",
                        alt=campaign.alt_text or campaign.photo.alt_text,
                        loading=image_loading, css_class="ad-image")
    else:
        inner = format_html('<span class="ad-html">{}</span>', mark_safe(campaign.html))
    return format_html('<a class="ad-link" href="{}" rel="sponsored noopener" '
                       'target="_blank">{}</a>', click_url, inner)

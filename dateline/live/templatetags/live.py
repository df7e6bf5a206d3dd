"""The live strip under the masthead: breaking-news banner and "Latest" ticker.

Rendered on the server, so a reader without JavaScript sees both as of the page's render; the
script then keeps them current from the event stream, starting after the event the strip was
rendered at (data-last-event), so a page served from the cache catches up on load.
"""


from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from dateline.base.addresses import asset
from dateline.base.prepared import Prepared
from dateline.newsroom.models import Article
from dateline.pagecache import keys
from dateline.pagecache.parts import cached as fragment

from ..events import breaking_since, breaking_stories, ticker_stories
from ..models import LiveEvent

register = template.Library()
TICKER_SIZE = 5


# Read for every page rendered: prepared (dateline.base.prepared), its SQL built once.
_BREAKING = Prepared(lambda now, since: breaking_stories(now, since)
                     .only("headline", "slug", "published_at")[:1], Article)


def breaking_story() -> Article | None:
    return next(iter(_BREAKING.objects(timezone.now(), breaking_since())), None)


@register.simple_tag(takes_context=True)
def live_strip(context) -> str:
    """The banner on every page; the "Latest" list rendered only on the home page.

    The home page changes with every publication anyway. Elsewhere a rendered list would
    either go stale in the page cache or make every publication expire every page, so the
    script fills it from the stream's snapshot (readers without JavaScript have the home
    page's list).
    """
    request = context.get("request")
    on_home = request is not None and request.path == "/"

    def render() -> tuple[str, set[str]]:
        # The event id first: a story published meanwhile is then sent again, not missed.
        last_event = LiveEvent.last_id()
        latest = (ticker_stories(Article.objects.live()).for_listing()[:TICKER_SIZE]
                  if on_home else [])
        html = render_to_string("live/strip.html", {
            "live_url": settings.DATELINE_LIVE_URL, "last_event": last_event,
            "breaking": breaking_story(), "latest": latest,
            "breaking_hours": settings.DATELINE_BREAKING_HOURS,
        })
        return html, {keys.TICKER, keys.BREAKING} if on_home else {keys.BREAKING}

    html, _ = fragment(f"live-strip:{on_home}", render)
    return mark_safe(html)  # rendered by our own template


@register.simple_tag
def live_script() -> str:
    """The script tag, only where a stream is configured."""
    if not settings.DATELINE_LIVE_URL:
        return ""
    return mark_safe(f'<script src="{asset("live/live.js")}" defer></script>')

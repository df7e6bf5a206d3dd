"""Live coverage as the article page shows it."""

from django.dispatch import receiver

from dateline.newsroom.signals import story_page_rendering

from .models import LiveEntry, LiveEvent

MAX_SHOWN = 500


def coverage_for(article) -> dict:
    # The event id before the entries: an entry filed meanwhile is sent again, not missed.
    last_event = LiveEvent.last_id()
    entries = list(LiveEntry.objects.filter(article=article).select_related("author__author")
                   .order_by("-created_at", "-pk")[:MAX_SHOWN])
    return {"entries": entries, "last_event": last_event}


@receiver(story_page_rendering, dispatch_uid="dateline.live.coverage")
def add_coverage(sender, article, **kwargs) -> dict | None:
    """The entries of a story under live coverage, for its page (the site's story template)."""
    return {"coverage": coverage_for(article)} if article.is_live_coverage else None

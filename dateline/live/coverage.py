"""Live coverage as the article page shows it."""

from .models import LiveEntry, LiveEvent

MAX_SHOWN = 500


def coverage_for(article) -> dict:
    # The event id before the entries: an entry filed meanwhile is sent again, not missed.
    last_event = LiveEvent.last_id()
    entries = list(LiveEntry.objects.filter(article=article).select_related("author__author")
                   .order_by("-created_at", "-pk")[:MAX_SHOWN])
    return {"entries": entries, "last_event": last_event}

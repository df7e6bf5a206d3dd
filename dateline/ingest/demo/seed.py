"""The demo outlets as the desk sees them: one newsroom Source and one Feed each, pointing at
the loopback server, and the demo's own watched terms where the archive never names the
site's country. Running it again changes nothing but what differs (a new port, say)."""

from pathlib import Path

from django.db import transaction

from dateline.ingest.demo.outlets import FALLBACK_TERMS, OUTLETS
from dateline.ingest.demo.replay import Replay
from dateline.ingest.demo.server import HOST
from dateline.ingest.models import Feed, WatchedTerm
from dateline.newsroom.models import Source

# The worker polls each demo feed this often (seconds): about one new story a poll.
POLL_INTERVAL = 300


@transaction.atomic
def seed_demo_outlets(port: int, corpus_root: Path | None = None) -> list[Feed]:
    base = f"http://{HOST}:{port}"
    feeds = []
    for outlet in OUTLETS:
        site = f"{base}/{outlet.slug}/"
        source, _ = Source.objects.update_or_create(name=outlet.name, defaults={"url": site})
        values = {
            "name": outlet.name, "site": site, "url": f"{site}feed", "language": "en",
            "poll_interval": POLL_INTERVAL, "may_quote": True, "may_republish": False,
        }
        feed = Feed.objects.filter(outlet=source).first()
        if feed is None:
            feed = Feed.objects.create(outlet=source, **values)
        elif any(getattr(feed, field) != value for field, value in values.items()):
            Feed.objects.filter(pk=feed.pk).update(**values)
            feed.refresh_from_db()
        feeds.append(feed)
    # Where the archive never names the site's country, the demo features other words
    # (outlets.FALLBACK_TERMS): the monitor must watch them to show what the demo brings.
    if corpus_root is not None and Replay(corpus_root).terms == FALLBACK_TERMS:
        for term in FALLBACK_TERMS:
            WatchedTerm.objects.get_or_create(term=term)
    return feeds

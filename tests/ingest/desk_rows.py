"""Rows for the desk's ingest tests: outlets with feeds, items and clusters, made directly."""

from datetime import timedelta
from itertools import count

from django.utils import timezone

from dateline.ingest.models import Cluster, Feed, Item
from dateline.newsroom.models import Source

_serial = count(1)


def feed(outlet: str, **fields) -> Feed:
    source, _ = Source.objects.get_or_create(name=outlet, defaults={"slug": f"o{next(_serial)}"})
    n = next(_serial)
    return Feed.objects.create(outlet=source, name=f"{outlet} feed {n}",
                               url=f"http://127.0.0.1:9/{n}.xml", **fields)


def item(of: Feed, headline: str, summary: str = "", cluster: Cluster | None = None,
         age: timedelta = timedelta(hours=1), **fields) -> Item:
    n = next(_serial)
    made = Item.objects.create(
        feed=of, outlet=of.outlet, identity=f"guid:{n}", guid=str(n), headline=headline,
        summary=summary, link=f"https://outlet.example/{n}", fingerprint=f"fp{n}",
        language=fields.pop("language", "en"), format="rss", cluster=cluster, **fields)
    # first_seen_at is set on creation; tests place items in time.
    Item.objects.filter(pk=made.pk).update(first_seen_at=timezone.now() - age)
    made.refresh_from_db()
    return made


def cluster(headline: str, age: timedelta = timedelta(hours=1)) -> Cluster:
    at = timezone.now() - age
    return Cluster.objects.create(headline=headline, first_seen_at=at, last_seen_at=at)

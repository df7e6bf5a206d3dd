"""Clustering as items are stored: each new or changed item is signed and placed in a story.

The LSH index and the clusters' word profiles live in memory, one StoryIndex per process,
built on first use from the items of the last WINDOW (bounded: a day or two of items), so a
worker that restarts finds the clusters it left. Before each placement it catches up with
items that another process stored since (one indexed query on the primary key), which keeps
processes in agreement without a table of band hashes: a pure in-memory index is fast, and
the window it needs is small enough to rebuild in a second or two.

The index is shared by the process's threads (a round polls several hosts at once), and
neither it nor a placement is safe to interleave: `_lock` holds it while it is built or
caught up and for the whole of a placement, from finding the cluster to recording the item,
so two items stored at once are placed one after the other and each once.
"""

import threading
from datetime import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.html import strip_tags

from .clustering import WINDOW, StoryIndex
from .models import Cluster, Item
from .shingles import features, from_signature, signature_bytes

_index: StoryIndex | None = None
_seen_up_to = 0  # the highest item pk the index has caught up with
CATCH_UP_SLACK = 500  # items looked at again below it (a few polls' worth)
# Reentrant: a placement holds it and calls index(), which takes it too.
_lock = threading.RLock()


def reset() -> None:
    """Forget the in-memory index (as a restart does): the next placement rebuilds it."""
    global _index, _seen_up_to
    with _lock:
        _index, _seen_up_to = None, 0


def index(now: datetime | None = None) -> StoryIndex:
    with _lock:
        return _caught_up(now)


def _caught_up(now: datetime | None) -> StoryIndex:
    global _index, _seen_up_to
    if _index is None:
        _index = StoryIndex()
        cutoff = (now or timezone.now()) - WINDOW
        recent = Item.objects.filter(cluster__isnull=False, signature__isnull=False,
                                     first_seen_at__gte=cutoff)
        _seen_up_to = _catch_up(recent)
    else:
        # A little behind the highest seen: items are numbered as they are stored but placed
        # as their turn comes (threads, other workers), so a lower number can be placed after
        # a higher one; those already in the index are skipped without loading.
        _seen_up_to = max(_seen_up_to, _catch_up(Item.objects.filter(
            pk__gt=_seen_up_to - CATCH_UP_SLACK, cluster__isnull=False,
            signature__isnull=False)))
    return _index


def _catch_up(items) -> int:
    # Primary keys first: the items this process placed itself are skipped without loading.
    known = list(items.order_by("pk").values_list("pk", flat=True))
    unknown = [pk for pk in known if pk not in _index.items]
    for item in Item.objects.filter(pk__in=unknown).order_by("pk").only(
            "pk", "headline", "summary", "body", "signature", "cluster_id", "published_at",
            "first_seen_at", "date_flags"):
        when = _when(item)
        if _index.newest and when < _index.newest - _index.window:
            continue  # the index has moved past it (looked at again only for the slack)
        _index.add(item.pk, _features(item, from_signature(item.signature)), when,
                   cluster=item.cluster_id)
    return known[-1] if known else 0


def _features(item: Item, sketch=None):
    return features(item.headline, f"{item.summary}\n{strip_tags(item.body)}", sketch)


def _when(item: Item) -> datetime:
    """When the outlet published it, unless that time is not trusted (then when we saw it)."""
    if item.published_at and not item.date_flags:
        return item.published_at
    return item.first_seen_at or timezone.now()


def cluster_item(item: Item) -> Cluster:
    """Sign `item`, place it (a copy joins its original's cluster and is marked), and bring
    the cluster's headline, times and counts up to date."""
    with _lock:
        return _place(item)


def _place(item: Item) -> Cluster:
    stories = index()
    feats, when = _features(item), _when(item)
    placement = stories.place(feats, when)
    previous = item.cluster_id
    with transaction.atomic():
        cluster = None
        if item.cluster_id and placement.duplicate_of is None:
            cluster = Cluster.objects.filter(pk=item.cluster_id).first()  # a changed item stays
        if cluster is None and placement.cluster is not None:
            cluster = Cluster.objects.filter(pk=placement.cluster).first()
        if cluster is None:
            cluster = Cluster.objects.create(headline=item.headline[:500], first_seen_at=when,
                                             last_seen_at=when)
        duplicate = placement.duplicate_of is not None and placement.duplicate_of != item.pk
        signature = signature_bytes(feats.sketch)
        Item.objects.filter(pk=item.pk).update(signature=signature, cluster=cluster,
                                               is_near_duplicate=duplicate)
        # The caller's instance too, so that its next save() keeps them.
        item.signature, item.cluster, item.is_near_duplicate = signature, cluster, duplicate
        cluster.first_seen_at = min(cluster.first_seen_at, when)
        cluster.last_seen_at = max(cluster.last_seen_at, when)
        _recount(cluster)
        if previous and previous != cluster.pk:  # a changed item that now copies another
            for left in Cluster.objects.filter(pk=previous):
                _recount(left)
    stories.add(item.pk, feats, when, cluster=cluster.pk)
    return cluster


def _recount(cluster: Cluster) -> None:
    counts = Item.objects.filter(cluster=cluster).aggregate(
        items=Count("pk"), outlets=Count("outlet", distinct=True))
    cluster.item_count, cluster.outlet_count = counts["items"], counts["outlets"]
    cluster.save(update_fields=["item_count", "outlet_count", "first_seen_at", "last_seen_at"])


def on_item_stored(sender, item: Item, created: bool, changed: bool = True, **kwargs) -> None:
    if created or changed:
        cluster_item(item)

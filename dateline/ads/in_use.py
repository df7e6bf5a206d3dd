"""Which slots have anything to show: a slot nothing can fill is left out of the page.

An empty, labelled grey box is what a reader of a site that sells no ads would see in four
places on every story. A slot is in use when its placement is active and carries a
third-party tag, or when an active campaign that has not ended (running, or still to start)
is placed in it; house ads count.

Each process keeps the answer while the page cache's generation stands (one query a
generation, not one a page or a slot). A campaign or placement saved anywhere invalidates
the `nav` key, which every cached page names, on commit: that moves the generation, so every
process asks again and every stored page is rendered again, with or without its boxes. A
campaign that ends by the clock is noticed within LIFETIME; its box stays in pages already
stored, empty, until they are: a box kept is never a layout shift.
"""

import time

from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from dateline.pagecache import keys, store
from dateline.pagecache.invalidation import invalidate_on_commit

from .models import Campaign, Placement

LIFETIME = 60.0
_kept: tuple[str | None, float, frozenset[str]] = (None, 0.0, frozenset())


def slots_in_use() -> frozenset[str]:
    global _kept
    try:
        generation = store.generation()  # read before the query: a change meanwhile moves it
    except Exception:
        generation = None  # the cache unreachable: asked every time
    held, at, slots = _kept
    if generation is not None and held == generation and time.monotonic() - at < LIFETIME:
        return slots
    placed = Campaign.objects.not_ended().filter(placements=OuterRef("pk"))
    slots = frozenset(Placement.objects.filter(is_active=True)
                      .filter(~Q(third_party_tag="") | Exists(placed))
                      .values_list("slot", flat=True))
    _kept = (generation, time.monotonic(), slots)
    return slots


def changed(**kwargs) -> None:
    global _kept
    _kept = (None, 0.0, frozenset())  # this process at once, before the commit's invalidation
    invalidate_on_commit({keys.NAV})


for model in (Campaign, Placement):
    post_save.connect(changed, sender=model, dispatch_uid=f"ads-in-use-save-{model.__name__}")
    post_delete.connect(changed, sender=model, dispatch_uid=f"ads-in-use-del-{model.__name__}")
m2m_changed.connect(changed, sender=Campaign.placements.through, dispatch_uid="ads-in-use-m2m")

"""Which campaign a slot shows: a weighted draw among the running campaigns that fit it.

Every process keeps the running campaigns, rendered, and the impressions of the capped ones
for DATELINE_ADS_REFRESH_SECONDS, so a pick costs no query while they are fresh; a change
saved in this process renews them at once, other processes within those seconds. A cap can
therefore be passed by the impressions of those seconds (and of the counts not yet flushed):
caps are for budgets, not for exact contracts.
"""

import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Prefetch, Sum
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from dateline.newsroom.models import Section
from dateline.readership.models import Tally

from . import creative
from .models import Campaign, Placement

IMPRESSION = "impression"
CLICK = "click"


@dataclass(frozen=True)
class Candidate:
    """A running campaign as a pick needs it: no query, its creative already rendered."""

    pk: int
    weight: int
    cap: int | None
    is_house: bool
    starts_at: datetime
    ends_at: datetime | None
    slots: frozenset[str]
    section_paths: tuple[str, ...]
    tag_ids: frozenset[int]
    html: str
    link: str

    def running(self, now: datetime) -> bool:
        return self.starts_at <= now and (self.ends_at is None or now < self.ends_at)

    def fits(self, slot: str, section_path: str | None, tag_ids: frozenset[int]) -> bool:
        if slot not in self.slots:
            return False
        if not self.section_paths and not self.tag_ids:
            return True  # the whole site
        in_section = section_path is not None and any(
            section_path == p or section_path.startswith(p + "/") for p in self.section_paths)
        return in_section or bool(self.tag_ids & tag_ids)


@dataclass
class _Table:
    # time.monotonic() when read; never read: minus infinity, not 0, since the clock counts
    # from the machine's boot and may be below the refresh's seconds.
    loaded_at: float = float("-inf")
    candidates: list[Candidate] = field(default_factory=list)
    placements: dict[str, Placement] = field(default_factory=dict)
    impressions: dict[int, int] = field(default_factory=dict)
    section_paths: dict[int, str | None] = field(default_factory=dict)

    def under_cap(self, candidate: "Candidate") -> bool:
        """Whether the campaign may still be shown: no cap, or impressions left."""
        return candidate.cap is None or self.impressions.get(candidate.pk, 0) < candidate.cap


_table = _Table()
_lock = threading.Lock()


def _load() -> _Table:
    now = timezone.now()
    campaigns = (Campaign.objects.not_ended(now)
                 .select_related("photo")
                 .prefetch_related("placements", "photo__renditions",
                                   Prefetch("sections", queryset=Section.objects.only("path")),
                                   "tags"))
    candidates = [Candidate(
        pk=c.pk, weight=c.weight, cap=c.impression_cap, is_house=c.is_house,
        starts_at=c.starts_at, ends_at=c.ends_at,
        slots=frozenset(p.slot for p in c.placements.all() if p.is_active),
        section_paths=tuple(s.path for s in c.sections.all()),
        tag_ids=frozenset(t.pk for t in c.tags.all()),
        html=str(creative.render(c, c.get_click_url())), link=c.link,
    ) for c in campaigns]
    return _Table(loaded_at=time.monotonic(), candidates=candidates,
                  placements={p.slot: p for p in Placement.objects.all()},
                  impressions=impressions_of([c.pk for c in candidates if c.cap is not None]))


def impressions_of(pks: list[int]) -> dict[int, int]:
    """Impressions counted so far (flushed ones) of each campaign."""
    if not pks:
        return {}
    rows = (Tally.objects.filter(kind=IMPRESSION, key__in=[str(pk) for pk in pks])
            .values("key").annotate(total=Sum("count")))
    return {int(r["key"]): r["total"] for r in rows}


def table() -> _Table:
    global _table
    if time.monotonic() - _table.loaded_at >= settings.DATELINE_ADS_REFRESH_SECONDS:
        with _lock:
            if time.monotonic() - _table.loaded_at >= settings.DATELINE_ADS_REFRESH_SECONDS:
                _table = _load()
    return _table


def forget(**kwargs) -> None:
    """Read the campaigns again at the next pick (this process; others within seconds)."""
    _table.loaded_at = float("-inf")


for model in (Campaign, Placement):
    post_save.connect(forget, sender=model, dispatch_uid=f"ads-forget-save-{model.__name__}")
    post_delete.connect(forget, sender=model, dispatch_uid=f"ads-forget-del-{model.__name__}")
for through in (Campaign.placements.through, Campaign.sections.through, Campaign.tags.through):
    m2m_changed.connect(forget, sender=through, dispatch_uid=f"ads-forget-{through.__name__}")


def section_path(table: _Table, section_id: int | None) -> str | None:
    if section_id is None:
        return None
    if section_id not in table.section_paths:
        if len(table.section_paths) > 10_000:
            table.section_paths.clear()  # bounded, whatever ids readers send
        table.section_paths[section_id] = (
            Section.objects.filter(pk=section_id).values_list("path", flat=True).first())
    return table.section_paths[section_id]


def pick(slot: str, section_id: int | None = None, tag_ids: frozenset[int] = frozenset(),
         *, now: datetime | None = None, rng: random.Random | None = None,
         ) -> Candidate | None:
    """A campaign for the slot: paid ones first, by weight; house ads where none fits."""
    found = table()
    now = now or timezone.now()
    path = section_path(found, section_id)
    fitting = [c for c in found.candidates
               if c.running(now) and found.under_cap(c)
               and c.fits(slot, path, tag_ids)]
    paid = [c for c in fitting if not c.is_house]
    pool = paid or [c for c in fitting if c.is_house]
    if not pool:
        return None
    return (rng or random).choices(pool, weights=[c.weight for c in pool])[0]


def placement(slot: str) -> Placement | None:
    """The slot's placement when it is active (its third-party tag, if any), else None.

    A slot without its row (a database flushed since the migration) runs campaigns."""
    found = table().placements.get(slot) or Placement(slot=slot)
    return found if found is not None and found.is_active else None

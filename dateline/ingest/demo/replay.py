"""The rolling window: which archive stories an outlet's feed lists now, and when each was
"published".

Time is cut into slots of the outlet's period since EPOCH; slot n replays the corpus's story
n modulo its length, dated at the slot's start. The feed lists the newest `window` slots, so
its newest story is at most one period old and a poll every few minutes finds one or two new
ones; every FEATURE_EVERY-th slot replays a story naming the featured terms instead (see
outlets). A rewriting outlet lists the slots of the outlet it rewrites that its rule keeps, each
`delay_s` later. Nothing is stored: the same clock always gives the same feed.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings

from dateline.ingest.demo.outlets import (
    BY_SLUG,
    FEATURE_EVERY,
    REWRITE_EVERY,
    Outlet,
    Story,
    featured,
    featured_terms,
    load_stories,
    terms_pattern,
)

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Entry:
    outlet: Outlet
    slot: int
    story: Story
    published: datetime  # aware, in the outlet's zone

    @property
    def guid(self) -> str:
        return f"urn:dateline-demo:{self.outlet.slug}:{self.slot}"

    @property
    def path(self) -> str:
        return f"/{self.outlet.slug}/stories/{self.slot}"


class Replay:
    """The demo outlets over one corpus folder; stories are read once, when first asked for."""

    def __init__(self, corpus_root: Path, site_terms=None) -> None:
        self.corpus_root = corpus_root
        if site_terms is None:
            site_terms = getattr(settings, "DATELINE_WATCHED_TERMS", ())
        self.terms = featured_terms(corpus_root, site_terms)
        self.pattern = terms_pattern(self.terms)

    def story_at(self, original: Outlet, slot: int) -> Story:
        pool = featured(self.corpus_root, original.corpus, self.terms)
        if pool and slot % FEATURE_EVERY == 0:
            return pool[(slot // FEATURE_EVERY) % len(pool)]
        stories = load_stories(self.corpus_root, original.corpus)
        return stories[slot % len(stories)]

    def newest_slot(self, outlet: Outlet, now: datetime) -> int:
        original = self.original_of(outlet)
        elapsed = (now - EPOCH).total_seconds() - outlet.delay_s
        return int(elapsed // original.period_s)

    @staticmethod
    def original_of(outlet: Outlet) -> Outlet:
        return BY_SLUG[outlet.rewrites] if outlet.rewrites else outlet

    def entry(self, outlet: Outlet, slot: int) -> Entry | None:
        """The story of this slot as the outlet carries it; None if its rule leaves it out."""
        original = self.original_of(outlet)
        story = self.story_at(original, slot)
        if outlet.rewrites:
            if not (story.names(self.pattern) or slot % REWRITE_EVERY == 0):
                return None
            story = story.rewritten()
        published = EPOCH + timedelta(seconds=slot * original.period_s + outlet.delay_s)
        return Entry(outlet, slot, story, published.astimezone(outlet.tz))

    def entries(self, outlet: Outlet, now: datetime) -> list[Entry]:
        """What the outlet's feed lists at `now`, newest first."""
        newest = self.newest_slot(outlet, now)
        window = self.original_of(outlet).window
        found = (self.entry(outlet, slot) for slot in range(newest, newest - window, -1))
        return [entry for entry in found if entry is not None]

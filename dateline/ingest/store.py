"""Items, exactly once: what a poll found becomes new items, new versions, or nothing.

An item's identity within its feed is its GUID, else its canonical URL, else a fingerprint
of its words (SHA-256 of the normalised headline and summary or body). Re-polling a feed
finds every item by it and creates nothing; an item whose headline, summary, body or
updated time changed keeps its previous text as an ItemVersion and counts one version more.
Two polls of one feed at once still make one item: the unique (feed, identity) constraint
decides, and the loser reads the winner's row.
"""

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from dateline.newsroom.html import plain_text

from .models import Feed, Item, ItemVersion
from .parsers.base import ParsedItem, ParseResult
from .signals import item_stored

logger = logging.getLogger(__name__)

IDENTITY_MAX = 600  # Item.identity's length
RAW_MAX = 64 * 1024
# What makes an item "changed" (a new version); anything else is refreshed silently.
COMPARED = ("headline", "summary", "body", "updated_at")


@dataclass
class Stored:
    created: list[Item] = field(default_factory=list)
    changed: list[Item] = field(default_factory=list)
    unchanged: int = 0


def fingerprint(parsed: ParsedItem) -> str:
    """SHA-256 of the words: case, spacing and markup do not change it."""
    words = parsed.summary or plain_text(parsed.body)
    text = " ".join(f"{parsed.headline}\n{words}".casefold().split())
    return hashlib.sha256(text.encode()).hexdigest()


def identity(parsed: ParsedItem) -> str:
    """"guid:…", else "url:…", else "fp:…" (a long GUID or URL is kept by its hash)."""
    for prefix, value in (("guid", parsed.guid.strip()),
                          ("url", parsed.canonical_url or parsed.link)):
        if value:
            key = f"{prefix}:{value}"
            if len(key) > IDENTITY_MAX:
                key = f"{prefix}#sha256:{hashlib.sha256(value.encode()).hexdigest()}"
            return key
    return f"fp:{fingerprint(parsed)}"


def identities(items: list[ParsedItem]) -> list[str]:
    """Each item's identity, where one GUID or URL that a payload gives several different
    stories (a broken outlet's "1" for every item) is told apart by each story's words: kept
    by it alone, they were one item flipping from story to story, a version a poll each, and
    all but the last lost. Repeats of one story keep one identity. Only repeated keys have
    their words hashed here: the usual payload costs one identity an item, as before."""
    keys = [identity(parsed) for parsed in items]
    repeated = {key for key, count in Counter(keys).items()
                if count > 1 and not key.startswith("fp:")}
    prints = {n: fingerprint(items[n]) for n, key in enumerate(keys) if key in repeated}
    shared = {key for key in repeated
              if len({prints[n] for n, other in enumerate(keys) if other == key}) > 1}
    if shared:
        logger.warning("%d identities given to several different stories in one payload "
                       "(e.g. %s); each story kept by its words", len(shared), min(shared)[:100])
    return [_told_apart(key, prints[n]) if key in shared else key
            for n, key in enumerate(keys)]


def as_stored(feed: Feed, items: list[ParsedItem], keys: list[str]) -> list[str]:
    """Each identity as the feed already holds the same story. A GUID an outlet gives one
    story in one poll and two in the next (or two, then one) is told apart by words in one
    payload only: the other poll's story, under the other form of its identity, was stored
    a second time."""
    plain = [identity(parsed) for parsed in items]
    prints = [fingerprint(parsed) for parsed in items]
    apart = [_told_apart(key, words) for key, words in zip(plain, prints, strict=True)]
    held = dict(Item.objects.filter(feed=feed, identity__in={*plain, *apart})
                .values_list("identity", "fingerprint"))
    kept = []
    for key, base, split, words in zip(keys, plain, apart, prints, strict=True):
        if split in held and not base.startswith("fp:"):
            kept.append(split)  # told apart before: found by its words
        elif base in held and held[base] == words:
            kept.append(base)  # stored alone before, the same story
        else:
            kept.append(key)  # new, or a new version of the story stored under `key`
    return kept


def _told_apart(key: str, words: str) -> str:
    kept = f"{key}#{words}"
    if len(kept) <= IDENTITY_MAX:
        return kept
    return f"{key.partition(':')[0]}#sha256:{hashlib.sha256(kept.encode()).hexdigest()}"


def fields(feed: Feed, parsed: ParsedItem, format: str) -> dict:
    """The item's columns from what the parser gave, cut to their lengths."""
    return {
        "guid": parsed.guid[:500], "link": parsed.link[:1000],
        "canonical_url": (parsed.canonical_url or parsed.link)[:1000],
        "fingerprint": fingerprint(parsed), "headline": parsed.headline[:500],
        "summary": parsed.summary, "body": parsed.body, "author": parsed.author[:300],
        "language": (parsed.language or feed.language)[:12],
        "published_at": parsed.published_at, "updated_at": parsed.updated_at,
        "published_offset": parsed.published_offset[:6], "date_flags": parsed.date_flags,
        "format": format[:20], "raw": parsed.raw[:RAW_MAX],
    }


def store(feed: Feed, result: ParseResult, now: datetime | None = None) -> Stored:
    """Store a parse's items for `feed`; what was new or changed is announced (item_stored)."""
    now = now or timezone.now()
    stored, seen = Stored(), set()
    keys = as_stored(feed, result.items, identities(result.items))
    for key, parsed in zip(keys, result.items, strict=True):
        if not parsed.headline.strip() or key in seen:
            continue  # a story the payload gives twice is stored once
        seen.add(key)
        item, created, changed = store_one(feed, parsed, result.format, now, key)
        if created:
            stored.created.append(item)
        elif changed:
            stored.changed.append(item)
        else:
            stored.unchanged += 1
        if created or changed:
            announce(item, created=created, changed=changed)
    return stored


# Versions kept of one item, the first among them (the item itself is the newest text).
KEPT_VERSIONS = 20


def store_one(feed: Feed, parsed: ParsedItem, format: str, now: datetime,
              key: str | None = None) -> tuple[Item, bool, bool]:
    """(item, created, changed) for one parsed entry, found by `key` (its identity)."""
    key = key or identity(parsed)
    values = fields(feed, parsed, format)
    with transaction.atomic():
        item = Item.objects.select_for_update().filter(feed=feed, identity=key).first()
        if item is None:
            try:
                with transaction.atomic():
                    item = Item.objects.create(feed=feed, outlet_id=feed.outlet_id,
                                               identity=key, **values)
                return item, True, False
            except IntegrityError:
                # Another poll of this feed stored it a moment ago: theirs is the item.
                item = Item.objects.select_for_update().get(feed=feed, identity=key)
        if all(getattr(item, name) == values[name] for name in COMPARED):
            Item.objects.filter(pk=item.pk).update(last_seen_at=now)
            return item, False, False
        ItemVersion.objects.create(
            item=item, version=item.version, headline=item.headline, summary=item.summary,
            body=item.body, updated_at=item.updated_at, raw=item.raw)
        # The first as the outlet first wrote it, and the latest: a feed rewriting its items
        # at every poll kept a version of each a minute, for as long as it listed them.
        ItemVersion.objects.filter(item=item, version__gt=1,
                                   version__lte=item.version - KEPT_VERSIONS + 1).delete()
        for name, value in values.items():
            setattr(item, name, value)
        item.version += 1
        item.save()
        return item, False, True


def announce(item: Item, *, created: bool, changed: bool) -> None:
    """Tell the receivers (clustering); one that fails is logged, the poll goes on."""
    for receiver, outcome in item_stored.send_robust(
            sender=Item, item=item, created=created, changed=changed):
        if isinstance(outcome, Exception):
            logger.error("After storing item %s, %r failed: %s", item.pk, receiver, outcome,
                         exc_info=outcome)

"""The foreign-media monitor's queries: today's clusters that mention a watched term.

Four queries whatever the number of clusters: the active terms, the clusters of the last day
whose items contain a term anywhere (a case-insensitive substring, which every database does
alike), those clusters, and their items with their outlets and feeds. The word-boundary test
("Bulgarian" matches, "Bulgariana" does not) is then made in Python on the loaded items, so
SQLite and PostgreSQL agree on it; so are the exclusions ("Atlanta, Georgia" does not name
the country Georgia) and each item's snippet, the words around its first mention.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Prefetch, Q
from django.utils import timezone

from dateline.newsroom.html import plain_text

from .drafts import outlet_link
from .models import Cluster, Item, WatchedTerm

WINDOW = timedelta(hours=24)
# A busy day has a few hundred clusters about the country; more would not be read anyway.
MAX_CANDIDATES = 500
MAX_SHOWN = 100
FIELDS = ("headline", "summary", "body")
SNIPPET_WORDS = 14  # on each side of the mention: about a line and a half of the desk's page
SNIPPET_CHARACTERS = 120


def active_terms() -> list[str]:
    return list(WatchedTerm.objects.filter(active=True, excluded=False)
                .values_list("term", flat=True))


def exclusions() -> list[str]:
    return list(WatchedTerm.objects.filter(active=True, excluded=True)
                .values_list("term", flat=True))


# Scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer, Burmese):
# a term there has no word boundary to match at, only its characters.
_UNSPACED_RANGES = ("\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff"
                    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff")
_UNSPACED = re.compile(f"[{_UNSPACED_RANGES}]")
# A word's edge: no letter or digit beside the term, but one of those scripts' characters may
# be ("NATOの首脳会議", "在Sofia举行"): they join words without spaces.
_EDGE_BEFORE = f"(?<![^\\W{_UNSPACED_RANGES}])"
_EDGE_AFTER = f"(?![^\\W{_UNSPACED_RANGES}])"


def term_pattern(terms: list[str]) -> re.Pattern | None:
    """One regular expression for all terms: whole words, any case; in a script written
    without spaces, the term's characters wherever they stand ("保加利亚总统访问北京")."""
    words = sorted((t.strip() for t in terms if t.strip()), key=len, reverse=True)
    if not words:
        return None
    spaced = [re.escape(w) for w in words if not _UNSPACED.search(w)]
    unspaced = [re.escape(w) for w in words if _UNSPACED.search(w)]
    forms = ([_EDGE_BEFORE + "(?:" + "|".join(spaced) + ")" + _EDGE_AFTER] if spaced
             else []) + unspaced
    return re.compile("|".join(forms), re.IGNORECASE)


def without(text: str, excluded: re.Pattern | None) -> str:
    """The text with each excluded phrase blanked out, its length kept (so are offsets)."""
    return excluded.sub(lambda m: " " * len(m.group(0)), text) if excluded else text


def mentions(item: Item, pattern: re.Pattern, excluded: re.Pattern | None = None) -> set[str]:
    """The terms an item names (as the term list spells them, in lower case), outside any
    excluded phrase."""
    return {m.group(0).lower() for name in FIELDS
            for m in pattern.finditer(without(getattr(item, name), excluded))}


def snippet(item: Item, pattern: re.Pattern,
            excluded: re.Pattern | None = None) -> tuple[str, str, str] | None:
    """The words around the item's first mention in its summary or text, as (before, the
    mention, after); None where only its headline names a term (the page shows it anyway)."""
    # plain_text leaves a space where each tag was: strip_tags ran "<li>Georgia</li><li>
    # Armenia</li>" together as "GeorgiaArmenia", which no whole word matched.
    for text in (item.summary, plain_text(item.body)):
        text = " ".join(text.split())
        found = pattern.search(without(text, excluded))
        if found:
            # Split on single spaces, so that joined again the text is as it was ("(Bulgaria)").
            before = text[:found.start()].split(" ")
            after = text[found.end():].split(" ")
            head = ("\N{HORIZONTAL ELLIPSIS} " if len(before) > SNIPPET_WORDS + 1 else "") + \
                " ".join(before[-SNIPPET_WORDS - 1:])
            tail = " ".join(after[:SNIPPET_WORDS + 1]) + (
                " \N{HORIZONTAL ELLIPSIS}" if len(after) > SNIPPET_WORDS + 1 else "")
            # A script without spaces is one long "word": its characters are counted instead.
            if len(head) > SNIPPET_CHARACTERS:
                head = "\N{HORIZONTAL ELLIPSIS}" + head[-SNIPPET_CHARACTERS:]
            if len(tail) > SNIPPET_CHARACTERS:
                tail = tail[:SNIPPET_CHARACTERS] + "\N{HORIZONTAL ELLIPSIS}"
            return head, found.group(0), tail
    return None


@dataclass
class Entry:
    """A cluster as the monitor shows it."""

    cluster: Cluster
    items: list[Item]
    terms: list[str]
    outlets: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)

    @property
    def first_seen_at(self) -> datetime:
        return min(item.first_seen_at for item in self.items)

    @property
    def last_seen_at(self) -> datetime:
        return max(item.first_seen_at for item in self.items)


def todays_clusters(now: datetime | None = None, limit: int = MAX_SHOWN) -> list[Entry]:
    """Clusters seen in the last 24 hours that mention a watched term, most outlets first, then
    the most recent."""
    terms = active_terms()
    pattern = term_pattern(terms)
    if pattern is None:
        return []
    excluded = term_pattern(exclusions())
    since = (now or timezone.now()) - WINDOW
    contains = Q()
    # SQLite's LIKE ignores case for ASCII letters only: the usual spellings of a Cyrillic or
    # Greek term are asked for as well.
    spelt = {term.strip().lower(): term.strip() for term in terms}
    spellings = {form for term in terms
                 for form in (term, term.lower(), term.upper(), term.capitalize())}
    for form in spellings:
        for name in FIELDS:
            contains |= Q(**{f"items__{name}__icontains": form})
    candidate_ids = list(
        Cluster.objects.filter(last_seen_at__gte=since).filter(contains)
        .order_by("-last_seen_at").values_list("pk", flat=True).distinct()[:MAX_CANDIDATES])
    items = Item.objects.select_related("outlet", "feed").order_by("first_seen_at", "pk")
    clusters = Cluster.objects.filter(pk__in=candidate_ids).prefetch_related(
        Prefetch("items", queryset=items))
    entries = []
    for cluster in clusters:
        loaded = list(cluster.items.all())
        for item in loaded:
            item.web_link = outlet_link(item)
            item.snippet = snippet(item, pattern, excluded)
        found = set().union(*(mentions(item, pattern, excluded) for item in loaded))
        if not found:
            continue
        # As the desk wrote the terms ("Bulgaria"), not as matched.
        entry = Entry(cluster, loaded, sorted(spelt.get(term, term) for term in found))
        entry.outlets = list(dict.fromkeys(item.outlet.name for item in loaded))
        entry.languages = sorted({item.language for item in loaded if item.language})
        entries.append(entry)
    entries.sort(key=lambda e: (len(e.outlets), e.last_seen_at, e.cluster.pk), reverse=True)
    return entries[:limit]


def as_json(entry: Entry) -> dict:
    """What the monitor's page polls for, to update its list in place."""
    return {
        "id": entry.cluster.pk,
        "headline": entry.cluster.headline or entry.items[0].headline,
        "outlets": entry.outlets,
        "languages": entry.languages,
        "terms": entry.terms,
        "first_seen_at": entry.first_seen_at.isoformat(),
        "last_seen_at": entry.last_seen_at.isoformat(),
        "items": [{
            "id": item.pk, "headline": item.headline, "outlet": item.outlet.name,
            "link": outlet_link(item), "language": item.language,
            "first_seen_at": item.first_seen_at.isoformat(), "used": item.used,
            "snippet": list(item.snippet) if getattr(item, "snippet", None) else None,
        } for item in entry.items],
    }

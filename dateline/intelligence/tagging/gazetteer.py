"""The names a tagger knows: the site's tags and their aliases, countries, learnt names.

Each name is reachable by several keys (`alias_key` of the name, its aliases, a person's
surname, a country's official and common names and a few safe codes); a key may lead to
names of different kinds ("Jordan"), and the tagger lets the learnt statistics choose.
"""

import threading
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from ..models import alias_key

KINDS = ("person", "place", "organisation")


@dataclass(frozen=True)
class Known:
    kind: str
    name: str
    tag_id: int | None = None


# Codes that are not words: "IN", "IT" or "CAN" would tag India, Italy and Canada in every
# capitalised headline, so only these forms of a country's code are names.
_EXTRA = {
    "US": ["U.S.", "US", "USA", "U.S.A.", "United States", "United States of America",
           "America"],
    "GB": ["UK", "U.K.", "Britain", "Great Britain"],
    "AE": ["UAE", "U.A.E."], "CZ": ["Czech Republic"],
}
# Where pycountry's short name is not the one newsrooms write.
_SHOWN = {"RU": "Russia", "KR": "South Korea", "KP": "North Korea", "VN": "Vietnam",
          "LA": "Laos", "CD": "DR Congo", "IR": "Iran", "TW": "Taiwan", "VE": "Venezuela",
          "BO": "Bolivia"}
_HISTORIC = {"SUHH": ["USSR", "U.S.S.R.", "Soviet Union"],
             "DDDE": ["East Germany", "German Democratic Republic"],
             "CSHH": ["Czechoslovakia"], "YUCS": ["Yugoslavia"], "ZRCD": ["Zaire"],
             "BUMM": ["Burma"]}


@lru_cache(maxsize=1)
def countries() -> tuple[tuple[str, ...], ...]:
    """Each country's names, the first the one to show: ("Syria", "Syrian Arab Republic")."""
    import pycountry

    groups = []
    for country in pycountry.countries:
        names = [getattr(country, "common_name", ""), country.name.split(",")[0],
                 country.name, getattr(country, "official_name", "")]
        names = [_SHOWN.get(country.alpha_2, ""), *names, *_EXTRA.get(country.alpha_2, [])]
        groups.append(tuple(dict.fromkeys(n for n in names if n)))
    for country in pycountry.historic_countries:
        if names := _HISTORIC.get(getattr(country, "alpha_4", "")):
            groups.append(tuple(names))
    # A short name two countries share ("Korea", "Congo") names neither.
    shared = Counter(alias_key(n) for group in groups for n in set(map(alias_key, group)))
    return tuple(tuple(n for n in group if shared[alias_key(n)] == 1 or n == group[0])
                 for group in groups)


_PARTICLES = frozenset({"al", "el", "bin", "ibn", "abu"})


def surnames(name: str) -> list[str]:
    """"Bashar al-Assad" -> ["al-Assad", "Assad"]; "James Baker" -> ["Baker"]."""
    words = name.split()
    if len(words) < 2:
        return []
    last = words[-1]
    particle, _, rest = last.partition("-")
    return [last, rest] if rest and particle.lower() in _PARTICLES else [last]


class Gazetteer:
    """Keys to names: built from (name, kind, tag_id, aliases) rows, then countries."""

    def __init__(self, rows=()) -> None:
        self.names: dict[str, set[Known]] = {}
        self.tag_ids: dict[tuple[str, str], int] = {}  # (kind, key) -> the site's tag
        persons: dict[str, set[Known]] = {}
        for kind, name, tag_id, aliases in rows:
            known = Known(kind, name, tag_id)
            for alias in (name, *aliases):
                self._add(alias_key(alias), known)
                if tag_id:
                    self.tag_ids.setdefault((kind, alias_key(alias)), tag_id)
            if kind == "person":
                for surname in surnames(name):
                    persons.setdefault(alias_key(surname), set()).add(known)
        # A surname is a name only where one known person has it ("Baker", not "Bush"
        # when two Bushes are tags).
        for key, people in persons.items():
            if len({k.name for k in people}) == 1 and len(key) > 2:
                for known in people:
                    self._add(key, known)
        for group in countries():
            keys = [alias_key(n) for n in group]
            place = self._existing(keys) or Known("place", group[0])
            for key in keys:
                # A key that already names a place (a site's tag) keeps it.
                if not any(k.kind == "place" for k in self.names.get(key, ())):
                    self._add(key, place)

    def _existing(self, keys) -> Known | None:
        found = [k for key in keys for k in self.names.get(key, ()) if k.kind == "place"]
        return min(found, key=lambda k: (k.tag_id is None, k.name)) if found else None

    def _add(self, key: str, known: Known) -> None:
        if key:
            self.names.setdefault(key, set()).add(known)

    def get(self, key: str) -> set[Known]:
        return self.names.get(key, set())


_site_lock = threading.Lock()
_site_cache: dict = {"version": None, "rows": ()}


def site_rows() -> tuple:
    """The site's person, place and organisation tags with their aliases, read in one query
    and kept for the process until a tag or an alias is added or removed (the version is
    two aggregate queries, cheap where reading tens of thousands of tags is not)."""
    from django.db.models import Count, Max

    from dateline.newsroom.models import Tag

    from ..models import TagAlias

    tags = Tag.objects.filter(kind__in=KINDS)
    version = (tuple(tags.aggregate(n=Count("pk"), top=Max("pk")).values())
               + tuple(TagAlias.objects.aggregate(n=Count("pk"), top=Max("pk")).values()))
    with _site_lock:
        if _site_cache["version"] == version:
            return _site_cache["rows"]
    by_tag: dict[int, tuple] = {}
    for pk, name, kind, alias in tags.values_list("pk", "name", "kind", "aliases__name"):
        row = by_tag.setdefault(pk, (kind, name, pk, []))
        if alias:
            row[3].append(alias)
    rows = tuple(by_tag.values())
    with _site_lock:
        _site_cache.update(version=version, rows=rows)
    return rows

"""IPTC Media Topics for sections: a section's own code, its nearest ancestor's, or a default.

https://cv.iptc.org/newscodes/mediatopic/ is the vocabulary. The desk sets a code on a section
(`Section.medtop`); a section without one takes its nearest ancestor's, and a tree without any
takes the default of its root's slug below, so that the demo desks' sections, created by
`dateline import` after the migration that set theirs, still carry a topic.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when used: the table and the defaults need no app registry
    from dateline.newsroom.models import Section

SCHEME_URI = "http://cv.iptc.org/newscodes/mediatopic/"

# Root sections whose slug says their topic plainly; World or News cover many and stay unmapped.
DEFAULTS_BY_ROOT_SLUG = {
    "business": "04000000",
    "politics": "11000000",
    "sport": "15000000",
    "technology": "13000000",
    "entertainment": "01000000",
}

# The English names of the top-level topics, the ones sections are usually given.
LABELS = {
    "01000000": "arts, culture, entertainment and media",
    "02000000": "crime, law and justice",
    "03000000": "disaster, accident and emergency incident",
    "04000000": "economy, business and finance",
    "05000000": "education",
    "06000000": "environment",
    "07000000": "health",
    "08000000": "human interest",
    "09000000": "labour",
    "10000000": "lifestyle and leisure",
    "11000000": "politics",
    "12000000": "religion",
    "13000000": "science and technology",
    "14000000": "society",
    "15000000": "sport",
    "16000000": "conflict, war and peace",
    "17000000": "weather",
}


def uri(code: str) -> str:
    return SCHEME_URI + code


def codes_for(sections: Iterable["Section"]) -> dict[int, str]:
    """Section id → Media Topic code (absent when none applies), in one query."""
    sections = list({s.pk: s for s in sections}.values())
    own = own_codes({p for s in sections for p in s.ancestor_paths()})
    found = {section.pk: code_of(section.path, own) for section in sections}
    return {pk: code for pk, code in found.items() if code}


def own_codes(paths: Iterable[str]) -> dict[str, str]:
    """Section path → the code set on that section itself, for those of `paths` with one."""
    from dateline.newsroom.models import Section

    wanted = set(paths)
    if not wanted:
        return {}
    return dict(Section.objects.filter(path__in=wanted).exclude(medtop="")
                .values_list("path", "medtop"))


def code_of(path: str, own: dict[str, str]) -> str:
    """The code of the section at `path` (slugs, "business/commodities"): its own, its
    nearest ancestor's in `own`, else its root's default; "" when none applies."""
    parts = path.split("/")
    for depth in range(len(parts), 0, -1):
        if code := own.get("/".join(parts[:depth])):
            return code
    return DEFAULTS_BY_ROOT_SLUG.get(parts[0], "")

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
    from dateline.newsroom.models import Section

    sections = list({s.pk: s for s in sections}.values())
    wanted = {p for s in sections for p in s.ancestor_paths()}
    own = dict(
        Section.objects.filter(path__in=wanted).exclude(medtop="").values_list("path", "medtop")
    ) if wanted else {}
    found = {}
    for section in sections:
        paths = section.ancestor_paths()
        code = next((own[p] for p in reversed(paths) if p in own), None)
        code = code or DEFAULTS_BY_ROOT_SLUG.get(paths[0])
        if code:
            found[section.pk] = code
    return found

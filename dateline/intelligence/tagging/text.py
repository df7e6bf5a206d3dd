"""The words of a story a tagger looks at: runs of capitalised words and their n-grams.

A name is a run of capitalised words ("International Monetary Fund", "Bank of Japan",
"U.S."), cut at punctuation; every n-gram of a run (up to MAX_WORDS) is a *form* the tagger
may know, keyed by `alias_key` so "U.S." and "US" are one form. Where a form was found
(headline, lead paragraph) and how often are kept, because an entity named in the headline or
the lead is more likely to be one of the story's tags.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..base import Story
from ..models import alias_key

MAX_WORDS = 4
# Lower-case words that may stand inside a name: "Bank of Japan", "Charles de Gaulle".
CONNECTORS = frozenset({"of", "the", "and", "for", "de", "del", "da", "du", "la", "le",
                        "von", "van", "der", "al", "bin", "&"})
_SEGMENTS = re.compile(r"[,;:()\[\]\"!?\u201c\u201d]+|\.\s|\s[-\u2013\u2014]\s|\n")
_TOKEN = re.compile(r"[^\W_][\w&'\u2019.-]*")
_POSSESSIVE = re.compile(r"['\u2019]s?$")
_PARTICLE = re.compile(r"[a-z]{1,3}-[A-Z]")  # "al-Assad", "el-Sisi", "de-Gaulle"
# "TOKYO, March 3 - " or "SALVADOR, Feb 26 - ": the wire dateline, where a body starts so.
_DATELINE = re.compile(r"\s*([A-Z][A-Z .'-]{1,40}),\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2}\s+[-\u2013]")


@dataclass
class Form:
    """A form found in a story: how often, and whether in the headline or the lead."""

    text: str  # the words as first written, for the evidence
    count: int = 0
    headline: bool = False
    lead: bool = False
    capitals: bool = False  # written in capitals at least once ("US", not "Us")
    first: int = 0  # where first found: 0 the headline, 1 the lead, 2 the next paragraph...


@dataclass
class Forms:
    found: dict[str, Form] = field(default_factory=dict)
    dateline: str = ""  # alias_key of the dateline's place, if the body starts with one

    def add(self, key: str, text: str, where: str, paragraph: int) -> None:
        form = self.found.get(key)
        if form is None:
            form = self.found[key] = Form(text, first=paragraph)
        form.count += 1
        form.headline |= where == "headline"
        form.lead |= where == "lead"
        form.capitals |= text.replace(".", "").replace(" ", "").isupper()


def _clean(token: str) -> str:
    if "'" in token or "\u2019" in token:
        token = _POSSESSIVE.sub("", token)
    # A sentence's full stop stays on "Japan." but "U.S." keeps its dots.
    return token[:-1] if token.endswith(".") and token.count(".") == 1 else token


def _runs(text: str):
    for segment in _SEGMENTS.split(text):
        run: list[str] = []
        for raw in _TOKEN.findall(segment):
            # Most words are lower-case and end a run: decided before any other work.
            if (raw[0].isupper() or (run and raw in CONNECTORS) or (
                    "-" in raw and _PARTICLE.match(raw))) and (token := _clean(raw)):
                run.append(token)
                continue
            if run:
                yield run
            run = []
        if run:
            yield run


def _ngrams(run: list[str]):
    for start in range(len(run)):
        if run[start].lower() in CONNECTORS:
            continue
        for end in range(start + 1, min(start + MAX_WORDS, len(run)) + 1):
            if run[end - 1].lower() not in CONNECTORS:
                yield " ".join(run[start:end])


@lru_cache(maxsize=65536)
def _key(gram: str) -> str:
    return alias_key(gram)  # the same names recur from story to story


def forms_of(story: Story) -> Forms:
    forms = Forms()
    paragraphs = [p for p in story.body.split("\n\n") if p.strip()]
    if paragraphs and (dateline := _DATELINE.match(paragraphs[0])):
        forms.dateline = alias_key(dateline.group(1))
    parts = [(story.headline, "headline")] + [
        (p, "lead" if i == 0 else "body") for i, p in enumerate(paragraphs)]
    for paragraph, (text, where) in enumerate(parts):
        for run in _runs(text):
            for gram in _ngrams(run):
                if key := _key(gram):
                    forms.add(key, gram, where, paragraph)
    return forms

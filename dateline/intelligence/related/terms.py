"""The words a story is found by: its rarest, most repeated ones, weighted TF-IDF.

What a word weighs depends on how many stories use it (its document frequency). The ranker
learns those counts from examples (`train`), or, untrained, from the newest stories of the
site itself, read once per process and kept for an hour: a few thousand stories tell
"said" from "Bundesbank" as well as the whole archive does.
"""

import math
import re
from collections import Counter

_WORD = re.compile(r"[^\W\d_][^\W_]*")
# Words every story uses; kept out of the query whatever their counts say, so that a story's
# few query words are all about its subject even when the counts come from a small sample.
_STOPWORDS = """
a about above after again against all almost also although am among an and another any are
around as at be because been before being below between both but by can could did do does
doing down during each either else even ever every few for from further get gets got had has
have having he her here hers herself him himself his how however i if in into is it its itself
just last least less like made make many may me might more most much must my myself near
neither never new next no nor not now of off often on once one only or other others our ours
ourselves out over own per rather said same says she should since so some still such than
that the their theirs them themselves then there these they this those though three through
thus to too two under until up upon us very was we were what when where whether which while
who whom whose why will with within without would year years yesterday yet you your yours
yourself today week month told say tell including mr mrs ms time way well back
"""
STOPWORDS = frozenset(_STOPWORDS.split())
HEADLINE_WEIGHT = 3  # a headline's word counts as three of the body's
FEW = 50  # stories: counts from fewer weigh every word alike
SHORT_LIST = 20  # stories: a word used by no more is cheap to look for, however common


def words(text: str) -> list[str]:
    """Lower-case words of three letters or more, no stopwords, no numbers."""
    return [w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in STOPWORDS]


def story_terms(headline: str, body: str) -> Counter:
    counts = Counter(_WORD.findall(body.lower()))
    for word in _WORD.findall(headline.lower()):
        counts[word] += HEADLINE_WEIGHT
    # Filtered once per distinct word, not per occurrence: this runs for every candidate.
    return Counter({w: n for w, n in counts.items() if len(w) > 2 and w not in STOPWORDS})


class DocumentFrequencies:
    """How many of `documents` stories use each word; unseen words count as the rarest."""

    def __init__(self, documents: int = 0, df: dict[str, int] | None = None) -> None:
        self.documents = documents
        self.df = df or {}
        self._idf: dict[str, float] = {}

    @classmethod
    def of(cls, texts) -> "DocumentFrequencies":
        df: Counter = Counter()
        documents = 0
        for text in texts:
            documents += 1
            df.update(set(words(text)))
        # Words of a single story say nothing about others: left out, they weigh as unseen.
        return cls(documents, {w: n for w, n in df.items() if n > 1})

    def idf(self, word: str) -> float:
        if self.documents < FEW:  # a handful of stories tell nothing of a word's rarity
            return 1.0
        found = self._idf.get(word)
        if found is None:
            found = math.log((self.documents + 1) / (self.df.get(word, 0) + 1)) + 1.0
            if len(self._idf) < 500_000:  # bounded: unseen words are endless
                self._idf[word] = found
        return found

    def weights(self, counts: Counter) -> dict[str, float]:
        """Each word's weight in a story: (1 + log tf) * idf."""
        return {word: (1.0 + math.log(tf)) * self.idf(word) for word, tf in counts.items()}

    def query_terms(self, weights: dict[str, float], n: int, max_share: float) -> list[str]:
        """The story's n heaviest words used by at most `max_share` of the stories: a word
        used by many costs a long list to read and finds little. A story with fewer such
        words is looked for by its rarest others too, up to half of n. On a small site every
        list is short, and every word may be used."""
        ranked = sorted(weights, key=lambda word: (-weights[word], word))
        most = max(max_share * self.documents, SHORT_LIST)
        rare = [word for word in ranked if self.df.get(word, 0) <= most][:n]
        if len(rare) < n // 2:
            rest = sorted((w for w in ranked if w not in rare), key=lambda w: self.df.get(w, 0))
            rare += rest[:n // 2 - len(rare)]
        return rare


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(weight * b.get(word, 0.0) for word, weight in a.items())
    norm = math.sqrt(sum(w * w for w in a.values()) * sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0

"""What an item's text is reduced to before it is compared: word shingles with their MinHash,
the words that say what it is about, and its named entities.

The entity extractor is deliberately simple (no model to download): runs of capitalised words
("Caisse Centrale Desjardins", "New York"), a leading stop word dropped ("The Philippines" ->
"Philippines"), and numbers with their unit ("328 billion", "4-3/4 pct"), which tell two
stories of one event apart from two of the same kind. Places are capitalised words like any
other name. Headlines written in capitals, as wires do, give words but no entities.
"""

import re
import struct
from collections import Counter
from dataclasses import dataclass

from datasketch import LeanMinHash, MinHash

NUM_PERM = 128  # 1 KB per signature; the estimate's error is about 1/sqrt(128) = 0.09
SHINGLE = 3  # words per shingle: a rewrite keeps most 3-word runs, another story few
SEED = 1
# Pinned: stored signatures are only comparable with ones made by the same hashing scheme.
SCHEME = "affine32"

WORD = re.compile(r"[^\W_]+(?:[-'\u2019./][^\W_]+)*")  # \u2019: a typographic apostrophe
# The spaces between words taken whole (\s++, \s*+): read as "\s+ (of)? \s*", a long run of
# spaces after a capitalised word could be split in every way, the time growing with the
# square of its length (8,000 spaces 0.19 s, an outlet's 200 KB body minutes of the worker).
CAPITALISED = re.compile(r"\b[A-Z][\w&'\u2019.-]*(?:\s++(?:(?:of|de|du|des|la|le|van|von|der|and"
                         r"|&)\s*+)?[A-Z][\w&'\u2019.-]*)*")
NUMBER = re.compile(r"\b\d[\d,./-]*(?:\s+(?:mln|million|billion|bln|pct|percent|per cent|"
                    r"dlrs|dollars|yen|marks|francs|pounds|tonnes|barrels|cts|shares))?")
# Capitalised because they open a sentence, not because they name something.
STOP = frozenset({"a", "an", "and", "as", "at", "but", "by", "for", "from", "he", "her", "his",
    "i", "in", "is", "it", "its", "of", "on", "or", "our", "she", "that", "the", "their", "there",
    "these", "they", "this", "those", "to", "was", "we", "were", "what", "when", "which", "who",
    "will", "with", "said", "says", "mr", "mrs", "ms", "dr", "reuter", "reuters", "shr", "net",
    "revs", "rev", "qtr", "avg", "shrs"})
# Words too common to tell stories apart (kept out of the topic words, not the shingles).
COMMON = STOP | frozenset({"also", "after", "about", "again", "all", "am", "are", "be",
    "been", "before", "being", "both", "could", "did", "do", "does", "had", "has", "have", "if",
    "into", "more", "most", "new", "no", "not", "now", "one", "only", "other", "over", "said",
    "says", "so", "some", "such", "than", "then", "two", "up", "very", "would", "year", "years",
    "last", "first", "mln", "dlrs", "pct", "vs", "cts"})


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    tokens = words(text)
    if len(tokens) < size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i:i + size]) for i in range(len(tokens) - size + 1)}


# Made once: datasketch would otherwise draw the same permutations for every item.
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def minhash(text: str) -> LeanMinHash:
    sketch = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, permutations=_PERMUTATIONS)
    sketch.update_batch([s.encode("utf-8") for s in shingles(text)])
    return LeanMinHash(sketch)


def signature_bytes(sketch: LeanMinHash) -> bytes:
    """What Item.signature stores: the hash values, little-endian uint64."""
    return sketch.hashvalues.astype("<u8").tobytes()


def from_signature(data: bytes) -> LeanMinHash:
    values = struct.unpack(f"<{len(data) // 8}Q", bytes(data))
    return LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME)


def entities(text: str) -> set[str]:
    """Names and numbers in running text, lower-cased ("caisse centrale desjardins")."""
    found = set()
    for match in CAPITALISED.finditer(text):
        parts = match.group(0).split()
        while parts and parts[0].lower().strip(".") in STOP:
            parts.pop(0)
        name = " ".join(parts).strip(".-'\u2019").lower()
        if len(name) > 1 and name not in STOP and not name.isupper():
            found.add(name)
    for match in NUMBER.finditer(text):
        number = match.group(0).strip(".,-/").lower()
        # A lone year or small count says little: keep numbers with a unit or several digits.
        if " " in number or len(re.sub(r"\D", "", number)) >= 3:
            found.add(number)
    return found


def topic_words(text: str) -> Counter:
    return Counter(w for w in words(text) if w not in COMMON and len(w) > 2 and not w.isdigit())


@dataclass
class Features:
    """One item's text, as the clustering compares it."""

    sketch: LeanMinHash
    terms: Counter  # topic words of headline (counted twice) and body, and entities (thrice)


def features(headline: str, body: str, sketch: LeanMinHash | None = None) -> Features:
    """`sketch`: the stored signature, when the item was signed before (saves the hashing)."""
    text = f"{headline}\n{body}"
    terms = topic_words(body)
    terms.update({w: 2 for w in topic_words(headline)})
    # Entities come from the body: a wire's headline in capitals would make every word a name.
    head = "" if headline.isupper() else headline
    terms.update({f"@{e}": 3 for e in sorted(entities(f"{head}\n{body}"))})
    return Features(sketch=sketch if sketch is not None else minhash(text), terms=terms)

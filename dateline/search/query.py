"""Parse what readers type (words, "phrases", prefix*, OR, -exclusion) into a safe tree.

Only runs of letters and digits survive as terms, so nothing a reader types can reach a
backend's query language as an operator; each backend spells the tree in its own syntax.

The tree is also bounded, because what a search costs grows with it: every word is one more
list of articles to read (an OR chain or an exclusion as much as any other), and a prefix
reads the lists of every word it begins (`a*` all the words of the archive). Past a limit the
rest is left out and `notes` says what was, so the reader sees the search that ran.
"""

import re
import unicodedata
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 300
# Words searched, counting each word of a phrase, alternatives and exclusions alike.
MAX_WORDS = 10
MAX_PREFIXES = 3
# Letters before a `*`: shorter prefixes are searched as whole words.
MIN_PREFIX_LETTERS = 3
# A minus before a phrase leaves it out as before a word: -"japan trade" was read as the
# phrase itself, the opposite of what was asked.
_TOKEN = re.compile(r'(?P<phrase_neg>-)?"(?P<phrase>[^"]*)"?|(?P<neg>-)?(?P<word>[^\s"]+)')
_WORD = re.compile(r"[^\W_]+")
# "Kennedy's" is Kennedy: read as the phrase "kennedy s" it found only the possessives (4
# stories of the 61 naming him). Straight, curly and modifier apostrophes.
_POSSESSIVE = re.compile(r"(?<=[^\W_])['\u2019\u02bc]s\b", re.IGNORECASE)


@dataclass(frozen=True)
class Term:
    """One word, or a phrase of several, optionally a prefix (its last word)."""

    words: tuple[str, ...]
    prefix: bool = False

    def __str__(self) -> str:
        text = " ".join(self.words) + ("*" if self.prefix else "")
        return f'"{text}"' if len(self.words) > 1 else text


@dataclass
class ParsedQuery:
    # Every group must match (AND); a group matches when any of its terms does (OR).
    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    # What the limits left out or changed, one sentence each, for the reader.
    notes: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.groups)

    def __str__(self) -> str:
        """The search that runs, in the syntax readers type: the same for equal searches."""
        parts = [" OR ".join(map(str, group)) for group in self.groups]
        return " ".join(parts + [f"-{term}" for term in self.excluded])


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _WORD.findall(text))


class _Budget:
    """Count words and prefixes against the limits; remember what was cut, once each."""

    def __init__(self, parsed: ParsedQuery) -> None:
        self.parsed = parsed
        self.words = self.prefixes = 0
        self.short_prefixes: list[str] = []

    def admit(self, words: tuple[str, ...], prefix: bool) -> Term | None:
        room = MAX_WORDS - self.words
        if len(words) > room:
            self.note(f"Searched for the first {MAX_WORDS} words only; "
                      "leave out words to search for others.")
            if room < 1:
                return None
            words, prefix = words[:room], False
        if prefix and len(words[-1]) < MIN_PREFIX_LETTERS:
            self.short_prefixes.append(words[-1] + "*")
            prefix = False
        elif prefix and self.prefixes >= MAX_PREFIXES:
            self.note(f"Only the first {MAX_PREFIXES} words ending in * were searched as "
                      "beginnings of words; the others as whole words.")
            prefix = False
        self.words += len(words)
        self.prefixes += prefix
        return Term(words, prefix)

    def note(self, sentence: str) -> None:
        if sentence not in self.parsed.notes:
            self.parsed.notes.append(sentence)

    def close(self) -> None:
        if self.parsed.excluded and not self.parsed.groups:
            # "0 results… try other spellings" did not say why nothing could match.
            self.note(f"Words with a minus only leave stories out: add a word to look for, "
                      f"as in “trade -{self.parsed.excluded[0]}”.")
        if self.short_prefixes:
            self.note(f"A * needs at least {MIN_PREFIX_LETTERS} letters before it: "
                      f"{', '.join(self.short_prefixes[:5])} searched as whole words.")


# What shows nothing inside a word: a soft hyphen (pasted from Word, or wire copy's hyphenation),
# a zero-width space, a word joiner, a byte-order mark. The index and the reader's query both
# read the word without them, as the reader sees it: "Zyx\u00adquorp" was found by "Zyx" alone.
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")


def without_invisible(text: str) -> str:
    return _INVISIBLE.sub("", text or "")


def parse(text: str) -> ParsedQuery:
    """Turn the reader's string into bounded groups of terms; anything unparseable is dropped."""
    parsed = ParsedQuery()
    budget = _Budget(parsed)
    # Compatibility forms read as the letters they stand for: "OIL" in full-width letters
    # (U+FF2F...), as CJK keyboards type Latin, found nothing where "OIL" finds a thousand.
    text = without_invisible(unicodedata.normalize("NFKC", text))
    if len(text) > MAX_QUERY_CHARS:
        budget.note(f"Only the first {MAX_QUERY_CHARS} characters were read.")
        text = text[:MAX_QUERY_CHARS]
    want_or = False
    for match in _TOKEN.finditer(text):
        if match.group("phrase") is not None:
            words, prefix = _words(match.group("phrase")), False
            negated = bool(match.group("phrase_neg"))
        else:
            raw = match.group("word")
            if raw == "OR":
                want_or = bool(parsed.groups)
                continue
            # A phrase keeps its "s": the index reads "Kennedy's visit" as kennedy s visit.
            words = _words(_POSSESSIVE.sub("", raw))
            negated, prefix = bool(match.group("neg")), raw.endswith("*")
        if not words:
            continue
        if len(words) > 1 and match.group("phrase") is None:
            # "headline:foo" or "U.S." reads as the words it holds, in order.
            prefix = False
        term = budget.admit(words, prefix)
        if term is None:
            break
        if negated:
            parsed.excluded.append(term)
        elif want_or:
            parsed.groups[-1].append(term)
        else:
            parsed.groups.append([term])
        want_or = False
    budget.close()
    return parsed

"""Parse what readers type (words, "phrases", prefix*, OR, -exclusion) into a safe tree.

Only runs of letters and digits survive as terms, so nothing a reader types can reach a
backend's query language as an operator; each backend spells the tree in its own syntax.
"""

import re
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 1000
MAX_TERMS = 32
_TOKEN = re.compile(r'"(?P<phrase>[^"]*)"?|(?P<neg>-)?(?P<word>[^\s"]+)')
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    """One word, or a phrase of several, optionally a prefix (its last word)."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass
class ParsedQuery:
    # Every group must match (AND); a group matches when any of its terms does (OR).
    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.groups)


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in _WORD.findall(text))


def parse(text: str) -> ParsedQuery:
    """Turn the reader's string into groups of terms; anything unparseable is dropped."""
    parsed = ParsedQuery()
    text = text[:MAX_QUERY_CHARS]
    want_or = False
    count = 0
    for match in _TOKEN.finditer(text):
        if count >= MAX_TERMS:
            break
        if match.group("phrase") is not None:
            words, negated, prefix = _words(match.group("phrase")), False, False
        else:
            raw = match.group("word")
            if raw == "OR":
                want_or = bool(parsed.groups)
                continue
            words, negated, prefix = _words(raw), bool(match.group("neg")), raw.endswith("*")
        if not words:
            continue
        if len(words) > 1 and match.group("phrase") is None:
            # "headline:foo" or "U.S." reads as the words it holds, in order.
            prefix = False
        count += 1
        term = Term(words, prefix)
        if negated:
            parsed.excluded.append(term)
        elif want_or:
            parsed.groups[-1].append(term)
        else:
            parsed.groups.append([term])
        want_or = False
    return parsed

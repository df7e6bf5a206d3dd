"""Set wire headlines sent in capitals ("KUMAGAI GUMI'S UNIT SEEKS LISTING") in house style.

Which words keep their capitals is learned from the archive's own mixed-case bodies rather
than from a hand list alone: a word's house form is the way the bodies write it in the middle
of a sentence. Bodies write `OPEC`, `GATT` and `IMF` in capitals, `Japan` and `Baker` with one,
`mln` and `unit` in lower case, so the corpus knows thousands of acronyms and names no hand
list would hold, including this year's company names. Pairs written capitalised together
(`New Jersey`, `Bear Stearns`) capitalise both words where each alone is usually lower case,
and the story's own body speaks first: it names the company the headline is about. The
profile's `forms` fix what a corpus cannot know (Reuters writes `qtr` only in headlines).

Tickers (`<KUMT.TOK>`), dotted abbreviations (`U.S.`, `H.J.`), single letters (`G-7`,
`R and D`) and unknown short words without a vowel (`GDP`) keep their capitals.
"""

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .lines import bounded_lines

CASES = ("sentence", "title")
# A word, possibly with inner apostrophes or dots ("SHAW'S", "U.S.", "2.53"); hyphens and
# slashes separate words ("BELOW-MARKET", "ROHM/HAAS"), so each part is cased on its own.
WORD = re.compile(r"[^\W_]+(?:['.][^\W_]+)*\.?")
TICKER = re.compile(r"<[^<>]*>")
DOTTED = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]?\.?")
ORDINAL = re.compile(r"\d+(?:ST|ND|RD|TH)", re.IGNORECASE)
VOWELS = set("AEIOUY")
LOWER, UPPER = re.compile(r"[a-z]"), re.compile(r"[A-Z]")
# What ends a body sentence (or opens a quote): the next word is capitalised by grammar.
SENTENCE_END = frozenset(".!?:;\"([")
# Words title case leaves in lower case unless they open the headline.
SMALL_WORDS = frozenset({
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of", "on",
    "or", "per", "the", "to", "via", "vs", "with",
})
# A capitalised pair in other stories counts from this many sightings: one could be a
# sentence start the splitter missed, or a title.
CORPUS_PAIR_MIN = 2
# ...and must be at least a tenth as common as the word in lower case, so that a rare "This
# Week" (a programme's name) does not capitalise every "this week".
CORPUS_PAIR_RATIO = 10
# Suffixes that end a company's name, and the words a name may keep in lower case.
COMPANY = frozenset({"CORP", "CO", "COS", "INC", "LTD", "PLC", "CORPORATION", "BANCORP"})
NAME_JOINERS = frozenset({"and", "of", "the", "de"})
MAX_NAME = 6
# How much more one sighting in the story's own body counts than one in another story.
STORY_WEIGHT = 20


@dataclass
class WordForms:
    """How bodies write each word mid-sentence, and which neighbouring words they capitalise."""

    words: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    # "NEW JERSEY" -> times the bodies wrote "Jersey" capitalised after a capitalised "New"
    # (which may open the sentence), and times they wrote "New" capitalised mid-sentence
    # before a capitalised "Jersey".
    right_of: Counter = field(default_factory=Counter)
    left_of: Counter = field(default_factory=Counter)

    def read(self, text: str) -> "WordForms":
        for line in text.splitlines():
            if len(LOWER.findall(line)) < len(UPPER.findall(line)):
                continue  # a table or a line in capitals says nothing about case
            previous, previous_starts = None, True
            for match in WORD.finditer(line):
                word = _core(match.group())[0]
                if not word[0].isalpha():
                    previous = None
                    continue
                starts = not previous or _opens_sentence(line, match.start())
                # Grammar capitalises a sentence's first letter, never its others ("IBM").
                if not starts or word[1:] != word[1:].lower():
                    self.words[word.upper()][word] += 1
                if not starts and previous[0].isupper() and word[0].isupper():
                    pair = f"{previous.upper()} {word.upper()}"
                    self.right_of[pair] += 1
                    if not previous_starts:
                        self.left_of[pair] += 1
                previous, previous_starts = word, starts
        return self

    def counts(self, upper: str) -> Counter:
        return self.words.get(upper) or Counter()

    def capitalised_with(self, upper: str, left: str | None, right: str | None) -> int:
        """Times bodies wrote this word capitalised next to a capitalised neighbour."""
        return (self.right_of[f"{left} {upper}"] if left else 0) + (
            self.left_of[f"{upper} {right}"] if right else 0)


def learn_from_file(path: str | Path) -> WordForms:
    """The word forms of every record's body in a JSON Lines archive; bad lines are skipped."""
    forms = WordForms()
    with Path(path).open("rb") as stream:
        for raw, _ in bounded_lines(stream):
            if raw is None:
                continue  # too long to be a record: the import proper refuses it
            try:
                record = json.loads(raw)
            except (ValueError, RecursionError):  # nested past the parser's stack
                continue  # the import proper reports the line
            if isinstance(record, dict):
                forms.read(_body_text(record))
    return forms


def _body_text(record: dict) -> str:
    body = record.get("body_html") or record.get("body")
    if not isinstance(body, str):
        return ""
    return re.sub(r"<[^>]*>", "\n", body) if record.get("body_html") else body


def is_all_capitals(headline: str) -> bool:
    """Whether the headline has letters and none in lower case outside tickers."""
    text = TICKER.sub("", headline)
    return any(c.isalpha() for c in text) and not any(c.islower() for c in text)


@dataclass
class HeadlineStyle:
    """Recase all-capital headlines in `case`, knowing the corpus's and the profile's forms."""

    case: str
    corpus: WordForms
    # Upper-case word -> house form, from the profile ("QTR" -> "qtr").
    forms: dict[str, str] = field(default_factory=dict)

    def apply(self, headline: str, body: str = "") -> str:
        """The headline in house style; one not all in capitals is the desk's own, and kept."""
        if not is_all_capitals(headline):
            return headline
        story = WordForms().read(body)
        words = _words(headline)
        cased = _name_the_company([self._case(words, i, story) for i in range(len(words))])
        out, end = [], 0
        for (start, stop, _), new in zip(words, cased, strict=True):
            out.append(headline[end:start] + new)
            end = stop
        out.append(headline[end:])
        return _capitalise_first("".join(out))

    def _case(self, words: list, i: int, story: WordForms) -> str:
        word, possessive = _core(words[i][2])
        if possessive:
            return self._case_word(word, words, i, story) + "'s"
        return self._case_word(word, words, i, story)

    def _case_word(self, word: str, words: list, i: int, story: WordForms) -> str:
        upper = word.upper()
        if upper in self.forms:
            return self.forms[upper]
        if not word[0].isalpha() or DOTTED.fullmatch(word) or len(word) == 1:
            return word.lower() if ORDINAL.fullmatch(word) else word
        left = _core(words[i - 1][2])[0].upper() if i else None
        right = _core(words[i + 1][2])[0].upper() if i + 1 < len(words) else None
        # The story's own body outweighs the rest of the corpus: it names the headline's firm.
        seen = self.corpus.counts(upper) + Counter(
            {form: n * STORY_WEIGHT for form, n in story.counts(upper).items()})
        if story.capitalised_with(upper, left, right) or self._corpus_pair(upper, left, right):
            form = next((f for f, _ in seen.most_common() if f[0].isupper()), upper.capitalize())
        elif seen:
            form = seen.most_common(1)[0][0]
        elif len(upper) <= 5 and not VOWELS & set(upper):
            form = upper  # GDP, CMO: an unknown short word without a vowel is an acronym
        else:
            form = upper.lower()
        if self.case == "title" and form.islower() and (i == 0 or form not in SMALL_WORDS):
            form = form[0].upper() + form[1:]
        return form

    def _corpus_pair(self, upper: str, left: str | None, right: str | None) -> bool:
        """Whether other stories capitalise this pair often enough to outweigh the lone word."""
        together = self.corpus.capitalised_with(upper, left, right)
        lowered = self.corpus.counts(upper)[upper.lower()]
        return together >= CORPUS_PAIR_MIN and together * CORPUS_PAIR_RATIO >= lowered


def _name_the_company(cased: list[str]) -> list[str]:
    """Capitalise a company's name that opens the headline ("SWIFT INDEPENDENT PACKING CO").

    Earnings headlines open with the firm's name and suffix; its body may never name it, and
    its words alone ("independent") are lower case in the corpus.
    """
    end = next((i for i, w in enumerate(cased[:MAX_NAME + 1]) if w.upper() in COMPANY), None)
    if not end:
        return cased
    return [w[0].upper() + w[1:] if i < end and w not in NAME_JOINERS else w
            for i, w in enumerate(cased)]


def _words(headline: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of every word outside tickers; a name in brackets counts as words."""
    words = []
    for match in WORD.finditer(headline):
        inside = _ticker_around(headline, match.start())
        if inside is not None and " " not in inside:
            continue  # <KUMT.TOK>: a code, kept as sent
        words.append((match.start(), match.end(), match.group()))
    return words


def _opens_sentence(line: str, position: int) -> bool:
    before = line[:position].rstrip()[-1:]
    return not before or before in SENTENCE_END


def _core(word: str) -> tuple[str, bool]:
    """The word without a possessive "'s", and whether it had one."""
    if len(word) > 2 and word[-2:].upper() == "'S":
        return word[:-2], True
    return word, False


def _ticker_around(headline: str, position: int) -> str | None:
    for ticker in TICKER.finditer(headline):
        if ticker.start() < position < ticker.end():
            return ticker.group()
    return None


def _capitalise_first(text: str) -> str:
    match = re.search(r"[A-Za-z]", text)
    if not match or text[match.start()].isupper():
        return text
    return text[:match.start()] + text[match.start()].upper() + text[match.start() + 1:]


def forms_from(words: Iterable[str]) -> dict[str, str]:
    """The profile's list of house forms ("qtr", "Corp") keyed by their capitals."""
    return {w.upper(): w for w in words}

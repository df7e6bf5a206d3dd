"""Split news copy into sentences, and tidy wire copy's lead before it is summarised.

A full stop ends a sentence unless the word before it says otherwise: titles ("Mr."),
months before a day ("Jan. 5"), initials ("L.K. Evans"), dotted abbreviations ("U.S.") and
company suffixes ("Inc.") carry dots that do not. Decimals ("4.5 pct") never split, since a
boundary needs white space after the mark. Reuters copy capitalises the word after "U.S."
("in the U.S. And Canada"), so after a dotted abbreviation only a word that usually opens a
sentence ("The", "It") starts a new one.
"""

# ruff: noqa: RUF001 - typographic quotes and dashes are what the patterns look for

import re

# A sentence mark, any closing quotes or brackets after it, then white space. Each run of
# marks is read once, from its start: tried from every dot of "……" (64 KB of them), the
# search took time growing with the square (33 s a brief).
_END = re.compile(r"(?<![.!?…])(?>[.!?…]+)(?>[\"'”’)\]]*)(?=\s)")
_DOTTED = re.compile(r"(?:[A-Za-z]\.){2,}$")
_INITIAL = re.compile(r"(?:^|[\s(\"“])[A-Z]\.$")
_NEXT_WORD = re.compile(r"\s*[\"“'‘(]*([\w’'-]*)")
# Enough of a word's end for _DOTTED ("U.S.", "L.K."): it reads only the end.
_DOTTED_REACH = 40
# Words whose dot is never a sentence end when a word follows.
_TITLES = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "st", "sen", "rep", "gov", "gen", "col", "lt", "sgt",
    "capt", "cmdr", "adm", "maj", "rev", "hon", "pres", "messrs", "no", "nos", "vs", "v",
    "approx", "dept", "fig", "mt", "ft", "e.g", "i.e", "cf", "al", "ca",
})
_MONTHS = frozenset({"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
                     "nov", "dec"})
# A dot after these ends the sentence only before a word that usually opens one.
_SUFFIXES = frozenset({"inc", "corp", "co", "ltd", "plc", "bros", "jr", "sr", "cos"})
SENTENCE_OPENERS = frozenset({
    "the", "a", "an", "it", "its", "he", "she", "they", "we", "i", "this", "that", "these",
    "those", "there", "in", "on", "at", "for", "but", "however", "meanwhile", "last", "earlier",
    "analysts", "officials", "shares", "his", "her", "their", "our", "some", "one", "two",
    "under", "after", "before", "since", "while", "if", "when", "as", "by", "according",
})

# "TOKYO, March 3 - ", "LONDON (Reuters) - ", "WASHINGTON, Feb 26 -- ": the story's dateline,
# which belongs to the story page; a brief reads better without it.
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’ -]{1,40}(?:,\s*[A-Z][A-Za-z.]*\.?\s+\d{1,2})?(?:\s*\([^)]{1,30}\))?"
    r"\s*(?:-{1,2}|–|—)\s+")
_BYLINE = re.compile(r"^(?:By|BY)\s+[A-Z][\w.'’ -]{1,60}$")
# Reuters marks tickers ("<BHAM.L>", "<PHAB ST>") and unlisted firms' names ("<Underwoods
# Plc>") with angle brackets: tickers go, names stay without their brackets. A mark starts
# with a capital or a digit; other brackets are the story's own text ("the <b> tag", a
# "</script>" in a story about a web attack) and stay as written.
# Both start a match only where white space starts (or with none): begun inside a long run of
# it, they each read to its end again.
_BRACKETED = re.compile(r"(?<!\s)(\s*)<([A-Z0-9][^<>]{0,59})>")
_SIGN_OFF = re.compile(r"(?<!\s)\s*\bREUTER\s*$")
DOUBLE_QUOTES = "\"“”„«»"
# How a list item of a stored story starts in the plain text the parts read
# (intelligence.text.story_of): no sentence of the lead.
LIST_ITEM = "• "


def paragraphs(body: str) -> list[str]:
    """The body's paragraphs, single-spaced, without tickers and the wire's sign-off."""
    found = []
    for block in re.split(r"\n\s*\n", body.replace("\r\n", "\n")):
        text = " ".join(_SIGN_OFF.sub("", untick(block)).split())
        if text:
            found.append(text)
    return found


def untick(text: str, capitals: bool = False) -> str:
    """The text without tickers; `capitals`: a headline in capitals, where a bracketed name
    with a space ("<CINRAM LTD>") is a firm's name, not a ticker."""
    def keep(m: re.Match) -> str:
        name = m.group(2)
        named = any(c.islower() for c in name) or (capitals and " " in name)
        return m.group(1) + name if named else ""
    return _BRACKETED.sub(keep, text)


def strip_dateline(text: str) -> str:
    match = _DATELINE.match(text)
    return text[match.end():] if match and match.end() < len(text) else text


def is_byline(text: str) -> bool:
    return bool(_BYLINE.match(text))


def is_table(text: str) -> bool:
    """Whether a paragraph is figures rather than prose ("Shr 1.23 dlrs vs 1.10 dlrs Net ...")."""
    words = text.split()
    if not words:
        return False
    figures = sum(1 for w in words if any(c.isdigit() for c in w) or w in {"vs", "--", "-"})
    if len(words) <= 15 and " vs " in f" {text} ":
        return True  # "Qtly div five cts vs N.A."
    if figures and len(words) <= 15 and not re.search(r"[.!?][\"”’')]*$", text):
        return True  # "Shr 71 cts vs 43 cts", "Pay March 31": a line, not a sentence
    if not re.search(r"[.!?][\"”’')]*$", text) and figures / len(words) > 0.2:
        return True  # a price list run into one line: "44 PCT SOYBEAN MEAL 156.70-160.70 ..."
    return len(words) >= 6 and figures / len(words) > 0.4


def split(text: str) -> list[str]:
    """The sentences of one paragraph, each with its own end mark."""
    sentences, start = [], 0
    for match in _END.finditer(text):
        if _is_boundary(text, match):
            sentences.append(text[start:match.end()].strip())
            start = match.end()
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def _is_boundary(text: str, match: re.Match) -> bool:
    # Read in place: copying the text before or after each mark made a long paragraph's
    # sentences cost the square of its length ("A. A. A. …": 9.6 s a brief at 64 KB).
    next_word = _NEXT_WORD.match(text, match.end()).group(1)
    if not next_word or next_word[0].islower():
        return False  # '"Why?" he asked.', "e.g. the", "approx. five"
    mark = match.group()
    if not mark.startswith(".") or len(mark.rstrip("\"'”’)]")) > 1:
        return True  # "!", "?", or an ellipsis before a capital
    end = match.start() + 1
    word = text[_word_start(text, end):end].lstrip("\"“'‘(").lower()
    bare = word[:-1]
    if bare in _TITLES or _INITIAL.search(text[max(0, end - 3):end]):
        return False
    if bare in _MONTHS:
        return not next_word[0].isdigit()
    if _DOTTED.search(word[-_DOTTED_REACH:]) or bare in _SUFFIXES:
        return next_word.lower() in SENTENCE_OPENERS
    return True


def _word_start(text: str, end: int) -> int:
    """Where the word that ends at `end` begins (after the white space before it)."""
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return start


def words(text: str) -> int:
    return len(text.split())


def double_quotes(text: str) -> int:
    return sum(text.count(mark) for mark in DOUBLE_QUOTES)

"""The "lead" summariser: a story's brief is the opening of its lead, two or three whole
sentences within the word limit.

- Wire datelines ("TOKYO, March 3 - "), bylines, tickers ("<BHAM.L>") and the "REUTER"
  sign-off are left out: they belong to the story page, not to a brief.
- A quotation is never left open: a sentence that opens a quote closed in a later sentence
  comes with the sentences up to the close, or is not taken. Only when the lead itself is an
  open quote that never closes is the mark completed, at the end of the sentence taken.
- A first sentence longer than the limit is shortened at a clause boundary (a comma,
  semicolon or dash), keeping its attribution (", the minister said.") where it ends with
  one; with no boundary in reach the headline stands in, as a sentence.
- A lead that is a table of figures (Reuters' results: "Shr 1.23 dlrs vs 1.10 dlrs") has no
  sentence to take: its brief is the headline, as a sentence ("Arvin Industries 4th qtr
  net.").
"""

# ruff: noqa: RUF001 - typographic quotes and dashes are what the patterns look for

import re

from dateline.base.graphemes import clipped
from dateline.newsroom.importer.headlines import (
    HeadlineStyle,
    WordForms,
    forms_from,
    is_all_capitals,
)

from ..base import BRIEF_MAX_CHARACTERS, Story, Summariser
from . import sentences as s

MAX_SENTENCES = 3
# A lead is read from its first paragraphs only: a brief never skips to the story's middle.
LEAD_PARAGRAPHS = 4
# A quotation may run over this many sentences before the brief gives up on closing it.
QUOTE_REACH = 4
# A shortened sentence keeps at least this many words before its clause boundary.
MIN_CLAUSE = 6
# A first paragraph this short above a table is the table's note, not a lead.
SHORT_NOTE = 6
# A story may open with up to this many short lines above its prose (a match's venue, date,
# kick-off and referee; a result): passed over, they do not count among LEAD_PARAGRAPHS.
FACT_LINES = 6
FACT_LINE_WORDS = 12
# The paragraph below such lines is a lead only if it is this long: a table's rows may end
# with a full stop ("Net loss 11.49 mln dlrs.").
LEAD_WORDS = 15
ATTRIBUTION = re.compile(
    r",\s+((?:[^,]{0,60}?\s)?(?:said|says|told|added|announced|reported|according to)\b"
    r"[^,]{0,60}?)([.!?][\"”]?)$")
# Who said a quotation, after its close: '..., nobody is safe," the minister said on Tuesday.'
SPEAKER = re.compile(
    r"[,!?][\"”»]\s+((?:[^,.]{0,60}?\s)?(?:said|says|told|added|announced|asked|warned)\b"
    r"[^,]{0,60}?)([.!?])$")
_CLAUSE = re.compile(r"[,;:]\s+|\s+[-–—]{1,2}\s+")
# How wire headlines' words read in a sentence, for a headline sent in capitals that stands
# in for a table's brief ("DANAHER CORP 4TH QTR NET").
HEADLINE_FORMS = forms_from(["Corp", "Inc", "Co", "Ltd", "Plc", "qtr", "net", "div", "mln",
                             "pct", "dlrs", "shr", "US", "Jan", "Feb", "Mar", "Apr", "Jun",
                             "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"])
_CLOSING = {"“": "”", "„": "“", "«": "»"}
# A sentence mark anywhere makes a paragraph prose ("... the Air Force said. reuter",
# "said.(XYGP 1330)"); a heading or a list item has none.
_SENTENCE_END = re.compile(r"[.!?…]")


class LeadSummariser(Summariser):
    name = "lead"
    # 5: short lines above the story's prose (a fact box, a result) are passed over.
    # 6: a brief starts with a capital letter (_capitalised).
    version = "6"

    def brief(self, story: Story, max_words: int) -> str:
        return _capitalised(_bounded(self._brief(story, max_words)))

    def _brief(self, story: Story, max_words: int) -> str:
        lead = _lead(story.body)
        if not lead:
            return _stand_in(story, max_words)
        units = _units(lead)
        taken: list[str] = []
        count = 0
        for unit, closed in units:
            if not closed or count + len(unit) > MAX_SENTENCES:
                break
            if s.words(" ".join([*taken, *unit])) > max_words:
                break
            taken.extend(unit)
            count += len(unit)
        if taken:
            return _finish(" ".join(taken))
        # A lead that is one quotation too long to take whole keeps its speaker: its first
        # sentence, closed, said by whoever the last one names ("Prices will rise," the
        # finance minister said), not the quote alone, which named nobody.
        said = _quote_with_speaker(units[0][0]) if units and units[0][1] else ""
        if said and s.words(said) <= max_words:
            return said
        first = _complete_quote(lead[0])
        if s.words(first) <= max_words:
            return _finish(first)
        # Too long alone: cut at a clause; with no boundary in reach the headline stands in
        # (or, without one, the sentence's first words: a story always has a brief).
        return _shorten(first, max_words) or _stand_in(story, max_words, first)


def _lead(body: str) -> list[str]:
    """The sentences of the lead's first paragraphs; none when the lead is a table."""
    found: list[str] = []
    paragraphs = [p for p in s.paragraphs(body) if not s.is_byline(p)]
    paragraphs = paragraphs[_fact_lines(paragraphs):]
    if paragraphs and (s.is_table(paragraphs[0]) or (
            s.words(paragraphs[0]) <= SHORT_NOTE and len(paragraphs) > 1
            and s.is_table(paragraphs[1]))):
        return []  # figures, perhaps under a short note ("Period ended December 31.")
    lead = paragraphs[:LEAD_PARAGRAPHS]
    for n, paragraph in enumerate(lead):
        if s.is_table(paragraph):
            break
        if paragraph.startswith(s.LIST_ITEM) or not _SENTENCE_END.search(paragraph):
            # A list item ("• ", intelligence.text), or a heading, no sentence in it: one
            # after the lead's prose ends it (list items read as one invented sentence), one
            # before it is passed over.
            if found:
                break
            continue
        if n + 1 < len(lead) and lead[n + 1][:1] in s.DOUBLE_QUOTES \
                and s.double_quotes(paragraph) % 2:
            # The wire's way with a quote over paragraphs: none closes the first, the next
            # opens again. The quote the paragraph opens ends with it, in a brief.
            paragraph = _complete_quote(paragraph)
        found.extend(s.split(s.strip_dateline(paragraph) if n == 0 else paragraph))
    return found


def _fact_lines(paragraphs: list[str]) -> int:
    """How many short lines the story opens with above its prose: a match preview's fact box
    ("Ewood Park", "Tuesday, 1 March", "2000 GMT"), a result ("Arsenal win 4-2 on
    penalties"). None unless a paragraph of prose follows them: a wire table ("Shr six cts",
    "Net 155,764") and the note under it ("NOTE: Company formed in August 1986.") are no
    lead, and keep the headline as the brief."""
    if len(paragraphs) > 1 and s.is_table(paragraphs[0]) and s.is_table(paragraphs[1]):
        return 0
    for n, paragraph in enumerate(paragraphs[:FACT_LINES + 1]):
        if _SENTENCE_END.search(paragraph) and not s.is_table(paragraph):
            return n if n and _is_lead_paragraph(paragraph) else 0
        if s.words(paragraph) > FACT_LINE_WORDS or " vs " in f" {paragraph} " \
                or paragraph.startswith(s.LIST_ITEM):
            return 0
    return 0


def _is_lead_paragraph(paragraph: str) -> bool:
    words = paragraph.split()
    return (len(words) >= LEAD_WORDS and not is_all_capitals(paragraph)
            and not any(w.lower().startswith("note") for w in words[:3]))


def _units(lead: list[str]) -> list[tuple[list[str], bool]]:
    """The lead's sentences grouped so that each group opens and closes its quotations, with
    whether it does (False: a quote opened and not closed within reach)."""
    units, i = [], 0
    while i < len(lead):
        unit = [lead[i]]
        while s.double_quotes(" ".join(unit)) % 2 and len(unit) < QUOTE_REACH \
                and i + len(unit) < len(lead):
            unit.append(lead[i + len(unit)])
        units.append((unit, s.double_quotes(" ".join(unit)) % 2 == 0))
        i += len(unit)
    return units


def _quote_with_speaker(unit: list[str]) -> str:
    """A quotation over several sentences, opened at the first and attributed at the end of
    the last, as its first sentence with the attribution; empty when it is not that."""
    first = unit[0].strip()
    attribution = SPEAKER.search(unit[-1])
    if len(unit) < 2 or attribution is None or first[:1] not in s.DOUBLE_QUOTES \
            or s.double_quotes(first) != 1:
        return ""
    close = _CLOSING.get(first[0], first[0])
    quoted = first + close if first[-1:] in "!?" else first.rstrip(".") + "," + close
    return f"{quoted} {attribution.group(1)}{attribution.group(2)}"


def _complete_quote(sentence: str) -> str:
    """Close a quotation the sentence opens and the story never closes."""
    if s.double_quotes(sentence) % 2 == 0:
        return sentence
    opener = next((c for c in reversed(sentence) if c in s.DOUBLE_QUOTES), '"')
    return sentence.rstrip() + _CLOSING.get(opener, '"')


def _shorten(sentence: str, max_words: int) -> str:
    """The sentence cut at its last clause boundary within the limit, ending cleanly, with
    its attribution kept where it ends with one; empty when no boundary is in reach."""
    attribution = ATTRIBUTION.search(sentence)
    tail = f", {attribution.group(1)}" if attribution else ""
    body = sentence[:attribution.start()] if attribution else sentence
    budget = max_words - s.words(tail)
    best = ""
    for match in _CLAUSE.finditer(body):
        head = body[:match.start()].rstrip()
        if s.words(head) > budget:
            break
        if s.words(head) >= MIN_CLAUSE and s.double_quotes(head) % 2 == 0:
            best = head
    if not best:
        return ""
    return _finish(best.rstrip(",;:-–— ") + tail)


def _headline(story: Story) -> str:
    headline = s.untick(story.headline, capitals=is_all_capitals(story.headline)).strip()
    return HeadlineStyle("sentence", WordForms(), HEADLINE_FORMS).apply(headline, story.body)


def _stand_in(story: Story, max_words: int, first: str = "") -> str:
    """The headline as a sentence; without one, the first words of the lead or of whatever
    text the story has, so that a story with words always has a brief."""
    for text in (_headline(story), first, " ".join(s.paragraphs(story.body)),
                 story.headline, story.body):
        found = _as_sentence(text, max_words)
        if found.rstrip("."):
            return found
    return ""


def _as_sentence(text: str, max_words: int) -> str:
    # A headline's quotes are scare quotes; a clipped one would dangle, so none are kept.
    text = " ".join(text.translate({ord(c): None for c in s.DOUBLE_QUOTES}).split()[:max_words])
    return _finish(text) if text else ""


def _bounded(brief: str) -> str:
    """Within BRIEF_MAX_CHARACTERS, cut at a word where one is in reach."""
    if len(brief) <= BRIEF_MAX_CHARACTERS:
        return brief
    cut = clipped(brief, BRIEF_MAX_CHARACTERS - 1)
    spaced = cut.rsplit(" ", 1)[0]
    return (spaced if len(spaced) > BRIEF_MAX_CHARACTERS // 2 else cut).rstrip(",;:-–— ") + "…"


def _capitalised(brief: str) -> str:
    """A brief whose first word is in lower case starts with a capital: some wire stories were
    sent all in lower case ("venezuela is seeking a 'constructive and flexible' attitude"). A
    word with a capital inside ("iPhone", "eBay") is a name written so, and kept."""
    first = brief.split(" ", 1)[0]
    if first[:1].islower() and not any(c.isupper() for c in first):
        return brief[0].upper() + brief[1:]
    return brief


def _finish(text: str) -> str:
    """End with sentence punctuation (a quote closing after it counts)."""
    text = text.strip().rstrip(",;:-–— ")
    if not re.search(r"[.!?…][\"”’')\]]*$", text):
        text += "."
    return text

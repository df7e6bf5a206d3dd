"""Two editors' changes to one version of a story's body, merged block by block.

An editor whose save was refused because a colleague saved first is offered both texts, field
by field. Where the two of them changed different paragraphs of the version they both opened
(she fixed the lead, he added a quote to the fifth paragraph), "Keep both" takes each one's
change. The body is compared by its top-level blocks (paragraphs, headings, lists, quotes,
tables), each as the sanitiser writes it: a block both changed differently, or new blocks both
put in one place, is a real conflict, and no merge is offered. Written here because difflib
compares two sequences, not three, and the merge3 libraries compare lines of text, not blocks
of HTML.
"""

import difflib
from dataclasses import dataclass

import lxml.html
from lxml.etree import ParserError

from .html import sanitize_body


@dataclass(frozen=True)
class Hunk:
    """Base blocks [start, end) replaced by `blocks` (an insertion when start == end)."""

    start: int
    end: int
    blocks: tuple[str, ...]


def blocks(body: str) -> list[str]:
    """The body's top-level blocks, each as the sanitiser writes it."""
    clean = sanitize_body(body or "")
    if not clean.strip():
        return []
    try:
        parts = lxml.html.fragments_fromstring(clean)
    except ParserError:
        return [clean]
    # Without the white space between blocks: an imported body's "</p>\n<p>" is the editor's
    # "</p><p>", and read with its tail every block of it differed.
    return [text for text in (part.strip() if isinstance(part, str) else
                              lxml.html.tostring(part, encoding="unicode", with_tail=False)
                              for part in parts) if text]


def merge(base: str, mine: str, theirs: str) -> str | None:
    """`base` with both sides' changes, or None where they touch the same blocks."""
    original = blocks(base)
    ours, others = hunks(original, blocks(mine)), hunks(original, blocks(theirs))
    both = ours & others  # the same change made by both: taken once
    ours, others = ours - both, others - both
    if any(clash(a, b) for a in ours for b in others):
        return None
    merged = list(original)
    # From the end, so that each splice leaves the earlier positions as they were; at one
    # position a replacement is spliced before an insertion, which so lands in front of it.
    for hunk in sorted(ours | others | both, key=lambda h: (h.start, h.end), reverse=True):
        merged[hunk.start:hunk.end] = hunk.blocks
    return "".join(merged)


def hunks(base: list[str], changed: list[str]) -> set[Hunk]:
    matcher = difflib.SequenceMatcher(None, base, changed, autojunk=False)
    return {Hunk(i1, i2, tuple(changed[j1:j2]))
            for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"}


def clash(a: Hunk, b: Hunk) -> bool:
    """Whether two changes touch the same blocks: overlapping ranges, new blocks put at the
    same place, or new blocks put inside what the other replaced."""
    if max(a.start, b.start) < min(a.end, b.end):
        return True
    if a.start == a.end and b.start == b.end:
        return a.start == b.start
    inserted, replaced = (a, b) if a.start == a.end else (b, a)
    return inserted.start == inserted.end and replaced.start < inserted.start < replaced.end

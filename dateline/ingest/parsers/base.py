"""What every parser gives back, whatever the format: items normalised the same way.

A parser reads one payload (a feed document, a ninjs object, a NewsML-G2 item, JSON Lines)
and returns `ParsedItem`s; the store decides what is new (dateline.ingest.store). Parsers
never fetch anything and never trust their input: bounded, sanitised, dates judged.
"""

from dataclasses import dataclass, field
from datetime import datetime


class ParseError(ValueError):
    """The payload cannot be read; the message says why in words an editor understands."""


@dataclass
class ParsedItem:
    headline: str
    guid: str = ""
    link: str = ""
    canonical_url: str = ""
    summary: str = ""  # plain text
    body: str = ""  # sanitised HTML (dateline.newsroom.html), or ""
    author: str = ""
    language: str = ""
    published_at: datetime | None = None  # aware, UTC
    updated_at: datetime | None = None
    published_offset: str = ""  # "+01:00" as the outlet wrote it; "" when it gave no zone
    date_flags: list[str] = field(default_factory=list)  # "no zone", "in the future", ...
    raw: str = ""  # the entry as sent, bounded


@dataclass
class ParseResult:
    format: str  # the parser's registered name, e.g. "rss", "atom", "ninjs", "newsml-g2"
    items: list[ParsedItem]
    title: str = ""  # the feed's own title, where it has one
    # What was odd but readable, in words ("The feed says it is UTF-8 but is not; …").
    warnings: list[str] = field(default_factory=list)


class Parser:
    """One format. Subclasses set `name` and implement `accepts` and `parse`."""

    name = ""

    def accepts(self, payload: bytes, content_type: str = "") -> bool:
        """Whether the payload looks like this format (cheap: the first bytes, the type)."""
        raise NotImplementedError

    def parse(self, payload: bytes, *, content_type: str = "") -> ParseResult:
        raise NotImplementedError

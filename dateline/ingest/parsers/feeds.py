"""RSS 0.9x-2.0, RSS 1.0 (RDF) and Atom 1.0, read by feedparser after the XML checks."""

import io

import feedparser
from lxml import etree

from . import normalise
from .base import ParseError, Parser, ParseResult
from .xml import root_name, safe_parser, safe_xml


class FeedParser(Parser):
    """The common part: feedparser does the formats, dateline.ingest.parsers the rules."""

    roots: tuple[str, ...] = ()

    def accepts(self, payload: bytes, content_type: str = "") -> bool:
        return root_name(payload) in self.roots

    def parse(self, payload: bytes, *, content_type: str = "") -> ParseResult:
        data, warnings = safe_xml(payload, content_type)
        data, elements, count = _first_entries(data)
        # A stream, never bytes or str: given those, feedparser tries them as a file name
        # or a URL first, and an outlet's answer could name /etc/passwd.
        try:
            feed = feedparser.parse(io.BytesIO(data), sanitize_html=False,
                                    resolve_relative_uris=False)
        except Exception as exc:  # feedparser's own failures are not ours to crash on
            raise ParseError(f"The feed could not be read: {exc}.") from exc
        if not feed.get("version") or root_name(data) not in self.roots:
            raise ParseError(f"This is not {self.description}: it starts with "
                             f"<{root_name(data) or '?'}>.")
        channel = feed.get("feed", {})
        feed_language = channel.get("language", "")
        entries = feed.get("entries", [])
        if count > normalise.MAX_ITEMS:  # cut to MAX_ITEMS before feedparser read it
            entries = [*entries, *[None] * (count - len(entries))]
        entries = [entry for entry in normalise.capped(entries, warnings) if entry is not None]
        raws = _raw_entries(elements, len(entries))
        items, empty = [], 0
        for number, entry in enumerate(entries):
            parsed = self.item(entry, feed_language, raws[number] if raws else dict(entry))
            if parsed is not None:
                items.append(parsed)
            else:
                empty += 1
        normalise.empty_left_out(empty, warnings)
        title = normalise.text.plain(channel.get("title", ""), normalise.text.MAX_HEADLINE)
        return ParseResult(format=self.name, items=items, title=title, warnings=warnings)

    def item(self, entry: dict, feed_language: str, raw: object):
        # FeedParserDict answers a missing "updated" with "published" and a missing summary
        # with the content: dict.get reads what the outlet actually sent.
        contents = dict.get(entry, "content") or []
        full = max((c.get("value", "") for c in contents), key=len, default="")
        summary = dict.get(entry, "summary", "")
        language_tag = next((c.get("language") for c in contents if c.get("language")), "")
        language_tag = (entry.get("summary_detail") or {}).get("language") or language_tag
        return normalise.item(
            headline=entry.get("title", ""),
            guid=entry.get("id", ""),
            link=entry.get("link", ""),
            summary=summary if summary != full else "",
            body=full,
            author=entry.get("author", ""),
            language_tag=language_tag or feed_language,
            published=dict.get(entry, "published") or dict.get(entry, "created"),
            updated=dict.get(entry, "updated"),
            raw=raw,
        )


def _first_entries(data: bytes) -> tuple[bytes, list | None, int]:
    """The document with its first MAX_ITEMS items or entries, those elements (None where lxml
    cannot read the document), and how many it held.

    feedparser keeps every entry it reads, a dict of dicts each, before any cap applies: a
    10 MB feed of 200,000 one-line items took 15 s of the polling thread and 390 MB. lxml
    counts and cuts them in C first (the document is well-formed: safe_xml checked it)."""
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError:
        return data, None, 0
    elements = root.xpath("//*[local-name()='item' or local-name()='entry']")
    count = len(elements)
    if count > normalise.MAX_ITEMS:
        for element in elements[normalise.MAX_ITEMS:]:
            element.getparent().remove(element)
        elements = elements[: normalise.MAX_ITEMS]
        data = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return data, elements, count


def _raw_entries(elements: list | None, count: int) -> list[str]:
    """Each <item> or <entry> as the outlet wrote it; [] where they cannot be matched up with
    feedparser's `count` entries."""
    if elements is None or len(elements) != count:
        return []
    return [etree.tostring(element, encoding="unicode")[: normalise.text.MAX_RAW]
            for element in elements]


class RSSParser(FeedParser):
    name = "rss"
    description = "an RSS feed"
    roots = ("rss", "RDF", "channel")


class AtomParser(FeedParser):
    name = "atom"
    description = "an Atom feed"
    roots = ("feed",)

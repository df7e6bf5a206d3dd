"""One ParsedItem from whatever fields a format gave: the same rules for every format."""

import json

from dateline.newsroom.html import with_absolute_urls

from . import language, text
from .base import ParsedItem
from .dates import judge

MAX_ITEMS = 500  # per payload: a feed of ten thousand entries is an attack or a dump
DERIVED = 400  # a summary made from the body's opening, where the outlet gave none


def capped(entries: list, warnings: list[str]) -> list:
    """The first MAX_ITEMS entries; a warning for the editors says how many were left out."""
    if len(entries) > MAX_ITEMS:
        warnings.append(f"The payload holds {len(entries):,} items; the first {MAX_ITEMS} "
                        "were read and the rest left out.")
    return entries[:MAX_ITEMS]


def empty_left_out(count: int, warnings: list[str]) -> None:
    """A warning for the editors of the entries left out for having no words at all: a poll
    said "0 new" of a feed whose items were all such, and no one knew why."""
    if count:
        warnings.append(f"{count:,} item(s) had neither a headline nor any text and were "
                        "left out.")


def item(
    *,
    headline: str = "",
    guid: str = "",
    link: str = "",
    summary: str = "",
    body: str = "",
    author: str = "",
    language_tag: str = "",
    published: str | None = None,
    updated: str | None = None,
    raw: object = "",
) -> ParsedItem | None:
    """A normalised item, or None when the entry has neither a headline nor any text."""
    headline, guid, link, summary, body, author, language_tag = (
        text.scrub(value) if isinstance(value, str) else value
        for value in (headline, guid, link, summary, body, author, language_tag))
    url = text.link(link)
    # The outlet's paths ("/world/123", "photo.jpg") name its own site, not ours: resolved
    # against the item's page, as its readers' browsers resolve them.
    clean_body = with_absolute_urls(text.body(body), url)
    clean_summary = text.plain(summary, text.MAX_SUMMARY) or text.plain(clean_body, DERIVED)
    clean_headline = text.plain(headline, text.MAX_HEADLINE)
    if not clean_headline:
        clean_headline = text.clip(clean_summary, 120)
    if not clean_headline:
        return None
    published_date, updated_date = judge(published), judge(updated)
    if published_date.when is None and not published_date.flags and updated_date.when:
        published_date = updated_date  # Atom's only required date is <updated>
    flags = list(dict.fromkeys(published_date.flags + updated_date.flags))
    return ParsedItem(
        headline=clean_headline,
        guid=text.clip((guid or "").strip(), text.MAX_GUID),
        link=url,
        canonical_url=text.canonical_url(url),
        summary=clean_summary,
        body=clean_body,
        author=text.plain(author, text.MAX_AUTHOR),
        language=language.language(language_tag, f"{clean_headline}. {clean_summary}"),
        published_at=published_date.when,
        updated_at=updated_date.when,
        published_offset=published_date.offset,
        date_flags=flags,
        raw=raw_text(raw),
    )


def raw_text(raw: object) -> str:
    """The entry as sent, bounded: a string as it is, anything else as JSON."""
    if not isinstance(raw, str):
        raw = json.dumps(raw, ensure_ascii=False, default=str)
    return text.scrub(raw[: text.MAX_RAW])

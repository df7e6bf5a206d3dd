"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1)."""

from . import normalise
from .base import ParseError, Parser, ParseResult
from .jsondata import head, load, looks_like_json, mapping, objects, string

VERSION_PREFIX = "https://jsonfeed.org/version/"


class JSONFeedParser(Parser):
    name = "jsonfeed"

    def accepts(self, payload: bytes, content_type: str = "") -> bool:
        opening = head(payload)
        return opening.startswith(b"{") and b"jsonfeed.org/version" in opening

    def parse(self, payload: bytes, *, content_type: str = "") -> ParseResult:
        if not looks_like_json(payload):
            raise ParseError("This is not a JSON Feed: it does not start with '{'.")
        feed = load(payload, "JSON Feed")
        if not isinstance(feed, dict) or not string(feed.get("version")).startswith(
            (VERSION_PREFIX, "http://jsonfeed.org/version/")
        ):
            raise ParseError("This is not a JSON Feed: it has no 'version' naming jsonfeed.org.")
        feed_language = string(feed.get("language"))  # 1.1
        feed_author = _author(feed)
        items, warnings, empty = [], [], 0
        for entry in normalise.capped(objects(feed.get("items")), warnings):
            parsed = normalise.item(
                headline=string(entry.get("title")),
                guid=_id(entry.get("id")),
                link=string(entry.get("url")) or string(entry.get("external_url")),
                summary=string(entry.get("summary")),
                body=string(entry.get("content_html")) or string(entry.get("content_text")),
                author=_author(entry) or feed_author,
                language_tag=string(entry.get("language")) or feed_language,
                published=string(entry.get("date_published")),
                updated=string(entry.get("date_modified")),
                raw=entry,
            )
            if parsed is not None:
                items.append(parsed)
            else:
                empty += 1
        normalise.empty_left_out(empty, warnings)
        title = normalise.text.plain(string(feed.get("title")), normalise.text.MAX_HEADLINE)
        return ParseResult(format=self.name, items=items, title=title, warnings=warnings)


def _id(value: object) -> str:
    # 1.0 allows a number as an id; 1.1 says a string. Either way, one item, one id.
    if isinstance(value, bool):
        return ""
    return str(value) if isinstance(value, (str, int)) else ""


def _author(holder: dict) -> str:
    # 1.1: "authors": [{"name": ...}]; 1.0: "author": {"name": ...}.
    names = [string(a.get("name")) for a in objects(holder.get("authors"))]
    names = [name for name in names if name] or [string(mapping(holder.get("author")).get("name"))]
    return ", ".join(name for name in names if name)

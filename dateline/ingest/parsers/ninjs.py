"""ninjs 1.x, 2.x and 3.x (IPTC's News in JSON): one item, or a list of them.

The versions name the same things differently: 1.x has `headline`, `body_html`,
`versioncreated`; 2.x has `headlines[]`, `bodies[]`, `firstcreated`; 3.x camelCases them
(`firstCreated`, `bodies[].contentType`). Each is read where its version puts it; an event
or planning item (3.x) has a `title` rather than a headline.
"""

from dateline.newsroom.html import paragraphs_to_html

from . import normalise
from .base import ParseError, Parser, ParseResult
from .jsondata import head, load, looks_like_json, objects, string

# Keys only ninjs uses at the top level, to recognise it among JSON payloads.
_MARKERS = (b'"uri"', b'"standard"', b'"versioncreated"', b'"versionCreated"', b'"headlines"')


class NinjsParser(Parser):
    name = "ninjs"

    def accepts(self, payload: bytes, content_type: str = "") -> bool:
        opening = head(payload)
        if "ninjs" in content_type.lower():
            return True
        return looks_like_json(payload) and b"jsonfeed.org" not in opening and any(
            marker in opening for marker in _MARKERS
        )

    def parse(self, payload: bytes, *, content_type: str = "") -> ParseResult:
        if not looks_like_json(payload):
            raise ParseError("This is not ninjs: it does not start with '{' or '['.")
        data = load(payload, "ninjs document")
        entries = objects(data.get("items") if isinstance(data, dict) and "uri" not in data
                          and isinstance(data.get("items"), list) else data)
        if not entries:
            raise ParseError("This is not ninjs: it holds no JSON object.")
        items, skipped, warnings = [], 0, []
        for entry in normalise.capped(entries, warnings):
            parsed = self.item(entry)
            if parsed is None:
                skipped += 1
            else:
                items.append(parsed)
        if skipped:
            warnings.append(f"{skipped} item(s) had no headline, title or text and were "
                            "skipped.")
        return ParseResult(format=self.name, items=items, warnings=warnings)

    def item(self, entry: dict):
        uri = string(entry.get("uri"))
        return normalise.item(
            headline=_main(entry, "headlines") or string(entry.get("headline"))
            or string(entry.get("title")),
            guid=uri or string(entry.get("guid")),
            link=uri if uri.startswith(("http://", "https://")) else "",
            summary=_main(entry, "descriptions", prefer="summary")
            or string(entry.get("description_text")) or string(entry.get("description_html")),
            body=_body(entry),
            author=_by(entry),
            language_tag=string(entry.get("language")),
            published=_first(entry, "firstCreated", "firstcreated", "contentCreated",
                             "contentcreated", "versionCreated", "versioncreated"),
            updated=_first(entry, "versionCreated", "versioncreated"),
            raw=entry,
        )


def _first(entry: dict, *keys: str) -> str:
    return next((string(entry.get(key)) for key in keys if string(entry.get(key))), "")


def _main(entry: dict, key: str, prefer: str = "main") -> str:
    """The value of the list entry with the preferred role, else the first one with a value."""
    candidates = [e for e in objects(entry.get(key)) if string(e.get("value"))]
    chosen = next((e for e in candidates if prefer in string(e.get("role"))), None)
    chosen = chosen or (candidates[0] if candidates else {})
    return string(chosen.get("value"))


def _body(entry: dict) -> str:
    # 2.x/3.x: bodies[] with a content type; 1.x: body_html, body_xhtml, body_text.
    bodies = [b for b in objects(entry.get("bodies")) if string(b.get("value"))]
    for body in bodies:
        kind = string(body.get("contentType")) or string(body.get("contenttype"))
        if "html" in kind:
            return string(body.get("value"))
    if bodies:
        return _as_text(string(bodies[0].get("value")))
    html = string(entry.get("body_html")) or string(entry.get("body_xhtml"))
    return html or _as_text(string(entry.get("body_text")))


def _as_text(value: str) -> str:
    return paragraphs_to_html(value) if value else ""


def _by(entry: dict) -> str:
    by = entry.get("by") or entry.get("byline")
    if isinstance(by, str):
        return by
    names = [string(person.get("name")) for person in objects(by)]
    return ", ".join(name for name in names if name)

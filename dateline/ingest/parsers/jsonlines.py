"""The importer's JSON Lines (one archive record a line), read by the importer's own rules.

A record the importer would refuse is skipped with its reason as a warning; the rest are
read, so one bad line does not hide a day of stories.
"""

import json
import zoneinfo

from dateline.newsroom.html import paragraphs_to_html
from dateline.newsroom.importer.records import RecordError, parse_record

from . import normalise
from .base import ParseError, Parser, ParseResult
from .jsondata import head, string

MAX_WARNINGS = 20
UTC = zoneinfo.ZoneInfo("UTC")


class JSONLinesParser(Parser):
    name = "jsonlines"

    def accepts(self, payload: bytes, content_type: str = "") -> bool:
        opening = head(payload, 20_000)
        first, _, rest = opening.partition(b"\n")
        if not first.rstrip().endswith(b"}") or not first.startswith(b"{"):
            return False
        try:
            record = json.loads(first)
        except ValueError:
            return False
        # Several objects one a line, or one record with the archive's own fields.
        return isinstance(record, dict) and (
            rest.lstrip().startswith(b"{") or {"id", "title"} <= record.keys()
        )

    def parse(self, payload: bytes, *, content_type: str = "") -> ParseResult:
        try:
            text = payload.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError(f"The JSON Lines are not UTF-8 (byte {exc.start}).") from exc
        items, warnings, empty = [], [], 0
        lines = (line for line in text.splitlines() if line.strip())
        for number, line in enumerate(lines, start=1):
            if len(items) >= normalise.MAX_ITEMS:
                warnings.append(f"Only the first {normalise.MAX_ITEMS} records were read.")
                break
            try:
                record = json.loads(line)
                article = parse_record(record, UTC)  # the importer's checks, in its words
            except (ValueError, RecursionError, RecordError) as exc:
                if len(warnings) < MAX_WARNINGS:
                    warnings.append(f"Line {number} was skipped: {_reason(exc)}.")
                continue
            parsed = normalise.item(
                headline=article.headline,
                guid=article.external_id,
                link=article.original_url,
                summary=article.standfirst,
                body=article.body if article.body_is_html else paragraphs_to_html(article.body),
                author=", ".join(article.authors),
                language_tag=string(record.get("language")),
                published=string(record.get("published")),
                updated=string(record.get("updated")),
                raw=line,
            )
            if parsed is not None:
                items.append(parsed)
            else:
                empty += 1
        if not items and warnings:  # records that could not be read, not merely empty ones
            raise ParseError(f"No record could be read. {warnings[0]}")
        normalise.empty_left_out(empty, warnings)
        return ParseResult(format=self.name, items=items, warnings=warnings)


def _reason(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON ({exc.msg})"
    if isinstance(exc, RecursionError):
        return "it nests too deeply"
    if isinstance(exc, ValueError) and not isinstance(exc, RecordError):
        return "it holds a number too long to read (more than 4,300 digits)"
    return str(exc)

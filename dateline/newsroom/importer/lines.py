"""An import file's lines read as records, each refused with a reason rather than raising.

A line is bounded before it is parsed: its length, and how deep its brackets nest.
"""

import json
import logging
import re
import zoneinfo
from collections.abc import Callable, Iterator
from pathlib import Path

from .records import ArticleRecord, RecordError, parse_record

logger = logging.getLogger(__name__)

MAX_LINE_BYTES = 4_000_000
# A record is an object holding lists of objects; json.loads recurses once per level, and a
# line nested 100,000 deep would exhaust Python's stack before it could say which line it was.
MAX_DEPTH = 32
# A JSON string (escapes included), or one bracket: enough to measure nesting without parsing.
_STRING_OR_BRACKET = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


# Where a file says it is UTF-8 (Windows editors write it): its first record was refused.
BOM = b"\xef\xbb\xbf"
_SKIP_CHUNK = 1024 * 1024


def read_records(
    path: Path, zone: zoneinfo.ZoneInfo, on_bytes: Callable[[int], None] = lambda n: None
) -> Iterator[tuple[int, ArticleRecord | RecordError]]:
    """Yield (line number, record or the reason it was refused) for every non-blank line."""
    with path.open("rb") as stream:
        for number, (raw, size) in enumerate(bounded_lines(stream), start=1):
            on_bytes(size)
            if raw is None:
                yield number, RecordError(f"line is {size:,} bytes; the limit is "
                                          f"{MAX_LINE_BYTES:,}")
            elif raw.strip():
                yield number, _read_line(raw, zone, number)


def bounded_lines(stream, limit: int = MAX_LINE_BYTES) -> Iterator[tuple[bytes | None, int]]:
    """(the line, its length in bytes) for each line of a binary stream, the first without a
    byte-order mark; (None, its length) for one longer than `limit`, passed over without
    ever holding more than `limit` bytes of it: a 1.6 GB line took 3.3 GB to refuse."""
    first = True
    while raw := stream.readline(limit + 1):
        size = len(raw)
        if first:
            raw, first = raw.removeprefix(BOM), False
        if size > limit and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(_SKIP_CHUNK)
                size += len(raw)
            yield None, size
        else:
            yield raw, size


def _read_line(raw: bytes, zone: zoneinfo.ZoneInfo, number: int) -> ArticleRecord | RecordError:
    """The record one line holds, or why it was refused: never an exception."""
    if len(raw) > MAX_LINE_BYTES:
        return RecordError(f"line is {len(raw):,} bytes; the limit is {MAX_LINE_BYTES:,}")
    if _nested_too_deep(raw):
        return RecordError(f"JSON nested more than {MAX_DEPTH} levels deep")
    try:
        return parse_record(json.loads(raw.decode("utf-8")), zone)
    except UnicodeDecodeError:
        return RecordError("line is not valid UTF-8")
    except json.JSONDecodeError as exc:
        return RecordError(f"not valid JSON ({exc.msg} at column {exc.colno})")
    except RecordError as exc:
        return exc
    except ValueError as exc:  # a number of more digits than Python converts, say
        return RecordError(f"not valid JSON ({str(exc)[:120]})")
    except Exception as exc:  # anything else one line can cause stops that line, not the file
        logger.warning("line %d refused by an unexpected error", number, exc_info=True)
        return RecordError(f"could not be read ({type(exc).__name__}: {str(exc)[:120]})")


def _nested_too_deep(raw: bytes) -> bool:
    """Whether the line's brackets, outside strings, nest deeper than MAX_DEPTH."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return False  # the usual line: too few brackets to matter, and no scan needed
    depth = 0
    for token in _STRING_OR_BRACKET.finditer(raw):
        if token.end() - token.start() != 1:
            continue  # a string
        if raw[token.start()] in b"[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        else:
            depth -= 1
    return False

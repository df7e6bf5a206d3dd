"""JSON payloads read without trusting their shape: every field may be anything."""

import json

from .base import ParseError

_OPENERS = (b"{", b"[")


def load(payload: bytes, what: str) -> object:
    """The decoded JSON, or ParseError saying where it is broken."""
    try:
        return json.loads(payload)  # detects UTF-8, -16 and -32 by itself
    except json.JSONDecodeError as exc:
        raise ParseError(f"The {what} is not valid JSON: {exc.msg} at line {exc.lineno}, "
                         f"column {exc.colno}.") from exc
    except UnicodeDecodeError as exc:
        raise ParseError(f"The {what} is not text in UTF-8, UTF-16 or UTF-32.") from exc
    except ValueError as exc:  # a number of thousands of digits (Python's words are its own)
        raise ParseError(f"The {what} holds a number too long to read (more than 4,300 "
                         "digits).") from exc
    except RecursionError as exc:
        raise ParseError(f"The {what} nests too deeply to read.") from exc


def head(payload: bytes, size: int = 2000) -> bytes:
    """The payload's opening, without a byte-order mark or leading white space."""
    return payload[:size].lstrip(b"\xef\xbb\xbf").lstrip()


def looks_like_json(payload: bytes) -> bool:
    return head(payload).startswith(_OPENERS)


def string(value: object) -> str:
    """The value if it is a string; "" for anything else (a number, a list, null)."""
    return value if isinstance(value, str) else ""


def mapping(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def objects(value: object) -> list[dict]:
    """The dicts in a list (or the dict itself); anything else is skipped."""
    if isinstance(value, dict):
        return [value]
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []

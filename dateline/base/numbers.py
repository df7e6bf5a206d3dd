"""Whole numbers from outside, held to what a database column can store.

SQLite cannot bind an integer wider than 64 bits (OverflowError, a 500 wherever one reached a
query), and PostgreSQL's bigint stops at the same bound. A number from an address, a form or a
JSON body is checked here first, so that it is refused in words instead. A JSON body's text is
held to what can be stored and sent back too (json_loads).
"""

import json
import re

# The widest whole number any database Dateline runs on stores (a signed 64-bit integer).
WIDEST = 2**63 - 1


class TooWide(ValueError):
    """A JSON body held a whole number wider than any column."""


def too_wide(text: str) -> bool:
    """Whether `text` is a whole number (of either sign) no column can hold."""
    number = whole_number(text.strip().removeprefix("-"))
    return number is not None and number > WIDEST


def _whole_number(text: str) -> int:
    if too_wide(text):
        raise TooWide(f"{text[:40]} is larger than any record's number.")
    return int(text)


class TooDeep(ValueError):
    """JSON nested deeper than Python's parser can follow (its RecursionError)."""


# Half of a UTF-16 pair: JSON may write one as an escape ("\\ud800", as JavaScript's
# JSON.stringify does for text pasted with a broken pair), and no encoding of text carries it.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def json_loads(body: bytes | str):
    """`json.loads`, raising TooWide (a ValueError) for a whole number wider than any column,
    and TooDeep (a ValueError too) for arrays or objects nested past the parser's stack: a
    RecursionError is no ValueError, and callers answering "not JSON" let it through.

    A lone surrogate in a string becomes U+FFFD, as a browser's form turns one: stored as it
    came, the desk's kept text made its editor's page a 500 each time it was drawn with it."""
    try:
        found = json.loads(body, parse_int=_whole_number)
    except RecursionError:
        raise TooDeep("The JSON nests too deeply to read.") from None
    escapes = _SURROGATE_ESCAPE_BYTES if isinstance(body, bytes) else _SURROGATE_ESCAPE
    if not escapes.search(body):
        return found
    try:
        return _without_lone_surrogates(found)
    except RecursionError:
        raise TooDeep("The JSON nests too deeply to read.") from None


def _without_lone_surrogates(value):
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(key): _without_lone_surrogates(item)
                for key, item in value.items()}
    return value


def whole_number(text: str) -> int | None:
    """`text` as a whole number when it is ASCII digits only, else None.

    `str.isdigit` also passes "²", which `int` refuses, and other scripts' digits. A run of
    over 4,300 digits, which `int` refuses, reads as WIDEST + 1: larger than anything it
    could be compared with."""
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit()):
        return None
    significant = digits.lstrip("0") or "0"
    return WIDEST + 1 if len(significant) > len(str(WIDEST)) else int(significant)


def key_from(text: str) -> int | None:
    """`text` as a record's key: ASCII digits that a column can hold, else None."""
    number = whole_number(text)
    return number if number is not None and number <= WIDEST else None

"""One e-mail (RFC 5322) as one item: partner copy sent to the newsroom's mailbox.

Subject is the headline, the text/plain part the body (else the HTML part, sanitised), the
From's display name the author, Date the publication time (judged as every parser's dates
are) and Message-ID the guid, so the same message fetched twice is one item.

Mail is hostile like any outlet: the header block is bounded before anything decodes it,
nested multiparts are followed only MAX_DEPTH deep, and a charset Python does not know or
bytes that are not what they claim are read with replacement characters, never a crash.
"""

import email.message
import email.parser
import re
from email import policy

from . import normalise
from .base import ParseError, Parser, ParseResult

# A real header block is a few kilobytes; decoding a huge one is slow for nothing.
MAX_HEADER_BYTES = 256 * 1024
# Multiparts inside multiparts: a real mail nests three or four deep (mixed > alternative >
# related); a message nested deeper than this is refused rather than walked.
MAX_DEPTH = 12
MAX_PARTS = 200
# The opening of a message: a header line, and a From, Date or Subject among the first ones.
_HEADER_LINE = re.compile(rb"^[!-9;-~]{1,76}:[ \t]", re.MULTILINE)
_KNOWN = re.compile(rb"^(from|date|subject|message-id|received|return-path):", re.I | re.M)
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")


class EmailParser(Parser):
    name = "email"

    def accepts(self, payload: bytes, content_type: str = "") -> bool:
        if content_type.split(";")[0].strip().lower() == "message/rfc822":
            return True
        opening = payload[:4000]
        return bool(_HEADER_LINE.match(opening)) and len(_KNOWN.findall(opening)) >= 2

    def parse(self, payload: bytes, *, content_type: str = "") -> ParseResult:
        message = read_message(payload)
        warnings = []
        body, html = "", ""
        try:
            part = message.get_body(preferencelist=("plain", "html"))
        except (RecursionError, TypeError, ValueError, LookupError):
            part = None
        if part is not None:
            text = content(part)
            if part.get_content_subtype() == "html":
                html = text
            else:
                body = text
        else:
            warnings.append("The message has no text or HTML part; only its subject was read.")
        parsed = normalise.item(
            headline=header(message, "Subject"),
            guid=header(message, "Message-ID").strip(),
            body=body or html,
            author=sender(message),
            # As written: the parsed header writes a zoneless date as "-0000", hiding that.
            published=raw_header(message, "Date") or None,
            raw=payload[: 64 * 1024].decode("utf-8", errors="replace"),
        )
        if parsed is None:
            raise ParseError("The message has neither a subject nor any text.")
        return ParseResult(format=self.name, items=[parsed], warnings=warnings)


def read_message(payload: bytes) -> email.message.EmailMessage:
    """The message parsed, its header block and its nesting bounded; ParseError otherwise."""
    end = _BLANK_LINE.search(payload, 0, MAX_HEADER_BYTES + 4)
    if end is None and len(payload) > MAX_HEADER_BYTES:
        raise ParseError(f"The message's headers are larger than {MAX_HEADER_BYTES // 1024} KB.")
    try:
        message = email.parser.BytesParser(policy=policy.default).parsebytes(payload)
    except RecursionError as exc:
        raise ParseError("The message nests too deeply to read.") from exc
    depth, parts = nesting(message)
    if depth > MAX_DEPTH:
        raise ParseError(f"The message nests parts more than {MAX_DEPTH} deep; it was not read.")
    if parts > MAX_PARTS:
        raise ParseError(f"The message has more than {MAX_PARTS} parts; it was not read.")
    return message


def nesting(message: email.message.Message) -> tuple[int, int]:
    """How deep the parts nest and how many there are (iteratively: no recursion to exhaust)."""
    deepest, count, waiting = 0, 0, [(message, 1)]
    while waiting:
        part, depth = waiting.pop()
        count += 1
        deepest = max(deepest, depth)
        if count > MAX_PARTS or deepest > MAX_DEPTH:
            break
        if part.is_multipart():
            waiting.extend((child, depth + 1) for child in part.get_payload())
    return deepest, count


def header(message: email.message.Message, name: str) -> str:
    """A header decoded (RFC 2047 words, any charset), or "" when absent or unreadable."""
    try:
        value = message.get(name)
        return " ".join(str(value).split()) if value is not None else ""
    except (ValueError, TypeError, LookupError, IndexError, AttributeError):
        # policy.default defers some defects until the value is read: fall back to the raw.
        return raw_header(message, name)


def raw_header(message: email.message.Message, name: str) -> str:
    """A header's first value as sent, undecoded, whitespace collapsed; "" when absent."""
    raw = next((value for key, value in message.raw_items() if key.lower() == name.lower()), "")
    return " ".join(str(raw).split())


def sender(message: email.message.Message) -> str:
    """The From's display name, else its address."""
    try:
        addresses = message.get("From").addresses if message.get("From") else ()
    except (ValueError, TypeError, LookupError, IndexError, AttributeError):
        return header(message, "From")
    if not addresses:
        return header(message, "From")
    first = addresses[0]
    return first.display_name or first.addr_spec


def content(part: email.message.Message) -> str:
    """A text part decoded: by its charset, else as UTF-8 with replacement characters."""
    try:
        return part.get_content()
    except (LookupError, UnicodeError, ValueError, TypeError, AssertionError):
        data = part.get_payload(decode=True) or b""
        return data.decode("utf-8", errors="replace") if isinstance(data, bytes) else ""

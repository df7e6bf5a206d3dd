"""A fetched e-mail as payloads: its attachments in a format a parser reads, else itself.

Agencies mail partner copy two ways: the story as the mail (subject, text) or as files
attached (ninjs JSON, NewsML-G2 XML, an RSS extract, JSON Lines). An attachment that a
parser other than the e-mail one recognises is a payload of its own, read by that parser;
when there is none, the message itself is the one payload, read by the "email" parser.
"""

from dateline.ingest.parsers import ParseError, detect
from dateline.ingest.parsers.mail import read_message

from .base import Payload

MESSAGE = "message/rfc822"
# The parts that are the message's own text, not files attached to it.
_TEXT = {"text/plain", "text/html"}


def payloads_of(raw: bytes, name: str) -> list[Payload]:
    """The payloads of one message (`name` says which, for the failed payloads' list)."""
    if not raw.strip():
        return [Payload(b"", MESSAGE, name, error=f"The message {name} was empty or is gone")]
    try:
        message = read_message(raw)  # bounded: header size, depth, number of parts
        files = [payload for part in message.walk() if (payload := attached(part, name))]
    except Exception:  # hostile MIME: the e-mail parser reads it, or says why it cannot
        files = []
    return files or [Payload(raw, MESSAGE, name)]


def attached(part, name: str) -> Payload | None:
    """A payload for an attachment a parser (not the e-mail one) reads; None otherwise."""
    if part.is_multipart():
        return None
    filename = part.get_filename() or ""
    content_type = part.get_content_type()
    if content_type in _TEXT and not filename and not part.is_attachment():
        return None  # the message's text
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes) or not data.strip():
        return None
    try:
        parser = detect(data, content_type)
    except ParseError:
        return None  # a photo, a PDF: not copy ingest reads
    if parser.name == "email":
        return None  # a forwarded mail: the message itself is the item
    return Payload(data, content_type, f"{name}, attachment {filename or content_type}"[:500])

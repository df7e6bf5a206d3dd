"""XML from outlets, read without trusting it: encodings repaired, entities refused.

Every XML payload passes here before feedparser or lxml sees it. Entity declarations are
refused outright (they are how "billion laughs" and external-entity attacks that read
/etc/passwd work; no real feed needs them), the document must be well-formed, and a feed
whose bytes contradict its declared encoding (Latin-1 declared as UTF-8, the common case) is
read as what it is, with a warning, rather than rejected.
"""

import codecs
import html.entities
import re
from xml.etree.ElementTree import ParseError as ExpatError

import defusedxml
import defusedxml.ElementTree
from lxml import etree

from .base import ParseError

_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?\?>", re.S)
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_CHARSET = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9._:-]{1,40})", re.I)
_ROOT = re.compile(r"<(?![?!])([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
# Characters XML 1.0 forbids (C0 controls but tab, line feed and carriage return; U+FFFE and
# U+FFFF; halves of UTF-16 pairs), raw or as character references (those and any past
# U+10FFFF): one in one title made the whole feed unreadable.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_REFERENCE = re.compile(r"&#(?:([0-9]{1,20})|[xX]([0-9a-fA-F]{1,20}));")


def _xml_character(code: int) -> bool:
    """Whether XML 1.0's Char production takes this code point."""
    return (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF)


def without_forbidden(text: str) -> tuple[str, int]:
    """`text` without the characters XML forbids, raw or referred to; and how many went."""
    text, dropped = _FORBIDDEN.subn("", text)
    referred = 0

    def kept(reference: re.Match) -> str:
        nonlocal referred
        decimal, hexadecimal = reference.groups()
        if _xml_character(int(decimal) if decimal else int(hexadecimal, 16)):
            return reference.group(0)
        referred += 1
        return ""

    return _REFERENCE.sub(kept, text), dropped + referred
# HTML's named entities (&nbsp;, &eacute;, &mdash;), which XML does not define: one in one
# title made the whole feed "not well-formed", where feed readers read it.
_NAMED = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_OWN = {"amp", "lt", "gt", "quot", "apos"}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


# Text codecs that are no character set a feed is written in: they rewrite what they read
# ("\u003c" and UTF-7's "+ADw-" become "<"), so markup would pass unseen by the bytes.
NOT_CHARSETS = {"unicode-escape", "raw-unicode-escape", "idna", "punycode", "utf-7", "undefined"}


def charset(name: str) -> str:
    """The codec's own name for a character set a feed may be written in; LookupError for a
    name that is none (unknown, bytes to bytes as zlib or base64, or one of NOT_CHARSETS)."""
    found = codecs.lookup(name).name
    try:
        "a".encode(name)  # a text encoding: not zlib, base64 or rot13
    except UnicodeError as exc:  # "undefined" refuses every text
        raise LookupError(name) from exc
    if found in NOT_CHARSETS:
        raise LookupError(found)
    return found


def decode(payload: bytes, content_type: str = "") -> tuple[str, list[str]]:
    """The payload as text, and warnings in words when its encoding was not as declared."""
    for bom, encoding in _BOMS:
        if payload.startswith(bom):
            try:
                return payload.decode(encoding), []
            except UnicodeDecodeError as exc:
                raise ParseError(f"The feed starts with a {encoding.upper()} byte-order mark "
                                 f"but is not {encoding.upper()}: {exc.reason}.") from exc
    # UTF-16 without its byte-order mark, known by its first character's zero byte as XML's
    # appendix F does: read, with a word (the mark is what the standard asks for).
    for start, encoding in ((b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be")):
        if payload.startswith(start):
            try:
                return payload.decode(encoding), [
                    f"The feed is {encoding.upper()[:6]} without the byte-order mark XML asks "
                    "for; it was read as UTF-16 all the same."]
            except UnicodeDecodeError as exc:
                raise ParseError(f"The feed looks like UTF-16 but is not: {exc.reason}.") from exc
    declared = _declared_encoding(payload, content_type)
    try:
        text = payload.decode(charset(declared))
        if _single_byte(declared) and _utf8_beyond_ascii(payload):
            # Any bytes are some single-byte text, so that decode never fails: UTF-8 declared
            # Windows-1251 became mojibake with no word, and no watched term matched it.
            return payload.decode("utf-8"), [
                f"The feed says it is {declared.upper()} but its text is UTF-8; it was read "
                "as UTF-8."]
        return text, []
    except LookupError:
        warning = f"The feed names an encoding Dateline does not know ({declared!r})"
    except UnicodeDecodeError:
        warning = (f"The feed says it is {declared.upper()} but is not"
                   if _says_encoding(payload, content_type)
                   else "The feed names no encoding and is not UTF-8, XML's default")
    try:
        return payload.decode("utf-8"), [f"{warning}; it was read as UTF-8."]
    except UnicodeDecodeError:
        pass
    # The encoding its answer names, where the document's own declaration failed: the desk
    # names a feed's encoding there (polling.with_charset), and a Windows-1251 feed declaring
    # UTF-8 was read as Windows-1252 whatever the desk said, the warning asking for just that.
    named = _CHARSET.search(content_type or "")
    if named and named.group(1).lower() != declared.lower():
        try:
            return payload.decode(charset(named.group(1))), [
                f"{warning}; it was read as {named.group(1).upper()}, the encoding its answer "
                "names (on the desk, the feed's encoding)."]
        except (LookupError, UnicodeDecodeError):
            pass
    # Windows-1252 is what a wrongly labelled Western feed almost always is.
    text = payload.decode("cp1252", errors="replace")
    return text, [f"{warning}; it was read as Windows-1252 (Latin-1): if it is another, "
                  "name it as the feed's encoding on the desk."]


def _single_byte(encoding: str) -> bool:
    return codecs.lookup(encoding).name.startswith(
        ("cp125", "iso8859", "koi8", "mac-", "latin", "cp437", "cp850", "cp866"))


def _utf8_beyond_ascii(payload: bytes) -> bool:
    """Whether the bytes are UTF-8 with letters beyond ASCII: real single-byte text almost
    never is (a Cyrillic or accented letter in it is not followed by UTF-8's continuation
    bytes)."""
    if payload.isascii():
        return False
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _says_encoding(payload: bytes, content_type: str) -> bool:
    declaration = _DECLARATION.match(payload[:500])
    return bool((declaration and _ENCODING.search(declaration.group(0)))
                or _CHARSET.search(content_type or ""))


def _declared_encoding(payload: bytes, content_type: str) -> str:
    declaration = _DECLARATION.match(payload[:500])
    found = _ENCODING.search(declaration.group(0)) if declaration else None
    if found:
        return found.group(1).decode("ascii")
    charset = _CHARSET.search(content_type or "")
    return charset.group(1) if charset else "utf-8"


def root_name(payload: bytes) -> str:
    """The local name of the document's first element, read cheaply from its opening bytes."""
    head = payload[:4000].lstrip(codecs.BOM_UTF8)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="ignore")
    elif head.startswith((b"<\x00", b"\x00<")):  # UTF-16 without its mark
        text = head.decode("utf-16-le" if head[0] else "utf-16-be", errors="ignore")
    else:
        text = head.decode("latin-1")
    text = re.sub(r"<!--.*?-->|<\?.*?\?>|<!DOCTYPE[^\[>]*(\[.*?\])?\s*>", "", text, flags=re.S)
    found = _ROOT.search(text)
    return found.group(2) if found else ""


def safe_xml(payload: bytes, content_type: str = "") -> tuple[bytes, list[str]]:
    """The document re-encoded as UTF-8, checked well-formed and free of entities."""
    text, warnings = decode(payload, content_type)
    text = text.lstrip("\ufeff")
    declaration = _DECLARATION.match(text.encode("utf-8", errors="replace")[:500])
    if declaration:
        text = text[len(declaration.group(0).decode("utf-8", errors="replace")):]
    text, dropped = without_forbidden(text)
    if dropped:
        warnings.append(f"The feed holds {dropped:,} character"
                        + ("s that XML does not allow (control characters, halves of UTF-16 "
                           "pairs); they were" if dropped > 1 else
                           " that XML does not allow (a control character, half of a UTF-16 "
                           "pair); it was") + " left out.")
    named = sum(1 for found in _NAMED.finditer(text) if _characters(found.group(1)))
    if named:
        text = _NAMED.sub(_numbered, text)
        warnings.append(f"The feed uses {named:,} HTML entit" + ("ies" if named > 1 else "y")
                        + " (such as &nbsp;) that XML does not define; read as the "
                          "characters they name.")
    # No new line after it: the outlet's line numbers stay right in error messages.
    data = b'<?xml version="1.0" encoding="utf-8"?>' + text.encode("utf-8", errors="replace")
    check(data)
    return data, warnings


def _characters(name: str) -> str:
    """What an HTML entity's name stands for (HTML 5's names too: &hyphen;), "" for XML's
    own and for names HTML does not know either."""
    if name in _XML_OWN:
        return ""
    return html.entities.html5.get(f"{name};", "")


def _numbered(entity: re.Match) -> str:
    """An HTML entity as the character references XML reads; XML's own, and names HTML does
    not know either, as they were (the well-formedness check names the unknown)."""
    characters = _characters(entity.group(1))
    return "".join(f"&#{ord(c)};" for c in characters) if characters else entity.group(0)


def safe_parser() -> etree.XMLParser:
    """lxml that could not resolve an entity or fetch a DTD even if one slipped through."""
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                           load_dtd=False, dtd_validation=False, remove_comments=True,
                           remove_pis=True)


def check(data: bytes) -> None:
    """ParseError in words unless `data` is well-formed XML that declares no entities."""
    # Read for its faults alone: a target without start or end methods builds no tree (a
    # Python object per element, 2.4 s and hundreds of MB for 600,000 of them).
    parser = defusedxml.ElementTree.DefusedXMLParser(
        target=_Nothing(), forbid_dtd=False, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(data)
        parser.close()
    except defusedxml.EntitiesForbidden as exc:
        raise ParseError(
            f"The feed declares its own XML entity ({exc.name!r}); Dateline refuses entity "
            "declarations, which is how 'billion laughs' and file-reading attacks work."
        ) from exc
    except defusedxml.DefusedXmlException as exc:
        raise ParseError(
            "The feed refers to an external document, which Dateline never reads."
        ) from exc
    except ExpatError as exc:
        raise ParseError(f"The feed is not well-formed XML: {_where(exc)}.") from exc
    except RecursionError as exc:
        raise ParseError("The feed nests its elements too deeply to read.") from exc


class _Nothing:
    """A parser's target that keeps nothing."""

    def close(self) -> None:
        return None


def _where(exc: ExpatError) -> str:
    message = str(exc).split(":", 1)[0].strip() or "unreadable"
    line = getattr(exc, "position", (0, 0))[0]
    return f"{message} at line {line}" if line else message

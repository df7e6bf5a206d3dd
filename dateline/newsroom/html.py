"""Turn untrusted text into the small, safe HTML a story body may contain."""

import html
import re
import unicodedata
from urllib.parse import urljoin, urlsplit

import nh3
import regex

from dateline.base.graphemes import clipped

BODY_TAGS = {
    "p", "br", "h2", "h3", "h4", "blockquote", "ul", "ol", "li", "strong", "em", "b", "i",
    "u", "s", "sub", "sup", "a", "figure", "figcaption", "img", "table", "thead", "tbody",
    "tr", "th", "td", "caption", "hr", "cite", "q", "abbr", "small", "span",
}
BODY_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "abbr": {"title"},
    "q": {"cite"},
    "blockquote": {"cite"},
    # A numbered list as the desk's editor sets it: starting at 3, or numbered a, b, c.
    "ol": {"start", "type"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# The attributes of BODY_ATTRIBUTES that hold a URL.
URL_ATTRIBUTES = {("a", "href"), ("img", "src"), ("q", "cite"), ("blockquote", "cite")}
LINK_REL = "noopener noreferrer nofollow"
# The sanitiser's rules for a body, wherever a body is cleaned.
_BODY_RULES = {"tags": BODY_TAGS, "attributes": BODY_ATTRIBUTES, "url_schemes": URL_SCHEMES,
               "link_rel": LINK_REL, "strip_comments": True}
# One of those attributes, as the sanitiser writes them, holding a URL with no scheme.
_RELATIVE_URL = re.compile(r"\s(?:href|src|cite)=\"(?![a-zA-Z][a-zA-Z0-9+.-]*:)")

# Control characters other than tab, line feed and carriage return, Unicode's noncharacters
# (U+FFFE, U+FFFF, U+FDD0 to U+FDEF and the last two of every plane) and lone surrogates: no
# text a person means holds them, HTML calls them errors, and XML 1.0 cannot carry the
# controls, U+FFFE, U+FFFF or a surrogate (a feed or sitemap holding one is refused whole; a
# tag typed with U+FFFF in the desk broke every feed listing its story). Word's manual line
# break (vertical tab) and page break (form feed) arrive with pasted text: they become spaces;
# the rest go. So do the C1 controls (U+0080 to U+009F), but text that went through a Latin-1
# misreading carries Windows-1252's quotes and dashes as exactly those ("don\x92t"): each is
# read as the character it stands for, as browsers read such text ("don\u2019t"), not deleted.
_PASTED_BREAKS = str.maketrans({"\x0b": " ", "\x0c": " "} | {
    chr(code): bytes([code]).decode("cp1252", errors="ignore") or None
    for code in range(0x80, 0xA0)})
_CONTROL = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}"
              for plane in range(1, 17)) + "]")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# A sentence ends at its stop, a closing quote or bracket perhaps, and a space before a capital
# of any script or a letter of a script without capitals (Arabic, Hebrew, Devanagari): a
# Bulgarian or Arabic story's teaser was its whole opening, paragraphs run together. Chinese and
# Japanese write no space after their full stop. `regex` knows the letters' classes; `re` not.
_SENTENCE_END = regex.compile(
    r"(?<=[.!?\u061f\u06d4\u0964])[\"'\u201d\u2019\u00bb)]?\s+(?=[\p{Lu}\p{Lo}\"\u201c\u2018\u00ab(])"
    r"|(?<=[\u3002\uff01\uff1f])[\u300d\u300f\uff09]?(?=\S)")
# Words that end in a full stop without ending the sentence: "U.S.", "Mr.", "Corp."...
_INITIALS = re.compile(r"(?:\b[A-Za-z]\.)+$")
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "mt", "gen", "gov", "sen", "rep", "rev", "lt",
    "col", "capt", "sgt", "co", "corp", "inc", "ltd", "plc", "bros", "no", "vs", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "est",
}
MIN_SENTENCE = 20
_TAG = re.compile(r"<[^>]+>")
# How deep a body's elements may nest. A story goes a few levels (a list in a list, a table's
# cell); a thousand nested quotes (pasted, imported, or a reader's Markdown "> > > …") stop
# WeasyPrint, the edition's PDF, with a RecursionError, and others' parsers at their limits.
MAX_DEPTH = 32
_VOID = frozenset({"br", "hr", "img", "wbr", "source", "col", "input", "meta", "link"})
# Closed by the next of their kind or by their parent's end, so often written unclosed.
_SELF_CLOSING = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot",
                           "option", "caption", "colgroup"})
_START_OR_END = re.compile(r"<(/?)([a-zA-Z0-9]+)[^>]*>")


def without_control_characters(text: str) -> str:
    """The text as a person meant it: see _CONTROL above."""
    return _CONTROL.sub("", text.translate(_PASTED_BREAKS))


# Unicode's explicit direction marks: embeddings and overrides (LRE, RLE, LRO, RLO) end at a
# PDF; isolates (LRI, RLI, FSI) at a PDI, which ends the embeddings opened inside them too.
_EMBEDDINGS, _ISOLATES = frozenset("\u202a\u202b\u202d\u202e"), frozenset("\u2066\u2067\u2068")
_POP_EMBEDDING, _POP_ISOLATE = "\u202c", "\u2069"
_DIRECTION_MARK = re.compile("[\u202a-\u202e\u2066-\u2069]")


def directions_closed(text: str) -> str:
    """The text without the direction marks it leaves open or closes without opening.

    A right-to-left override left open in one author's name ran on to the end of the byline
    where names are joined ("By A and B"): the site's "and" read "dna" and the next name
    backwards, a reader-facing spoof, in the page, its title, the PDF, feeds and the wire
    alike. Balanced marks stay (a name written right to left inside a left-to-right one)."""
    if not _DIRECTION_MARK.search(text):
        return text
    kept, opened = list(text), []  # opened: (mark, index) still open
    for index, char in enumerate(text):
        if char in _EMBEDDINGS or char in _ISOLATES:
            opened.append((char, index))
        elif char == _POP_EMBEDDING:
            if opened and opened[-1][0] in _EMBEDDINGS:
                opened.pop()
            else:
                kept[index] = ""
        elif char == _POP_ISOLATE:
            if any(mark in _ISOLATES for mark, _ in opened):
                while opened.pop()[0] not in _ISOLATES:
                    pass
            else:
                kept[index] = ""
    for _, index in opened:
        kept[index] = ""
    return "".join(kept)


def as_meant(text: str) -> str:
    """The text as a person meant it: without control characters or unbalanced direction
    marks, and composed (NFC, as the W3C asks of the web). A Mac's or an outlet's decomposed
    "é" (e and a combining accent) looks the same but is other characters: the tagger, the
    clustering's word shingles and exact matches missed it. Never made longer (a few
    characters decompose under NFC), so a text within its column's limit stays within it."""
    text = directions_closed(without_control_characters(text))
    if unicodedata.is_normalized("NFC", text):
        return text
    composed = unicodedata.normalize("NFC", text)
    return composed if len(composed) <= len(text) else text


# A body that holds no picture (a live entry): an image there has no library photo behind it.
_WORDS_RULES = {**_BODY_RULES, "tags": BODY_TAGS - {"img"},
                "attributes": {tag: names for tag, names in BODY_ATTRIBUTES.items()
                               if tag != "img"}}


def sanitize_body(markup: str, *, images: bool = True) -> str:
    """Keep only the tags, attributes and URL schemes a story body needs (no images where
    `images` is False), nested no deeper than MAX_DEPTH."""
    return within_depth(nh3.clean(
        shallower(markup), **(_BODY_RULES if images else _WORDS_RULES),
        attribute_filter=_cite_of_a_safe_scheme).strip())


def shallower(markup: str, limit: int = 4 * MAX_DEPTH) -> str:
    """Untrusted HTML with the start and end tags nested past `limit` dropped, before the
    sanitiser's parser sees it: html5ever's time grows with the square of the nesting (100,000
    nested quotes, 1.2 MB, took 14 s of a request). Read loosely, as no parser would: only
    the depth matters here, and what comes out is sanitised in full after. Elements that
    close themselves when the next begins (a paragraph, a list item, a cell) add no depth."""
    if markup.count("<") <= limit:
        return markup
    open_names: list[str] = []  # never longer than `limit`
    dropped: dict[str, int] = {}
    kept, at = [], 0
    for tag in _START_OR_END.finditer(markup):
        name = tag.group(2).lower()
        if name in _VOID or name in _SELF_CLOSING:
            continue
        if not tag.group(1):  # a start tag
            if len(open_names) < limit:
                open_names.append(name)
                continue
            dropped[name] = dropped.get(name, 0) + 1
        elif dropped.get(name):
            dropped[name] -= 1
        else:
            if name in open_names:
                del open_names[len(open_names) - 1 - open_names[::-1].index(name):]
            continue
        kept.append(markup[at:tag.start()])
        at = tag.end()
    return "".join(kept) + markup[at:] if kept else markup


def within_depth(markup: str, limit: int = MAX_DEPTH) -> str:
    """Sanitised HTML (where < and > only ever delimit tags, and every element is closed)
    with no element deeper than `limit`: the tags below it are dropped, their text kept."""
    if markup.count("<") <= limit:
        return markup  # too few tags to nest that deep
    kept, stack, depth, at = [], [], 0, 0
    for tag in _START_OR_END.finditer(markup):
        closing, name = tag.group(1), tag.group(2).lower()
        if name in _VOID:
            continue
        if closing:
            dropped = stack.pop() if stack else False
            depth -= not dropped
        else:
            dropped = depth >= limit
            stack.append(dropped)
            depth += not dropped
        if dropped:
            kept.append(markup[at:tag.start()])
            at = tag.end()
    return "".join(kept) + markup[at:] if kept else markup


def _cite_of_a_safe_scheme(tag: str, attribute: str, value: str) -> str | None:
    """The sanitiser checks the schemes of href and src, not of cite: the same rule here."""
    if attribute != "cite":
        return value
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError:
        return None
    return value if not scheme or scheme in URL_SCHEMES else None


def with_absolute_urls(markup: str, base: str) -> str:
    """A sanitised body (sanitize_body's) whose links and images mean the same wherever it
    is read (a partner's site, a feed reader, the desk): each relative URL resolved against
    `base`, the page it belongs to. Without an http(s) base a path has nothing to be
    resolved against, so it is dropped (the link's words stay); a URL of its own scheme is
    kept as it is.

    The body at most doubles: thousands of one-letter paths joined onto a long base would
    make megabytes of a small body, so past that a relative URL is dropped too."""
    if not _RELATIVE_URL.search(markup):
        return markup  # most bodies: nothing to resolve, no second pass
    try:
        known = urlsplit(base).scheme in {"http", "https"}
    except ValueError:
        known = False
    budget = len(markup)

    def resolve(tag: str, attribute: str, value: str) -> str | None:
        nonlocal budget
        if (tag, attribute) not in URL_ATTRIBUTES:
            return value
        if _cite_of_a_safe_scheme(tag, attribute, value) is None:
            return None
        try:
            if urlsplit(value).scheme:
                return value
            joined = urljoin(base, value) if known else (
                "https:" + value if value.startswith("//") else None)
        except ValueError:  # "http://[x": no URL a reader could follow
            return None
        if joined is None or len(joined) - len(value) > budget:
            return None
        budget -= len(joined) - len(value)
        return joined

    # Sanitised again on the way: the filter sees only what the body's rules let through,
    # and nothing the filter returns is checked again, so it only ever joins onto `base`.
    return nh3.clean(markup, **_BODY_RULES, attribute_filter=resolve).strip()


def paragraphs_to_html(text: str) -> str:
    """Render plain text with blank-line paragraph breaks as escaped <p> elements."""
    paragraphs = [p.strip() for p in _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n"))]
    return "\n".join(
        "<p>{}</p>".format(html.escape(p, quote=False).replace("\n", "<br>"))
        for p in paragraphs
        if p
    )


# Elements inside a line of text: their tags join what is on either side ("H<sub>2</sub>O",
# "<strong>Breaking</strong>:"); any other tag (a paragraph's, a line break's) parts words.
_INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i",
    "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup",
    "time", "tt", "u", "var", "wbr"})
_ELEMENT_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>|<[^>]+>")


def _tag_as_text(tag: re.Match) -> str:
    return "" if (tag.group(1) or "").lower() in _INLINE else " "


def plain_text(markup: str) -> str:
    """Strip tags and entities, collapsing whitespace, for teasers and descriptions. An inline
    element's tags leave no space: "H<sub>2</sub>O" read "H 2 O" in every teaser and brief."""
    return " ".join(html.unescape(_ELEMENT_TAG.sub(_tag_as_text, markup)).split())


# What a body shows besides words: a story of a photo or a video says something.
_MEDIA = re.compile(r"<(img|picture|video|audio|iframe|embed|object)\b", re.IGNORECASE)


def has_content(markup: str) -> bool:
    """Whether a body shows a reader anything: words or media, not only empty paragraphs (what
    a rich-text box holds once Enter was pressed in it)."""
    return bool(plain_text(markup)) or bool(_MEDIA.search(markup))


def first_sentence(markup: str, limit: int = 300) -> str:
    """Return the opening sentence of a body, cut at a word boundary if it runs long."""
    text = plain_text(markup)
    sentence = text
    for boundary in _SENTENCE_END.finditer(text):
        if boundary.start() > limit:
            # A sentence ending later is cut at `limit` just as the whole text would be; and
            # looking on through "Mr. Mr. Mr. …" took time growing with the square (12 s a
            # save at 64 KB).
            break
        candidate = text[: boundary.start()].rstrip()
        last_word = candidate.rsplit(" ", 1)[-1].rstrip(".!?\"'”’)").lower()  # noqa: RUF001
        if _INITIALS.search(candidate) or last_word in _ABBREVIATIONS:
            continue
        if len(candidate) >= MIN_SENTENCE:
            sentence = candidate
            break
    if len(sentence) <= limit:
        return sentence
    return clipped(sentence, limit).rsplit(" ", 1)[0].rstrip(",;:") + "…"

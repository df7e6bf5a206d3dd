"""Turn untrusted text into the small, safe HTML a story body may contain."""

import html
import re

import nh3

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

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[A-Z\"“‘(])")  # noqa: RUF001
# Words that end in a full stop without ending the sentence: "U.S.", "Mr.", "Corp."...
_INITIALS = re.compile(r"(?:\b[A-Za-z]\.)+$")
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "mt", "gen", "gov", "sen", "rep", "rev", "lt",
    "col", "capt", "sgt", "co", "corp", "inc", "ltd", "plc", "bros", "no", "vs", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "est",
}
MIN_SENTENCE = 20
_TAG = re.compile(r"<[^>]+>")


def sanitize_body(markup: str) -> str:
    """Keep only the tags, attributes and URL schemes a story body needs."""
    return nh3.clean(
        markup,
        tags=BODY_TAGS,
        attributes=BODY_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def paragraphs_to_html(text: str) -> str:
    """Render plain text with blank-line paragraph breaks as escaped <p> elements."""
    paragraphs = [p.strip() for p in _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n"))]
    return "\n".join(
        "<p>{}</p>".format(html.escape(p, quote=False).replace("\n", "<br>"))
        for p in paragraphs
        if p
    )


def plain_text(markup: str) -> str:
    """Strip tags and entities, collapsing whitespace, for teasers and descriptions."""
    return " ".join(html.unescape(_TAG.sub(" ", markup)).split())


def first_sentence(markup: str, limit: int = 300) -> str:
    """Return the opening sentence of a body, cut at a word boundary if it runs long."""
    text = plain_text(markup)
    sentence = text
    for boundary in _SENTENCE_END.finditer(text):
        candidate = text[: boundary.start()].rstrip()
        last_word = candidate.rsplit(" ", 1)[-1].rstrip(".!?\"'”’)").lower()  # noqa: RUF001
        if _INITIALS.search(candidate) or last_word in _ABBREVIATIONS:
            continue
        if len(candidate) >= MIN_SENTENCE:
            sentence = candidate
            break
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"

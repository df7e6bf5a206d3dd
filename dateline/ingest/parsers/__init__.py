"""Parsers, one per format, in a registry; `parse()` picks one by hint or by content.

    parse(payload, content_type="application/rss+xml")  # detects RSS
    parse(payload, hint="ninjs")  # the Feed's configured parser

Add a format by subclassing `Parser` and naming it in DATELINE_INGEST_PARSERS
({"name": "dotted.path.Class"}). Whatever the payload, `parse()` returns a ParseResult or
raises ParseError with a message in words; no other exception leaves it.
"""

import logging

from dateline.base.plugins import PluginError, Registry

from .base import ParsedItem, ParseError, Parser, ParseResult

__all__ = ["ParseError", "ParseResult", "ParsedItem", "Parser", "detect", "parse", "registry"]

logger = logging.getLogger(__name__)

registry: Registry[Parser] = Registry(
    "ingest parser",
    Parser,
    setting="DATELINE_INGEST_PARSERS",
    builtins={
        "rss": "dateline.ingest.parsers.feeds.RSSParser",
        "atom": "dateline.ingest.parsers.feeds.AtomParser",
        "jsonfeed": "dateline.ingest.parsers.jsonfeed.JSONFeedParser",
        "ninjs": "dateline.ingest.parsers.ninjs.NinjsParser",
        "newsml-g2": "dateline.ingest.parsers.newsml.NewsMLParser",
        "jsonlines": "dateline.ingest.parsers.jsonlines.JSONLinesParser",
        "email": "dateline.ingest.parsers.mail.EmailParser",
    },
)


def detect(payload: bytes, content_type: str = "") -> Parser:
    """The first registered parser that accepts the payload; ParseError if none does."""
    for name in registry.names():
        parser = registry.get(name)()
        try:
            if parser.accepts(payload, content_type):
                return parser
        except Exception:  # a plug-in's sniffing must not decide the fate of the payload
            logger.exception("The ingest parser %r failed while sniffing a payload", name)
    start = payload[:40].decode("utf-8", errors="replace").strip() or "nothing"
    raise ParseError(
        "Dateline does not recognise this format (RSS, Atom, JSON Feed, ninjs, NewsML-G2, "
        f"JSON Lines or e-mail); it starts with {start!r}."
    )


def _hinted(hint: str) -> Parser:
    # A feed's parser is typed in the desk: a typo is the feed's failure, told in words.
    try:
        return registry.get(hint if hint in registry.paths() else hint.lower())()
    except PluginError as exc:
        raise ParseError(str(exc)) from exc


def parse(payload: bytes, *, content_type: str = "", hint: str = "") -> ParseResult:
    """Items from one payload, by the hinted parser or the one that recognises it."""
    if not payload or not payload.strip():
        raise ParseError("The answer was empty: there is nothing to read.")
    parser = _hinted(hint.strip()) if hint.strip() else detect(payload, content_type)
    try:
        return parser.parse(payload, content_type=content_type)
    except ParseError:
        raise
    except RecursionError as exc:
        raise ParseError("The payload nests too deeply to read.") from exc
    except Exception as exc:
        # A bug in a parser, or an input nobody foresaw: the worker logs it and goes on.
        logger.exception("The ingest parser %r failed on a payload", parser.name)
        raise ParseError(
            f"The {parser.name} parser could not read this payload ({type(exc).__name__}: "
            f"{str(exc)[:200]})."
        ) from exc

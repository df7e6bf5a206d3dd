"""NewsML-G2 text items: a `newsItem`, or a `newsMessage` carrying several.

Read with lxml after the XML checks (entities refused, encoding repaired), and with a parser
that could not resolve an entity or fetch a DTD even if one slipped through. The body is the
item's inline NITF or XHTML (or its plain `inlineData`), turned into the newsroom's HTML and
sanitised; pictures, videos and packages carry no text and are skipped.
"""

from html import escape

from lxml import etree

from . import normalise
from .base import ParseError, Parser, ParseResult
from .xml import root_name, safe_parser, safe_xml

NAR = "http://iptc.org/std/nar/2006-10-01/"
N = {"g": NAR}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ROOTS = ("newsItem", "newsMessage")
# NITF and XHTML elements that are story text; anything else is unwrapped to its text.
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre",
           "table", "tr", "td", "th", "em", "strong", "b", "i", "a", "br", "hl2", "tbody",
           "thead", "q", "sub", "sup", "span"}


class NewsMLParser(Parser):
    name = "newsml-g2"

    def accepts(self, payload: bytes, content_type: str = "") -> bool:
        return root_name(payload) in ROOTS

    def parse(self, payload: bytes, *, content_type: str = "") -> ParseResult:
        data, warnings = safe_xml(payload, content_type)
        try:
            root = etree.fromstring(data, safe_parser())
        except etree.XMLSyntaxError as exc:
            raise ParseError(f"The NewsML-G2 document is not well-formed XML: {exc}.") from exc
        if etree.QName(root).localname not in ROOTS or etree.QName(root).namespace != NAR:
            raise ParseError("This is not NewsML-G2: its root is not a newsItem or newsMessage "
                             "in the IPTC namespace.")
        news_items = [root] if etree.QName(root).localname == "newsItem" else root.findall(
            "g:itemSet/g:newsItem", N)
        items, skipped, empty = [], 0, 0
        for news_item in normalise.capped(news_items, warnings):
            item_class = news_item.find("g:itemMeta/g:itemClass", N)
            qcode = item_class.get("qcode", "") if item_class is not None else ""
            if qcode and not qcode.endswith(":text"):
                skipped += 1
                continue
            parsed = self.item(news_item)
            if parsed is not None:
                items.append(parsed)
            else:
                empty += 1
        if skipped:
            warnings.append(f"{skipped} item(s) were not text (pictures, video) and were skipped.")
        normalise.empty_left_out(empty, warnings)
        return ParseResult(format=self.name, items=items, warnings=warnings)

    def item(self, news_item: etree._Element):
        meta = "g:itemMeta/g:"
        content = "g:contentMeta/g:"
        language = news_item.find(f"{content}language", N)
        return normalise.item(
            headline=_text(news_item, f"{content}headline") or _nitf(news_item, "hl1"),
            guid=news_item.get("guid", ""),
            link="",
            summary=_text(news_item, f"{content}description") or _nitf(news_item, "abstract"),
            body=_body(news_item),
            author=_text(news_item, f"{content}creator/g:name") or _nitf(news_item, "byline"),
            language_tag=(language.get("tag", "") if language is not None else "")
            or news_item.get(XML_LANG, ""),
            published=_text(news_item, f"{meta}firstCreated")
            or _text(news_item, f"{content}contentCreated")
            or _text(news_item, f"{meta}versionCreated"),
            updated=_text(news_item, f"{meta}versionCreated")
            or _text(news_item, f"{content}contentModified"),
            raw=etree.tostring(news_item, encoding="unicode")[: normalise.text.MAX_RAW],
        )


def _text(element: etree._Element, path: str) -> str:
    found = element.find(path, N)
    return " ".join("".join(found.itertext()).split()) if found is not None else ""


def _nitf(news_item: etree._Element, local: str) -> str:
    found = news_item.xpath(f"g:contentSet//*[local-name()='{local}']", namespaces=N)
    return " ".join("".join(found[0].itertext()).split()) if found else ""


def _body(news_item: etree._Element) -> str:
    for inline in news_item.findall("g:contentSet/g:inlineXML", N):
        container = inline.xpath(".//*[local-name()='body.content'] | .//*[local-name()='body']"
                                 "[not(*[local-name()='body.content'])]")
        if container:
            return "".join(_html(child) for child in container[0])
    data = news_item.find("g:contentSet/g:inlineData", N)
    if data is not None and data.text:
        return data.text  # plain text: the normaliser keeps its paragraphs
    return ""


def _html(element: etree._Element) -> str:
    """NITF or XHTML as plain HTML elements without namespaces, for the sanitiser."""
    tail = escape(element.tail or "", quote=False)
    if not isinstance(element.tag, str):  # a comment or processing instruction
        return tail
    local = etree.QName(element).localname
    inner = escape(element.text or "", quote=False) + "".join(_html(c) for c in element)
    tag = "h2" if local == "hl2" else local
    if tag not in _BLOCKS:
        return f"{inner}{tail}"
    href = element.get("href", "") if tag == "a" else ""
    attrs = f' href="{escape(href)}"' if href else ""
    return f"<{tag}{attrs}>{inner}</{tag}>{tail}"

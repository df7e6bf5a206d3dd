"""Feed writers: Django's RSS and Atom with one author element per author, and JSON Feed 1.1.

The feed views hand every writer the same item: `description` is the teaser as plain text and
`content_html` the sanitised body (only when full content is on). Each writer encodes them so
that readers take the text as text: a ticker such as `<KUMT.TOK>` or a reader's `<img …>` is
shown as written, never read as markup.

Each names the WebSub hub (`hub_url`, set by the feed view) beside the feed's own URL.

A story with a lead photo (`photo`, a syndication.pictures.LeadPhoto) carries it as Media RSS
`media:content` in RSS and Atom, beside the enclosure Django writes (RSS <enclosure>, Atom
<link rel="enclosure">), and as `image` in JSON Feed. A story without one is written as before.
"""

import json
import re

from django.utils import feedgenerator
from django.utils.feedgenerator import rfc3339_date
from django.utils.html import escape
from django.utils.xmlutils import SimplerXMLGenerator

CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
MEDIA = "http://search.yahoo.com/mrss/"
# What XML 1.0 cannot hold (its Char production): stored text is cleaned of them as it is saved
# (newsroom.html.as_meant), but a feed stays readable whatever an older row or a plug-in holds.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What makes a reader guessing whether an RSS title is text or HTML (feedparser, as others)
# take it for HTML: a closing tag or an entity. Such a title goes in as HTML made from its text,
# or "<b>x</b>" showed as a bold x and a literal "&amp;" as "&"; any other stays plain text.
READ_AS_HTML = re.compile(r"</\w+>|&#?\w+;")


class FeedXMLGenerator(SimplerXMLGenerator):
    """Drops the control characters XML 1.0 cannot hold (wire copy has some) instead of failing
    the whole feed, as Django's writer does.

    With `hex_references` it writes & and < as &#x26; and &#x3C;, as the RSS Best Practices
    Profile asks: RSS never says whether a title is text or HTML, readers that decode entities
    twice still show a hexadecimal reference as the character, and the W3C validator warns
    ("Encode & and <") on anything else.
    """

    hex_references = False

    def characters(self, content) -> None:
        content = CONTROL_CHARACTERS.sub("", content or "")
        if not (self.hex_references and content):
            super().characters(content)
            return
        self._finish_pending_start_element()
        self._write(content.replace("&", "&#x26;").replace("<", "&#x3C;").replace(">", "&gt;"))

    def startElement(self, name, attrs) -> None:
        super().startElement(name, {key: CONTROL_CHARACTERS.sub("", value)
                                    for key, value in attrs.items()})


def with_photos(items: list[dict]) -> bool:
    return any(item.get("photo") for item in items)


def add_media_content(handler, photo) -> None:
    """Media RSS's one picture: the 16:9 JPEG with its size, caption, credit and thumbnail."""
    main = photo.main
    handler.startElement("media:content", {
        "url": main.url, "medium": "image", "type": main.content_type,
        "width": str(main.width), "height": str(main.height), "fileSize": str(main.size)})
    if photo.caption:
        if READ_AS_HTML.search(photo.caption):
            handler.addQuickElement("media:description", escape(photo.caption), {"type": "html"})
        else:
            handler.addQuickElement("media:description", photo.caption, {"type": "plain"})
    if photo.credit:
        handler.addQuickElement("media:credit", photo.credit)
    if photo.photo.copyright_notice:
        handler.addQuickElement("media:copyright", photo.photo.copyright_notice)
    if thumbnail := photo.images.get("thumbnail"):
        handler.addQuickElement("media:thumbnail", None, {
            "url": thumbnail.url, "width": str(thumbnail.width),
            "height": str(thumbnail.height)})
    handler.endElement("media:content")


class RssXMLGenerator(FeedXMLGenerator):
    hex_references = True


class RssFeed(feedgenerator.Rss201rev2Feed):
    """RSS 2.0; each author is a dc:creator, since <author> must be an e-mail address."""

    def write(self, outfile, encoding) -> None:
        # Django's Rss201rev2Feed.write with our writer.
        handler = RssXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        self.add_stylesheets(handler)
        handler.startElement("rss", self.rss_attributes())
        handler.startElement("channel", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        self.endChannelElement(handler)
        handler.endElement("rss")

    def rss_attributes(self) -> dict:
        attributes = {**super().rss_attributes(), "xmlns:dc": DC, "xmlns:content": CONTENT}
        if with_photos(self.items):
            attributes["xmlns:media"] = MEDIA
        return attributes

    def add_root_elements(self, handler) -> None:
        # The channel's title and description read as the items' titles do: as HTML made from
        # the text where a reader would guess HTML (a tag named "&amp; amp" showed as "& amp").
        feed = self.feed
        self.feed = {**feed, **{key: escape(feed[key]) for key in ("title", "description")
                                if feed.get(key) and READ_AS_HTML.search(feed[key])}}
        try:
            super().add_root_elements(handler)  # with <atom:link rel="self"> and <copyright>
        finally:
            self.feed = feed
        if hub := self.feed.get("hub_url"):
            handler.addQuickElement("atom:link", None, {"rel": "hub", "href": hub})

    def add_item_elements(self, handler, item) -> None:
        # Readers take <description> as HTML, so the teaser goes in as HTML made from its text.
        text, title = item["description"], item["title"]
        if READ_AS_HTML.search(title):
            title = escape(title)
        super().add_item_elements(handler, {**item, "title": title,
                                            "description": text and escape(text)})
        for name in item.get("authors", ()):
            handler.addQuickElement("dc:creator", name)
        if item.get("item_copyright"):  # RSS 2.0 has no item-level <copyright>
            handler.addQuickElement("dc:rights", item["item_copyright"])
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])
        if item.get("photo"):
            # After content:encoded: feedparser takes a media:description met before the
            # body for the entry's content.
            add_media_content(handler, item["photo"])


class AtomFeed(feedgenerator.Atom1Feed):
    """Atom 1.0 with an <author> per author (RFC 4287 allows several)."""

    def write(self, outfile, encoding) -> None:
        # Django's Atom1Feed.write with our writer.
        handler = FeedXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    def root_attributes(self) -> dict:
        attributes = super().root_attributes()
        if with_photos(self.items):
            attributes["xmlns:media"] = MEDIA
        return attributes

    def add_root_elements(self, handler) -> None:
        super().add_root_elements(handler)  # includes <link rel="self"> and <rights>
        # The agency, which RFC 4287 (4.1.1) requires of a feed unless every entry names its
        # own: a story with no staff author, written byline or source names none.
        for author in self.feed.get("authors") or ():
            handler.startElement("author", {})
            handler.addQuickElement("name", author["name"])
            if author.get("url"):
                handler.addQuickElement("uri", author["url"])
            handler.endElement("author")
        if hub := self.feed.get("hub_url"):
            handler.addQuickElement("link", "", {"rel": "hub", "href": hub})

    def add_item_elements(self, handler, item) -> None:
        # Django would write the description as <summary type="html">; ours is plain text.
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})
        for name in item.get("authors", ()):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.endElement("author")
        for href, title in item.get("related", ()):  # RFC 4287 4.2.7.2
            handler.addQuickElement("link", "", {"rel": "related", "href": href,
                                                 "type": "text/html", "title": title})
        if item.get("photo"):  # Django wrote its <link rel="enclosure">
            add_media_content(handler, item["photo"])


class JsonFeed(feedgenerator.SyndicationFeed):
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), filled by the same Feed classes."""

    content_type = "application/feed+json; charset=utf-8"
    version = "https://jsonfeed.org/version/1.1"

    def write(self, outfile, encoding) -> None:
        outfile.write(json.dumps(self.document(), ensure_ascii=False))

    def document(self) -> dict:
        feed = self.feed
        document = {
            "version": self.version,
            "title": feed["title"],
            "home_page_url": feed["link"],
            "feed_url": feed["feed_url"],
            "description": feed["description"],
            "icon": feed.get("icon"),
            "favicon": feed.get("favicon"),
            "authors": feed.get("authors") or None,
            "language": feed["language"],
            "hubs": [{"type": "WebSub", "url": feed["hub_url"]}] if feed.get("hub_url") else None,
            "items": [self.item(item) for item in self.items],
        }
        return {k: v for k, v in document.items() if v is not None}

    def item(self, item: dict) -> dict:
        entry = {
            "id": item["unique_id"] or item["link"],
            "url": item["link"],
            "title": item["title"],
            "summary": item["description"],
            "date_published": item["pubdate"] and rfc3339_date(item["pubdate"]),
            "date_modified": item["updateddate"] and rfc3339_date(item["updateddate"]),
            "authors": [{"name": name} for name in item.get("authors", ())] or None,
            "tags": list(item["categories"]) or None,
        }
        if item.get("content_html"):
            entry["content_html"] = item["content_html"]
        else:
            entry["content_text"] = item["description"] or ""
        if photo := item.get("photo"):
            # JSON Feed names a URL each, no size or words: the 16:9 JPEG as both.
            entry["image"] = entry["banner_image"] = photo.main.url
        return {k: v for k, v in entry.items() if v is not None}

"""An outlet's feed as its format writes it: RSS 2.0 and Atom with Django's feed generator, JSON
Feed 1.1 and a ninjs 3.1 list (the shape of our own wire, `{"items": [...], "next": null}`),
and a story's own page, which the feeds link to."""

import json
from html import escape

from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from dateline.ingest.demo.outlets import BY_SLUG, Outlet, Story
from dateline.ingest.demo.replay import Entry

CONTENT_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "jsonfeed": "application/feed+json; charset=utf-8",
    "ninjs": "application/json; charset=utf-8",
}
NINJS_SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json"


def body_html(story: Story) -> str:
    return "".join(f"<p>{escape(paragraph)}</p>" for paragraph in story.paragraphs)


class AtomWithContent(Atom1Feed):
    """Atom with the whole story in <content>, not only the summary Django writes."""

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content"], {"type": "html"})


class RSSWithContent(Rss201rev2Feed):
    """RSS 2.0 with the whole story in <content:encoded>, as outlets send it; <description>
    holds the teaser (readers, ingest included, take <description> for a summary)."""

    def rss_attributes(self) -> dict:
        return {**super().rss_attributes(),
                "xmlns:content": "http://purl.org/rss/1.0/modules/content/"}

    def add_item_elements(self, handler, item) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content"])


def feed_document(outlet: Outlet, entries: list[Entry], base: str) -> bytes:
    """The outlet's feed listing these entries; `base` is the server's origin."""
    site, feed_url = f"{base}/{outlet.slug}/", f"{base}/{outlet.slug}/feed"
    author = outlet.author
    if outlet.format in ("rss", "atom"):
        return _syndication_feed(outlet, entries, base, site, feed_url, author)
    if outlet.format == "jsonfeed":
        document = {
            "version": "https://jsonfeed.org/version/1.1", "title": outlet.name,
            "home_page_url": site, "feed_url": feed_url, "description": outlet.description,
            "language": "en", "authors": [{"name": author}],
            "items": [_json_feed_item(entry, base) for entry in entries],
        }
    else:
        document = {"items": [ninjs_item(entry, base) for entry in entries],
                    "next": None}
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def _syndication_feed(outlet, entries, base, site, feed_url, author) -> bytes:
    kind = RSSWithContent if outlet.format == "rss" else AtomWithContent
    feed = kind(title=outlet.name, link=site, description=outlet.description, language="en",
                feed_url=feed_url, author_name=author, subtitle=outlet.description,
                ttl=str(outlet.period_s // 60))
    for entry in entries:
        html = body_html(entry.story)
        feed.add_item(
            title=entry.story.headline, link=base + entry.path, unique_id=entry.guid,
            unique_id_is_permalink=False, pubdate=entry.published, updateddate=entry.published,
            categories=[entry.story.section] if entry.story.section else None,
            description=escape(entry.story.paragraphs[0]), content=html,
        )
    return feed.writeString("utf-8").encode()


def _json_feed_item(entry: Entry, base: str) -> dict:
    item = {"id": entry.guid, "url": base + entry.path, "title": entry.story.headline,
            "content_html": body_html(entry.story), "summary": entry.story.paragraphs[0],
            "date_published": entry.published.isoformat()}
    if entry.story.section:
        item["tags"] = [entry.story.section]
    return item


def ninjs_item(entry: Entry, base: str) -> dict:
    story, when = entry.story, entry.published.isoformat()
    original = BY_SLUG[entry.outlet.rewrites or entry.outlet.slug]
    item = {
        "uri": entry.guid,
        "standard": {"name": "ninjs", "version": "3.1", "schema": NINJS_SCHEMA},
        "type": "text", "representationType": "full", "version": "1",
        "firstCreated": when, "versionCreated": when, "pubStatus": "usable",
        "language": "en",
        "headlines": [{"role": "main", "value": story.headline}],
        "descriptions": [{"role": "summary", "contentType": "text/plain",
                          "value": story.paragraphs[0]}],
        "bodies": [{"role": "main", "contentType": "text/html", "value": body_html(story)}],
        "by": entry.outlet.author,
        # A rewrite names the outlet it was rewritten from, as a real one would.
        "infoSources": [{"name": original.author, "role": "originatingSource"}],
        "renditions": [{"name": "canonical", "href": base + entry.path,
                        "contentType": "text/html", "title": story.headline}],
    }
    if story.section:
        item["subjects"] = [{"name": story.section}]
    return item


def story_page(entry: Entry) -> bytes:
    """The story's page at the outlet, where its feed links (and full text is read from)."""
    story, outlet = entry.story, entry.outlet
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(story.headline)} — {escape(outlet.name)}</title></head>"
        f"<body><header><p>{escape(outlet.name)}: {escape(outlet.description)}</p></header>"
        f"<main><article><h1>{escape(story.headline)}</h1>"
        f"<p><time datetime=\"{entry.published.isoformat()}\">"
        f"{entry.published:%d %B %Y, %H:%M %Z}</time></p>{body_html(story)}</article></main>"
        "</body></html>"
    ).encode()


def index_page(outlets, base: str) -> bytes:
    rows = "".join(
        f"<li><a href=\"{base}/{o.slug}/feed\">{escape(o.name)}</a> ({o.format}): "
        f"{escape(o.description)}</li>" for o in outlets)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Dateline demo outlets</title></head><body><h1>Demo outlets replaying the "
            f"archive (not live sources)</h1><ul>{rows}</ul></body></html>").encode()

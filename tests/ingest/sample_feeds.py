"""Feeds built from real corpus stories (BBC News 2004-05), in every format an outlet sends.

Django's own feed generators write RSS 0.91, RSS 2.0 and Atom, so those documents are what a
real publisher's software emits; RSS 0.92, RSS 1.0 and JSON Feed are written here from their
specs. Stories get deterministic dates and links, since the corpus has none.
"""

import json
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

from django.utils import feedgenerator

from tests.conftest import require_shared

BASE = "https://outlet.example/news/"
START = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def stories(count: int = 5) -> list[dict]:
    """The first `count` corpus stories, each with a link and a date of its own."""
    path = require_shared("corpus/bbc-news/articles.jsonl")
    found = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if number >= count:
                break
            record = json.loads(line)
            record["link"] = f"{BASE}{record['id']}?utm_source=rss&ref=feed"
            record["date"] = START + timedelta(hours=number)
            record["summary"] = record["body"].split("\n\n")[0]
            found.append(record)
    return found


def django_feed(kind: type[feedgenerator.SyndicationFeed], records: list[dict]) -> bytes:
    feed = kind(title="Outlet news", link=BASE, description="Demo outlet", language="en-gb")
    for record in records:
        feed.add_item(
            title=record["title"], link=record["link"], unique_id=record["id"],
            description=record["summary"], pubdate=record["date"], author_name="Outlet desk",
            content=_paragraphs(record["body"]) if kind is AtomWithContent else None,
        )
    return feed.writeString("utf-8").encode("utf-8")


def rss20(records: list[dict]) -> bytes:
    return django_feed(feedgenerator.Rss201rev2Feed, records)


def rss091(records: list[dict]) -> bytes:
    return django_feed(feedgenerator.RssUserland091Feed, records)


class AtomWithContent(feedgenerator.Atom1Feed):
    """Django's Atom with the full story in <content>, as outlets that give it write it."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


def atom(records: list[dict]) -> bytes:
    return django_feed(AtomWithContent, records)


def rss092(records: list[dict]) -> bytes:
    items = "".join(
        f"<item><title>{escape(r['title'])}</title><link>{escape(r['link'])}</link>"
        f"<description>{escape(r['summary'])}</description></item>"
        for r in records
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="0.92"><channel>'
        f"<title>Outlet news</title><link>{BASE}</link><description>Demo</description>"
        f"<language>en</language>{items}</channel></rss>"
    ).encode()


def rss10(records: list[dict]) -> bytes:
    items = "".join(
        f'<item rdf:about="{escape(r["link"])}"><title>{escape(r["title"])}</title>'
        f"<link>{escape(r['link'])}</link><description>{escape(r['summary'])}</description>"
        f"<dc:date>{r['date'].isoformat()}</dc:date><dc:language>en</dc:language></item>"
        for r in records
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="{BASE}"><title>Outlet news</title><link>{BASE}</link>'
        f"<description>Demo</description></channel>{items}</rdf:RDF>"
    ).encode()


def jsonfeed(records: list[dict], version: str = "1.1") -> bytes:
    items = []
    for r in records:
        item = {"id": r["id"], "url": r["link"], "title": r["title"], "summary": r["summary"],
                "content_html": _paragraphs(r["body"]), "date_published": r["date"].isoformat()}
        if version == "1.1":
            item["authors"] = [{"name": "Outlet desk"}]
        else:
            item["author"] = {"name": "Outlet desk"}
        items.append(item)
    feed = {"version": f"https://jsonfeed.org/version/{version}", "title": "Outlet news",
            "home_page_url": BASE, "items": items}
    if version == "1.1":
        feed["language"] = "en-GB"
    return json.dumps(feed).encode()


def jsonlines(records: list[dict]) -> bytes:
    lines = [{"id": r["id"], "title": r["title"], "body": r["body"], "source": "BBC News",
              "published": r["date"].isoformat(), "url": r["link"].split("?")[0]}
             for r in records]
    return "\n".join(json.dumps(line) for line in lines).encode()


def _paragraphs(body: str) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in body.split("\n\n"))

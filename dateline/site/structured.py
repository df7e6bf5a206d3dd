"""schema.org structured data for the public pages, built here and serialised safely.

Search engines and aggregators read `NewsArticle` and `BreadcrumbList` from JSON-LD. The data
is built as Python values and escaped by `json_ld`, never assembled as text in a template.
"""

import json
import re

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from dateline.base.addresses import asset
from dateline.base.prepared import all_of
from dateline.newsroom.credit import credit, rights
from dateline.newsroom.models import Article, Section
from dateline.pictures.display import image_url
from dateline.pictures.models import StoryPhoto
from dateline.pictures.stories import caption_of, credit_of

from .own_url import site_url

CONTEXT = "https://schema.org"
# A raster logo within Google's 600x60 box for publisher logos; SVG logos are not accepted there.
LOGO, LOGO_WIDTH, LOGO_HEIGHT = "site/logo.png", 600, 60
# What `json_script` escapes: a "</script>" or "<!--" in a headline must not end the element.
_ESCAPES = (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026"))
# The shapes Google asks for in an article's `image`, each at least 1200 px wide if it can be.
IMAGE_SHAPES = ("16x9", "4x3", "1x1")
IMAGE_MIN_WIDTH = 1200
_URL = re.compile(r"https?://[^\s<>\"']+")
_YEAR = re.compile(r"\b(?:1[5-9]|20)\d\d\b")


def json_ld(data: dict) -> SafeString:
    """A `<script type="application/ld+json">` data block; browsers do not execute it."""
    text = json.dumps(data, ensure_ascii=False)
    # str.replace, not str.translate: translate looks every character of the story's text up
    # in a dict (3 % of an article page rendered afresh); none of the escapes holds another.
    for character, escaped in _ESCAPES:
        text = text.replace(character, escaped)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


def iso(moment) -> str:
    """An ISO 8601 time with its offset, in the site's time zone."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def publisher(request: HttpRequest) -> dict:
    return {
        "@type": "NewsMediaOrganization",
        "name": settings.DATELINE_SITE_NAME,
        "url": site_url("/"),
        "logo": {
            "@type": "ImageObject", "url": site_url(asset(LOGO)),
            "width": LOGO_WIDTH, "height": LOGO_HEIGHT,
        },
    }


def breadcrumb_list(request: HttpRequest, sections: list[Section]) -> dict:
    return {
        "@context": CONTEXT,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": s.name,
             "item": site_url(s.get_absolute_url())}
            for i, s in enumerate(sections, start=1)
        ],
    }


def news_article(request: HttpRequest, article: Article, lead: StoryPhoto | None = None) -> dict:
    """The story as a NewsArticle; `article` has its authors, sources and tags prefetched,
    `lead` (its lead photo, if any) its renditions."""
    url = site_url(article.get_absolute_url())
    owner = rights(article)
    undated = article.published_at_is_import_time
    data = {
        "@context": CONTEXT,
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.headline,
        "description": article.teaser,
        # Of a story whose source gave no date, the import's time is no publication date:
        # left out, as the feeds leave out their pubDate (search engines took the archive's
        # 2004 stories for today's news).
        "datePublished": None if undated else iso(article.published_at),
        "dateModified": None if undated and not article.updated_at
        else iso(article.last_changed_at),
        "articleSection": article.section.display_path,
        "keywords": [t.name for t in all_of(article, "tags")],
        "author": authors(request, article),
        "publisher": publisher(request),
        "isBasedOn": [
            {"@type": "CreativeWork", "name": s.name, **({"url": s.url} if s.url else {})}
            for s in all_of(article, "sources")
        ],
        "isAccessibleForFree": True,
        "copyrightHolder": {"@type": "Organization", "name": owner.holder},
        "copyrightYear": copyright_year(article, owner.notice),
        "copyrightNotice": owner.notice,
        "image": images(request, lead) if lead else [],
    }
    # Empty lists say nothing; leave the properties out rather than claim "none".
    return {k: v for k, v in data.items() if v not in ([], "", None)}


def copyright_year(article: Article, notice: str) -> int | None:
    """The year the notice names ("Copyright 1987 Reuters"), else the year the story came out;
    none for a story whose source gave no date (its time is the import's, not the work's)."""
    named = _YEAR.search(notice or "")
    if named:
        return int(named.group())
    if article.published_at_is_import_time:
        return None
    return timezone.localtime(article.published_at).year


def authors(request: HttpRequest, article: Article) -> list[dict]:
    """The people the story names, or the agency whose copy it is: never an invented person."""
    credited = credit(article)
    if credited.text and credited.agencies:  # written out as its agency's name
        return [{"@type": "Organization", "name": credited.text}]
    if credited.text:  # written out by the desk: a name, not a page of ours
        return [{"@type": "Person", "name": credited.text}]
    named = [
        {"@type": "Person", "name": a.name,
         "url": site_url(a.get_absolute_url())}
        for a in credited.authors
    ] + [
        {"@type": "Organization", "name": s.name, **({"url": s.url} if s.url else {})}
        for s in credited.agencies
    ]
    # A story that credits no one is the house's own copy, as the wire says (`by`).
    return named or [{"@type": "Organization", "name": settings.DATELINE_SITE_NAME,
                      "url": site_url("/")}]


def images(request: HttpRequest, lead: StoryPhoto) -> list[dict]:
    """The lead photo as ImageObjects, one a shape (until the worker has made every shape the
    nearest one stands in, given once), with the caption, credit and rights Google shows."""
    photo, found, seen = lead.photo, [], set()
    for shape in IMAGE_SHAPES:
        chosen = image_url(photo, shape, IMAGE_MIN_WIDTH, request=request)
        if chosen is None or chosen[0] in seen:
            continue
        seen.add(chosen[0])
        url, width, height = chosen
        node = {
            "@type": "ImageObject", "url": url, "contentUrl": url,
            "width": width, "height": height,
            "caption": caption_of(lead), "creditText": credit_of(lead),
            "copyrightNotice": photo.copyright_notice,
            **rights_of_photo(photo.usage_terms),
        }
        if photo.creator:
            node["creator"] = {"@type": "Person", "name": photo.creator}
        found.append({k: v for k, v in node.items() if v != ""})
    return found


def rights_of_photo(usage_terms: str) -> dict:
    """`license` (and, when the terms name a page, `acquireLicensePage`) from the usage terms:
    Google's image licence badge wants URLs; words alone are kept as a CreativeWork's text."""
    terms = usage_terms.strip()
    if not terms:
        return {}
    page = _URL.search(terms)
    if page is None:
        return {"license": {"@type": "CreativeWork", "text": terms}}
    url = page.group(0).rstrip(".,;)")
    return {"license": url, "acquireLicensePage": url}


def social_image(request: HttpRequest, lead: StoryPhoto | None) -> dict | None:
    """The link preview's picture (og:image, twitter:image): the 16:9 JPEG, 1200 px if it can."""
    chosen = image_url(lead.photo, "16x9", IMAGE_MIN_WIDTH, request=request) if lead else None
    if chosen is None:
        return None
    url, width, height = chosen
    return {"url": url, "width": width, "height": height, "alt": lead.photo.alt_text,
            "type": "image/jpeg"}


def home_page(request: HttpRequest) -> dict:
    return {"@context": CONTEXT, **publisher(request)}

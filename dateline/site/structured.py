"""schema.org structured data for the public pages, built here and serialised safely.

Search engines and aggregators read `NewsArticle` and `BreadcrumbList` from JSON-LD. The data
is built as Python values and escaped by `json_ld`, never assembled as text in a template.
"""

import json

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from dateline.newsroom.credit import credit, rights
from dateline.newsroom.models import Article, Section

CONTEXT = "https://schema.org"
# A raster logo within Google's 600x60 box for publisher logos; SVG logos are not accepted there.
LOGO, LOGO_WIDTH, LOGO_HEIGHT = "site/logo.png", 600, 60
# What `json_script` escapes: a "</script>" or "<!--" in a headline must not end the element.
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld(data: dict) -> SafeString:
    """A `<script type="application/ld+json">` data block; browsers do not execute it."""
    text = json.dumps(data, ensure_ascii=False).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


def iso(moment) -> str:
    """An ISO 8601 time with its offset, in the site's time zone."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def publisher(request: HttpRequest) -> dict:
    return {
        "@type": "NewsMediaOrganization",
        "name": settings.DATELINE_SITE_NAME,
        "url": request.build_absolute_uri("/"),
        "logo": {
            "@type": "ImageObject", "url": request.build_absolute_uri(static(LOGO)),
            "width": LOGO_WIDTH, "height": LOGO_HEIGHT,
        },
    }


def breadcrumb_list(request: HttpRequest, sections: list[Section]) -> dict:
    return {
        "@context": CONTEXT,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": s.name,
             "item": request.build_absolute_uri(s.get_absolute_url())}
            for i, s in enumerate(sections, start=1)
        ],
    }


def news_article(request: HttpRequest, article: Article) -> dict:
    """The story as a NewsArticle; `article` has its authors, sources and tags prefetched."""
    url = request.build_absolute_uri(article.get_absolute_url())
    owner = rights(article)
    data = {
        "@context": CONTEXT,
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.headline,
        "description": article.teaser,
        "datePublished": iso(article.published_at),
        "dateModified": iso(article.last_changed_at),
        "articleSection": article.section.display_path,
        "keywords": [t.name for t in article.tags.all()],
        "author": authors(request, article),
        "publisher": publisher(request),
        "isBasedOn": [
            {"@type": "CreativeWork", "name": s.name, **({"url": s.url} if s.url else {})}
            for s in article.sources.all()
        ],
        "isAccessibleForFree": True,
        "copyrightHolder": {"@type": "Organization", "name": owner.holder},
        "copyrightYear": timezone.localtime(article.published_at).year,
        "copyrightNotice": owner.notice,
    }
    # Empty lists say nothing; leave the properties out rather than claim "none".
    return {k: v for k, v in data.items() if v not in ([], "")}


def authors(request: HttpRequest, article: Article) -> list[dict]:
    """The people the story names, or the agency whose copy it is: never an invented person."""
    credited = credit(article)
    if credited.text:  # written out by the desk: a name, not a page of ours
        return [{"@type": "Person", "name": credited.text}]
    return [
        {"@type": "Person", "name": a.name,
         "url": request.build_absolute_uri(a.get_absolute_url())}
        for a in credited.authors
    ] + [
        {"@type": "Organization", "name": s.name, **({"url": s.url} if s.url else {})}
        for s in credited.agencies
    ]


def home_page(request: HttpRequest) -> dict:
    return {"@context": CONTEXT, **publisher(request)}

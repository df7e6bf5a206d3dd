"""The brief a story shows: the stored `Brief` (the machine's, or an editor's edit), else one
computed on the spot by the summariser in use, so that a story never lacks one (a story saved
before the worker ran, or an archive not yet rebuilt)."""

import html
import re
from collections.abc import Iterable

from django.conf import settings

from dateline.newsroom.models import Article

from ..base import Story
from ..models import Brief
from ..plugins import part

_BLOCK_END = re.compile(r"(?i)</(?:p|h[1-6]|li|blockquote|figcaption|div)>|<br\s*/?>")
_TAG = re.compile(r"<[^>]*>")


def story_of(article: Article) -> Story:
    """What a part sees of an article: headline and plain body, paragraphs kept apart."""
    text = html.unescape(_TAG.sub(" ", _BLOCK_END.sub("\n\n", article.body or "")))
    body = "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip())
    return Story(headline=article.headline, body=body, pk=article.pk,
                 section_id=article.section_id, published_at=article.published_at)


def brief_for(article: Article) -> str:
    return briefs_for([article])[article.pk]


def briefs_for(articles: Iterable[Article]) -> dict[int, str]:
    """Each article's brief by pk, in one query for the stored ones. Articles loaded with
    `for_listing()` lack their body; the few without a stored brief are read whole."""
    articles = [a for a in articles if a is not None]
    stored = dict(Brief.objects.filter(article__in=[a.pk for a in articles])
                  .exclude(text="").values_list("article_id", "text"))
    missing = [a.pk for a in articles if a.pk not in stored]
    if missing:
        summariser = part("summariser")
        limit = settings.DATELINE_BRIEF_MAX_WORDS
        for article in Article.objects.filter(pk__in=missing).only(
                "headline", "body", "section_id", "published_at"):
            stored[article.pk] = summariser.brief(story_of(article), limit)
    return stored

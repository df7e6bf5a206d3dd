"""The brief a story shows: the stored `Brief` (the machine's, or an editor's edit), else one
computed on the spot by the summariser in use, so that a story never lacks one (a story saved
before the worker ran, or an archive not yet rebuilt)."""

from collections.abc import Iterable

from django.conf import settings

from dateline.newsroom.models import Article

from ..models import Brief
from ..plugins import part
from ..text import story_of


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

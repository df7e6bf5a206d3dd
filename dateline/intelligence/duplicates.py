"""Stories "very like" the one being analysed, flagged to editors before they publish it.

The same idea as the ingest's clustering (word shingles compared by their overlap), kept
small and exact here: a story is compared with a few dozen candidates (the ranker's nearest
and the same section's stories of the last days), so no MinHash sketch is needed, and
intelligence does not import ingest, a sibling layer.
"""

import re
from datetime import timedelta

from django.utils import timezone

from dateline.newsroom.models import Article

from .base import Story
from .text import story_of

SHINGLE = 4  # words
# Share of shingles in common (Jaccard) from which a story counts as a copy or a rewrite of
# another: agency copy run twice, or one event filed by two reporters from the same release.
VERY_LIKE = 0.5
RECENT = timedelta(days=3)
RECENT_LIMIT = 30
_WORD = re.compile(r"\w+")


def shingles(story: Story) -> set[tuple[str, ...]]:
    words = _WORD.findall(f"{story.headline}\n{story.body}".casefold())
    if len(words) < SHINGLE:
        return {tuple(words)} if words else set()
    return {tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def similarity(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def near_duplicates(article: Article, story: Story, candidate_ids) -> list[dict]:
    """[{id, headline, published_at, similarity}] of the published stories very like it,
    most alike first."""
    ids = set(candidate_ids)
    if article.section_id:
        since = (article.published_at or timezone.now()) - RECENT
        ids.update(Article.objects.live().filter(section_id=article.section_id,
                                                 published_at__gte=since)
                   .order_by("-published_at").values_list("pk", flat=True)[:RECENT_LIMIT])
    ids.discard(article.pk)
    mine = shingles(story)
    found = []
    for other in Article.objects.live().filter(pk__in=ids).only(
            "pk", "headline", "body", "section_id", "published_at"):
        score = similarity(mine, shingles(story_of(other)))
        if score >= VERY_LIKE:
            found.append({"id": other.pk, "headline": other.headline,
                          "published_at": other.published_at.isoformat(),
                          "similarity": round(score, 3)})
    return sorted(found, key=lambda row: -row["similarity"])

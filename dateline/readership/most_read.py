"""The "Most read" block: the stories read most in the last 24 hours, a part of its own.

The block is a page-cache part (dateline.pagecache.parts) under a name that changes every
DATELINE_READERSHIP_MOST_READ_SECONDS, so it is counted afresh every few minutes and costs
nothing in between; it names the stories it lists, so a withdrawn or edited story leaves it
(and the pages showing it) at once. A cached page shows the block it was stored with: at most
the page cache's timeout older.
"""

import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone

from dateline.base.numbers import key_from
from dateline.base.prepared import Fixed, Prepared
from dateline.newsroom.models import Article
from dateline.pagecache import keys, parts

from .models import Tally

SHOWN = 5
HOURS = 24
# How deep the ranking is read, in turn, for enough live stories: at most a few hundred rows.
DEPTHS = (10, 50, 500)
# Read for every page rendered: prepared (dateline.base.prepared), their SQL built once.
_RANKED = Prepared(lambda since, limit: Tally.objects.filter(kind=Tally.Kind.VIEW, hour__gte=since)
                   .values("key").annotate(views=Sum("count")).order_by("-views", "key")
                   .values_list("key", "views")[:limit], Tally)
_STORIES = Prepared(lambda now, pks: Article.objects.live(now).filter(pk__in=pks)
                    .only("pk", "headline", "slug", "section_id"), Article)


def block() -> tuple[str, set[str]]:
    """The block's HTML (empty when nothing was read) and the keys of what it shows."""
    window = int(time.time()) // settings.DATELINE_READERSHIP_MOST_READ_SECONDS
    return parts.cached(f"most-read:{window}", _render)


def most_read(limit: int = SHOWN, hours: int = HOURS) -> list[tuple[Article, int]]:
    """Live stories with their views, most read first, over the last `hours` whole hours."""
    since = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(
        hours=hours - 1)
    # A few more than shown: some of the most read may have been withdrawn since. Deeper while
    # too few of them are live: views of drafts, killed stories or made-up ids (a beacon is
    # counted before any database is asked) pushed every live story out, and the block went.
    for depth in DEPTHS:
        ranked = _RANKED.rows(since, Fixed(max(limit * 2, depth)))
        views = {pk: count for key, count in ranked if (pk := key_from(key)) is not None}
        stories = _STORIES.objects(timezone.now(), list(views)) if views else []
        if len(stories) >= limit or len(ranked) < max(limit * 2, depth):
            break
    return sorted(((story, views[story.pk]) for story in stories),
                  key=lambda pair: (-pair[1], pair[0].pk))[:limit]


def _render() -> tuple[str, set[str]]:
    stories = most_read()
    html = render_to_string("readership/most_read.html", {"stories": stories}) if stories else ""
    return html, {keys.NAV, *keys.articles(story for story, _ in stories)}

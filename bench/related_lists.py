"""Store a "Related Articles" list for every live story of a benchmark database that has none.

On a running site the worker analyses each story once it is saved or imported and stores its
list (dateline.intelligence); an article page then reads that list, two queries. The bench
database is imported with no worker running, so without this step every page ranked its
stories by shared tags in SQL (the newsroom's fallback for a story not analysed yet), a path
a running site takes only in the seconds between a publication and its analysis.

The lists stored here are that same ranking (`newsroom.related.related_ids`), so the pages
show the stories they showed before, now read the way a running site reads them. The
intelligence ranker itself is not run: at 100,000 stories it takes most of an hour
(`make bench-intel` measures it). Run with the bench's environment (bench/corpus.py).
"""

import os
import sys
import time

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
django.setup()

from django.db import transaction  # noqa: E402

from dateline.intelligence.models import RelatedStory  # noqa: E402
from dateline.intelligence.records import RELATED_KEPT  # noqa: E402
from dateline.newsroom.models import Article  # noqa: E402
from dateline.newsroom.related import related_ids  # noqa: E402

BATCH = 500


def missing() -> list[int]:
    """Live stories with no list stored, oldest first."""
    listed = RelatedStory.objects.values("article_id")
    return list(Article.objects.live().exclude(pk__in=listed).order_by("pk")
                .values_list("pk", flat=True))


def store(pks: list[int]) -> int:
    rows = []
    for article in Article.objects.filter(pk__in=pks).prefetch_related("tags"):
        rows += [RelatedStory(article=article, related_id=related, rank=rank,
                              origin=RelatedStory.Origin.COMPUTED)
                 for rank, related in enumerate(related_ids(article, RELATED_KEPT))]
    with transaction.atomic():
        RelatedStory.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def main() -> None:
    pks, started, stored = missing(), time.monotonic(), 0
    for start in range(0, len(pks), BATCH):
        stored += store(pks[start:start + BATCH])
        if start // BATCH % 20 == 0:
            print(f"related lists: {start + BATCH:,} of {len(pks):,} stories", flush=True)
    if pks:
        print(f"related lists: {stored:,} entries for {len(pks):,} stories stored in "
              f"{time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()

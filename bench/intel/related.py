"""Related precision@5 of the "tfidf" ranker, called by quality.py (`make bench-intel`).

evaluate(test, stored) -> dict: `test` the held-out examples (their stories hidden: headline
and body only, no pk, section or time), `stored` {article pk: training example} for the
stories in the database, imported and indexed as on the site. The ranker learns its word
counts from the stored stories, as `dateline intelligence train` teaches it the site's, and
ranks each held-out story against the database; relevance is reference.py's rule (shares a
topic label, or in a corpus without topics the section), so the figure compares with the
old ranking's. Also timed: each story's ranking, p50 and p95 in milliseconds.

`python bench/intel/related.py` alone (DATELINE_VAR_DIR naming a database with the search
index, e.g. var/bench) times the ranker on stories of that database.
"""

import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

LIMIT = 5


def _percentiles(times: list[float]) -> dict:
    times = sorted(times)
    if not times:
        return {}
    return {"p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 2),
            "max_ms": round(times[-1], 2)}


def evaluate(test, stored: dict) -> dict:
    import reference

    from dateline.intelligence.related.tfidf import TfidfRanker

    ranker = TfidfRanker()
    ranker.train(stored.values())
    times: list[float] = []

    def rank(example) -> list[int]:
        started = time.perf_counter()
        found = ranker.neighbours(example.story, LIMIT)
        times.append((time.perf_counter() - started) * 1000)
        return [n.pk for n in found]

    result = reference.precision_at_5(test, stored, rank)
    return {**result, **_percentiles(times), "ranker": f"tfidf {ranker.version}"}


def time_stored(count: int = 200) -> dict:
    """Rank `count` stories of the database (its own story excluded), one by one."""
    import django

    django.setup()
    from dateline.intelligence.base import Story
    from dateline.intelligence.related.dedupe import plain
    from dateline.intelligence.related.tfidf import TfidfRanker
    from dateline.newsroom.models import Article

    ranker = TfidfRanker()
    ranker.neighbours(Story("Warm up", "The first call reads the word counts."), LIMIT)
    total = Article.objects.count()
    step = max(total // count, 1)
    pks = list(Article.objects.order_by("pk").values_list("pk", flat=True)[::step][:count])
    times = []
    for article in Article.objects.filter(pk__in=pks).only("headline", "body", "published_at"):
        story = Story(article.headline, plain(article.body), pk=article.pk,
                      published_at=article.published_at)
        started = time.perf_counter()
        ranker.neighbours(story, LIMIT)
        times.append((time.perf_counter() - started) * 1000)
    return {"stored": total, "stories": len(times), **_percentiles(times)}


if __name__ == "__main__":
    print(time_stored(int(sys.argv[1]) if len(sys.argv) > 1 else 200))

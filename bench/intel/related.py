"""Related precision@5 of the ranker in use, called by quality.py (`make bench-intel`).

evaluate(test, stored) -> dict: `test` the held-out examples (their stories hidden: headline
and body only, no pk, section or time), `stored` {article pk: training example} for the
stories in the database, imported and indexed as on the site. Each held-out story is analysed
as the worker analyses a new one (pipeline.findings_for): the tagger and classifier trained on
the stored stories (as `dateline intelligence train` teaches them the site's) run first, and
the ranker gets their guesses; the first five of the list the pipeline would store are judged
by reference.py's rule (shares a topic label, or in a corpus without topics the section), so
the figure compares with the old ranking's. Timed: the three parts together, per story.

`python bench/intel/related.py --dev` scores the inner split of the training stories (rule.py
applied again to them, in a database of their own), on which the ranker's weights were chosen;
`--test` the held-out split in make bench-intel's database (either takes [articles.jsonl
[profile.toml]], Reuters by default). `python bench/intel/related.py [COUNT]` alone
(DATELINE_VAR_DIR naming a database with the search index, e.g. var/bench) times the ranker
on COUNT stories of that database.
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
    """Each asked story analysed as the worker analyses a new one (pipeline.findings_for:
    tagged, classified, then ranked with those guesses), by the parts the settings choose,
    loaded from what training saved (quality.py trains them on `stored` first); the first
    five of the list the pipeline would store are scored."""
    import reference

    from dateline.intelligence import pipeline

    parts = {kind: part for kind, part in pipeline.chosen_parts().items()
             if kind != "summariser"}
    times: list[float] = []

    def rank(example) -> list[int]:
        started = time.perf_counter()
        found = pipeline.findings_for(example.story, parts)
        times.append((time.perf_counter() - started) * 1000)
        return [n.pk for n in found.neighbours or []]

    result = reference.precision_at_5(test, stored, rank)
    return {**result, **_percentiles(times),
            "parts": {kind: f"{part.name} {part.version}" for kind, part in parts.items()}}


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


def quality(mode: str, corpus: str, profile: str) -> dict:
    """Run in a child with the split's database: import its training stories, train the
    parts on them as quality.py does, and score the held-out (or, "dev", the inner) ones."""
    import quality as harness

    harness.setup()
    import rule

    from dateline.newsroom.importer.profile import ImportProfile

    train_records, test_records = rule.split(rule.load(Path(corpus)))
    if mode == "dev":  # design choices are made on the training stories alone
        train_records, test_records = rule.split(train_records)
    names = ImportProfile.load(profile) if profile else ImportProfile()
    train = [rule.labelled(r, names) for r in train_records]
    test = [rule.hidden(rule.labelled(r, names)) for r in test_records]
    by_id = dict(zip((str(r["id"]) for r in train_records), train, strict=True))
    pks = harness.store(train_records, profile, harness._var())
    harness.train_parts(train, harness._var() / "intelligence")
    return evaluate(test, {pk: by_id[external] for external, pk in pks.items()})


def main(args: list[str]) -> None:
    """`related.py --test|--dev [articles.jsonl [profile.toml]]`: precision@5 on the
    held-out split in make bench-intel's database, or (--dev) on the inner split of the
    training stories in a database of its own; `related.py [COUNT]` times the ranker on
    COUNT stories of the database DATELINE_VAR_DIR names."""
    import json
    import subprocess

    if args[:1] == ["--child"]:
        print(json.dumps(quality(*args[1:4])))
        return
    paths = [a for a in args if not a.startswith("--")]
    if "--dev" not in args and "--test" not in args:
        print(time_stored(int(paths[0]) if paths else 200))
        return
    import run

    corpus, profile = (Path(paths[0]).resolve(), paths[1] if len(paths) > 1 else "") if paths \
        else run.DEFAULT[0]
    profile = str(Path(profile).resolve()) if profile else ""
    var = run.var_for(corpus, profile)
    mode = "dev" if "--dev" in args else "test"
    if mode == "dev":
        var = var.with_name(var.name.replace("quality-", "related-dev-", 1))
    var.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, __file__, "--child", mode, str(corpus), profile],
                   env=run.environment(var), check=True)


if __name__ == "__main__":
    main(sys.argv[1:])

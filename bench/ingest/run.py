"""`make bench-ingest`: quality of story clustering on labelled pairs, and ingest throughput.

Quality: the rule of make_pairs.py runs on the corpus given (INGEST_CORPUS, a JSON Lines file
in the shared corpus format; default Reuters-21578), then every story streams through the
clustering and the pairs are scored, per split: "dev" (the thresholds were tuned on it) and
"test" (held out; the targets are judged on it).

Throughput: a SQLite database under var/bench-ingest/ holds 100,000 items (built once, the
corpus re-sampled under new ids as bench/corpus.py does for articles). A fresh batch of
BENCH_INGEST_ITEMS stories is then read as one JSON Lines payload by the ingest parser, stored
once each (the store's identity check) and clustered by the receiver, as the worker does.
"""

import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT), str(HERE)]
CORPUS = ROOT.parent / "shared" / "corpus"
VAR = ROOT / "var" / "bench-ingest"
STORED = int(os.environ.get("BENCH_INGEST_STORED", "100000"))
BATCH = int(os.environ.get("BENCH_INGEST_ITEMS", "2000"))
TARGETS = {"near-duplicate precision": 0.95, "near-duplicate recall": 0.90,
           "same-story F1": 0.90}


def quality(path: Path) -> dict:
    import make_pairs
    import quality as scoring

    from dateline.ingest.clustering import StoryIndex

    records = make_pairs.load(path)
    pairs = make_pairs.pairs(records)
    kinds = {(pair["kind"], pair["split"]) for pair in pairs}
    if len(kinds) < 4:
        raise SystemExit(f"{path} gives no pairs of some kind and split ({sorted(kinds)}): the "
                         "rule needs dated stories with topic, place and actor labels.")
    rewrites = [make_pairs.resolve(records, key) for pair in pairs
                for key in (pair["a"], pair["b"]) if key.startswith("rewrite:")]
    feats, when = scoring.stream_features(records, rewrites)
    scores = scoring.predict(feats, when, pairs, StoryIndex())
    print(f"\nQuality on {path} ({len(records):,} stories, {len(pairs):,} labelled pairs)\n")
    print("| pairs | split | n | precision | recall | F1 |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for (kind, split), s in sorted(scores.items()):
        n = s.tp + s.fp + s.fn + s.tn
        print(f"| {kind} | {split} | {n} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} |")
    return scores


def _records() -> list[dict]:
    records = []
    for name in ("reuters-21578-train", "bbc-news"):
        with (CORPUS / name / "articles.jsonl").open(encoding="utf-8") as lines:
            records += [json.loads(line) for line in lines if line.strip()]
    return records


def _setup() -> None:
    VAR.mkdir(parents=True, exist_ok=True)
    os.environ.update(DATELINE_VAR_DIR=str(VAR), DATELINE_DB_ENGINE="sqlite",
                      DJANGO_SETTINGS_MODULE="dateline.settings.dev")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--noinput", verbosity=0)


def build(records: list[dict], now: datetime) -> "Feed":  # noqa: F821
    """100,000 stored items over the last 20 months; the last day's signed and clustered."""
    from django.db.models import F

    from dateline.ingest.models import Feed, Item
    from dateline.ingest.receivers import cluster_item
    from dateline.newsroom.models import Source

    outlet, _ = Source.objects.get_or_create(name="Bench outlet (replayed archive)")
    feed, _ = Feed.objects.get_or_create(url="https://bench.invalid/feed", defaults={
        "outlet": outlet, "name": "Bench feed"})
    have = Item.objects.count()
    if have >= STORED:
        return feed
    print(f"Building {STORED - have:,} items under {VAR} (once) ...", flush=True)
    batch = []
    for i in range(have, STORED):
        record = records[i % len(records)]
        published = now - timedelta(minutes=(i + 1) * 600_000 // STORED)
        batch.append(Item(feed=feed, outlet=outlet, identity=f"guid:{record['id']}~{i}",
                          guid=f"{record['id']}~{i}", fingerprint=f"{i:064x}",
                          headline=record["title"][:500], body=record["body"],
                          published_at=published, format="jsonlines"))
        if len(batch) == 5000:
            Item.objects.bulk_create(batch)
            batch = []
    Item.objects.bulk_create(batch)
    # As if each had arrived when published (bulk_create stamps them all now).
    Item.objects.update(first_seen_at=F("published_at"))
    for item in Item.objects.filter(published_at__gte=now - timedelta(days=2)).order_by("pk"):
        cluster_item(item)
    return feed


def throughput(records: list[dict]) -> float:
    from dateline.ingest import receivers
    from dateline.ingest.models import Cluster, Item
    from dateline.ingest.parsers import parse
    from dateline.ingest.parsers.normalise import MAX_ITEMS
    from dateline.ingest.store import store

    now = datetime.now(UTC)
    feed = build(records, now)
    # The last run's batch goes, so that every run starts from the same 100,000 items.
    Item.objects.filter(identity__startswith="guid:fresh-").delete()
    Cluster.objects.filter(items__isnull=True).delete()
    receivers.reset()  # as a worker starts: the index is rebuilt from the database
    started = time.perf_counter()
    rebuilt = len(receivers.index().items)
    rebuild_s = time.perf_counter() - started
    before, run = Item.objects.count(), int(time.time())
    payloads = []  # one poll's answer each, at most the parser's MAX_ITEMS entries
    for start in range(0, BATCH, MAX_ITEMS):
        lines = []
        for i in range(start, min(BATCH, start + MAX_ITEMS)):
            record = dict(records[(i * 7919) % len(records)], id=f"fresh-{run}-{i}", url=None)
            record["published"] = (now - timedelta(seconds=BATCH - i)).isoformat()
            lines.append(json.dumps(record))
        payloads.append("\n".join(lines).encode())
    parsed = created = 0
    started = time.perf_counter()
    for payload in payloads:
        result = parse(payload, hint="jsonlines")
        parsed += len(result.items)
        created += len(store(feed, result, now=now).created)
    elapsed = time.perf_counter() - started
    rate = created / elapsed
    print(f"\nThroughput with {before:,} items stored (SQLite, one process): the index "
          f"rebuilt from the last 48 h ({rebuilt:,} items) in {rebuild_s:.2f} s; {parsed:,} "
          f"items in {len(payloads)} payloads parsed, stored ({created:,} new) and clustered "
          f"in {elapsed:.2f} s: {rate:,.0f} items/s")
    return rate


def main() -> None:
    path = Path(os.environ.get("INGEST_CORPUS", CORPUS / "reuters-21578-train" /
                               "articles.jsonl"))
    _setup()
    scores = quality(path)
    rate = throughput(_records())
    near, story = scores["near_duplicate", "test"], scores["same_story", "test"]
    print("\nTargets (held-out split):")
    for name, value in (("near-duplicate precision", near.precision),
                        ("near-duplicate recall", near.recall), ("same-story F1", story.f1)):
        met = "met" if value >= TARGETS[name] else "NOT met"
        print(f"target {name}: {value:.3f} (target >= {TARGETS[name]}): {met}")
    print(f"target ingest throughput: {rate:,.0f} items/s (no target set; reported)")


if __name__ == "__main__":
    main()

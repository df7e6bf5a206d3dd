"""Topic classification scored against a corpus's hidden topic labels.

`evaluate(train, test)` trains the "linear" classifier on `train` and scores its archive
topics for `test`, whose stories it sees with headline and body only. Run alone,
`python bench/intel/topics.py [articles.jsonl] [profile.toml] [--dev] [--per-topic]` loads
the corpus and splits it as `make bench-intel` does (rule.py); with --dev it splits the
training stories again by the same rule, to make design choices without the test.
"""

import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from dateline.intelligence.base import Labelled  # noqa: E402
from dateline.intelligence.topics import LinearTopicClassifier  # noqa: E402

# DATELINE_INTELLIGENCE_APPLY_AT's default: a guess this sure is applied without an editor.
APPLY_AT = 0.9


def evaluate(train: list[Labelled], test: list[Labelled]) -> dict:
    """Micro- and macro-F1 (macro over the topics with a training example), precision, recall
    and counts per topic, over the test stories the editors gave at least one topic (as
    published Reuters-21578 results count: a Reuters story without topics was often never
    indexed, not judged topic-less), with the same over every test story under "all_stories";
    the milliseconds to classify one story (mean and p95) and the size of the saved model."""
    started = time.perf_counter()
    classifier = LinearTopicClassifier()
    classifier.train(train)
    trained_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        classifier.save(Path(folder))
        model_mb = sum(f.stat().st_size for f in Path(folder).iterdir()) / 1e6
    taught = Counter(t for e in train for t in set(e.labels.get("topic", [])))
    guesses, times, sure = [], [], []
    for example in test:
        begun = time.perf_counter()
        found = classifier.topics(example.story)
        times.append((time.perf_counter() - begun) * 1000)
        guesses.append({g.code for g in found if g.scheme == "archive"})
        if truth := set(example.labels.get("topic", [])):
            sure += [g.code in truth for g in found
                     if g.scheme == "archive" and g.confidence >= APPLY_AT]
    truths = [set(e.labels.get("topic", [])) for e in test]
    labelled = [(g, t) for g, t in zip(guesses, truths, strict=True) if t]
    times.sort()
    return {
        **_scores(labelled, taught),
        "all_stories": {k: v for k, v in _scores(zip(guesses, truths, strict=True), taught)
                        .items() if k != "per_topic"},
        # Guesses the site would apply without an editor: how often they are right.
        "applied_precision": round(sum(sure) / max(len(sure), 1), 4), "applied": len(sure),
        "topics_taught": len(taught), "train_stories": len(train), "train_s": round(trained_s, 1),
        "model_mb": round(model_mb, 1),
        "ms_per_story": round(sum(times) / max(len(times), 1), 2),
        "ms_p95": round(times[int(0.95 * (len(times) - 1))], 2) if times else 0.0,
    }


def _scores(pairs, taught: Counter) -> dict:
    counts = {t: {"train": n, "tp": 0, "fp": 0, "fn": 0} for t, n in taught.items()}
    stories = 0
    for guessed, truth in pairs:
        stories += 1
        for topic in guessed | truth:
            row = counts.setdefault(topic, {"train": 0, "tp": 0, "fp": 0, "fn": 0})
            row["tp" if topic in guessed & truth else "fp" if topic in guessed else "fn"] += 1
    # Both averages are over the topics with a training example, as the published
    # Reuters-21578 results (ModApte's 90 categories) count them: a label of a topic no story
    # taught is one no classifier trained on this archive could give. The micro-F1 over every
    # label, those too, is kept beside ("micro_f1_every_label").
    taught_rows = [r for r in counts.values() if r["train"]]
    tp, fp, fn = (sum(r[k] for r in taught_rows) for k in ("tp", "fp", "fn"))
    untaught_fn = sum(r["fn"] for r in counts.values() if not r["train"])
    # A topic taught but neither guessed nor present in the test has no F1 to average (0/0).
    macro = [_f1(r["tp"], r["fp"], r["fn"]) for r in taught_rows if r["tp"] + r["fp"] + r["fn"]]
    return {
        # The counts behind the micro-F1: a target is judged on them, not on a rounded figure.
        "labels": {"tp": tp, "fp": fp, "fn": fn},
        "micro_f1": round(_f1(tp, fp, fn), 4),
        "micro_f1_every_label": round(_f1(tp, fp, fn + untaught_fn), 4),
        "untaught_labels": untaught_fn,
        "macro_f1": round(sum(macro) / max(len(macro), 1), 4),
        "precision": round(tp / max(tp + fp, 1), 4), "recall": round(tp / max(tp + fn, 1), 4),
        "topics": len(macro), "test_stories": stories,
        "per_topic": dict(sorted(counts.items(), key=lambda kv: -kv[1]["train"])),
    }


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / max(2 * tp + fp + fn, 1)


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings.dev")
    django.setup()
    import rule

    from dateline.newsroom.importer.profile import ImportProfile

    paths = [a for a in sys.argv[1:] if not a.startswith("--")]
    corpus = Path(paths[0] if paths
                  else ROOT.parent / "shared/corpus/reuters-21578-train/articles.jsonl")
    profile = ImportProfile.load(paths[1] if len(paths) > 1 else ROOT / "demo/reuters.toml")
    train_records, test_records = rule.split(rule.load(corpus))
    if "--dev" in sys.argv:  # design choices are made on the training stories alone
        train_records, test_records = rule.split(train_records)
    train = [rule.labelled(r, profile) for r in train_records]
    test = [rule.hidden(rule.labelled(r, profile)) for r in test_records]
    result = evaluate(train, test)
    per_topic = result.pop("per_topic")
    print(json.dumps(result, indent=1))
    if "--per-topic" in sys.argv:
        for topic, row in per_topic.items():
            print(f"{topic:30} {row}")

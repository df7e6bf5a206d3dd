"""Entity tags (place, person, organisation) scored against a corpus's hidden labels.

`evaluate(train, test)` trains the "gazetteer" tagger on `train` and tags each story of
`test` from its headline and body alone. Per kind: micro precision, recall and F1 over the
stories' label sets (names compared by `alias_key`, so "U.S." is "USA"); the same for the
suggestions at or above DATELINE_INTELLIGENCE_APPLY_AT (what the machine applies without an
editor); and the milliseconds to tag one story. Run alone, `python bench/intel/tags.py
[articles.jsonl] [profile.toml]` splits the corpus by bench/intel/rule.py (the earliest 75%
by date train) and prints the figures; BENCH_TAGS_CV=1 scores a split inside the training
part instead (the earliest 75% of it), which is what the tagger was tuned on.
"""

import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

KINDS = ("place", "person", "organisation")


def evaluate(train: list, test: list, apply_at: float | None = None) -> dict:
    from django.conf import settings

    from dateline.intelligence.tagging.tagger import GazetteerTagger

    apply_at = settings.DATELINE_INTELLIGENCE_APPLY_AT if apply_at is None else apply_at
    started = time.perf_counter()
    tagger = GazetteerTagger()
    tagger.train(train)
    trained_s = time.perf_counter() - started
    guesses, times = [], []
    for example in test:
        begun = time.perf_counter()
        guesses.append(tagger.entities(example.story))  # the story alone: headline and body
        times.append((time.perf_counter() - begun) * 1000)
    times.sort()
    return {**score(test, guesses, apply_at), "train_stories": len(train),
            "train_s": round(trained_s, 1),
            "ms_per_story": round(sum(times) / max(len(times), 1), 2),
            "ms_p95": round(times[int(0.95 * (len(times) - 1))], 2) if times else 0.0}


def score(test: list, guesses: list, apply_at: float) -> dict:
    """Per kind, the guesses (one list of Entity per test story) against the hidden labels,
    over the stories the editors indexed (rule.indexed), all guesses and those at or above
    apply_at; and over every story under "all_stories"."""
    import rule

    from dateline.intelligence.models import alias_key

    levels = (("all", 0.0), ("applied", apply_at), ("every", 0.0))
    counts = {(kind, level): [0, 0, 0] for kind in KINDS for level, _ in levels}
    judged = 0
    for example, found in zip(test, guesses, strict=True):
        indexed = rule.indexed(example)
        judged += indexed
        for kind in KINDS:
            truth = {alias_key(n) for n in example.labels.get(kind, ())}
            for level, least in levels:
                if level != "every" and not indexed:
                    continue
                guessed = {alias_key(e.name) for e in found
                           if e.kind == kind and e.confidence >= least}
                row = counts[kind, level]
                row[0] += len(guessed & truth)
                row[1] += len(guessed - truth)
                row[2] += len(truth - guessed)
    result = {kind: _scores(*counts[kind, "all"]) for kind in KINDS}
    for kind in KINDS:
        result[kind]["applied"] = _scores(*counts[kind, "applied"])
        # Over every held-out story, the never-indexed ones too.
        result[kind]["all_stories"] = _scores(*counts[kind, "every"])
    return {**result, "apply_at": apply_at, "test_stories": len(test), "indexed_stories": judged}


def _scores(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "tp": tp, "fp": fp, "fn": fn}


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings.dev")
    django.setup()
    import rule

    from dateline.newsroom.importer.profile import ImportProfile

    shared = HERE.parents[2] / "shared" / "corpus" / "reuters-21578-train" / "articles.jsonl"
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else shared
    profile = (ImportProfile.load(sys.argv[2]) if len(sys.argv) > 2
               else ImportProfile.load(HERE.parents[1] / "demo" / "reuters.toml"))
    train, test = rule.split(rule.load(corpus))
    if os.environ.get("BENCH_TAGS_CV"):
        train, test = rule.split(train)
    print(json.dumps(evaluate([rule.labelled(r, profile) for r in train],
                              [rule.hidden(rule.labelled(r, profile)) for r in test]), indent=1))


if __name__ == "__main__":
    main()

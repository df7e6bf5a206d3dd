"""The references `make bench-intel` measures beside the parts, on the same held-out stories.

- topics: every story gets the training split's most frequent topic (the majority baseline);
- tags: a plain string-match gazetteer, every label name seen in training found in the text
  as a whole word, exactly as written (no aliases, no cues learnt);
- related: the old ranking, dateline.newsroom.related (shared tags, then section, then
  newest), given the story's real tags and section, which the new ranker is not shown.

Scores are micro-averaged over the stories' label sets, names compared by alias_key as the
parts' own evaluations do.
"""

import re
from collections import Counter

from dateline.intelligence.base import Labelled
from dateline.intelligence.models import alias_key


def prf(found: list[set], wanted: list[set]) -> dict:
    tp = sum(len(f & w) for f, w in zip(found, wanted, strict=True))
    fp = sum(len(f - w) for f, w in zip(found, wanted, strict=True))
    fn = sum(len(w - f) for f, w in zip(found, wanted, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}


def macro_f1(found: list[set], wanted: list[set], labels: set) -> float:
    """Over `labels` the test has or that were guessed (one neither is 0/0: left out)."""
    present = labels & set().union(*found, *wanted)
    scores = [prf([{x} & f for f in found], [{x} & w for w in wanted])["f1"] for x in present]
    return sum(scores) / len(scores) if scores else 0.0


def keys(names) -> set:
    return {alias_key(name) for name in names}


def majority_topics(train: list[Labelled], test: list[Labelled]) -> dict:
    counts = Counter(k for e in train for k in keys(e.labels.get("topic", ())))
    if not counts:
        return {}
    top = counts.most_common(1)[0][0]
    # As topics.py and the published Reuters-21578 results: stories with a topic label.
    test = [e for e in test if e.labels.get("topic")]
    wanted = [keys(e.labels.get("topic", ())) for e in test]
    found = [{top} for _ in test]
    return {**prf(found, wanted), "micro_f1": prf(found, wanted)["f1"],
            "macro_f1": macro_f1(found, wanted, set(counts))}


def string_match_tags(train: list[Labelled], test: list[Labelled]) -> dict:
    """Per kind: precision, recall, F1 of finding each training label name in the text."""
    import rule

    results = {}
    test = [e for e in test if rule.indexed(e)]  # as tags.py judges: indexed stories
    for kind in ("place", "person", "organisation"):
        names = {n for e in train for n in e.labels.get(kind, ())}
        if not names:
            continue
        pattern = re.compile(r"\b(" + "|".join(
            re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b")
        found = [keys(pattern.findall(f"{e.story.headline}\n{e.story.body}")) for e in test]
        results[kind] = prf(found, [keys(e.labels.get(kind, ())) for e in test])
    return results

"""What the gazetteer tagger learns from tagged stories: cues and how much to trust them.

A *cue* is a form of the text and a label it predicts, with P(label | form appears) counted
on the training stories: "Tokyo" -> Japan (Reuters labels the country of a dateline city),
"Japanese" -> Japan, "Baker" -> James Baker, "IMF" -> IMF. Boosted trees per kind (trees.py)
then turn a candidate label's evidence (features.py: cues, the name found, where and how
often, the story's words) into a confidence; they are fitted on candidates found by
cross-validation inside the training stories, so the confidence is calibrated on stories the
cues were not counted on, and each kind's suggestion threshold is the one that gave the best
F-beta there.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable

from ..base import Labelled
from . import trees
from .features import FEATURES, candidates
from .gazetteer import KINDS, Gazetteer
from .text import Forms
from .words import WordModel

MIN_FORM = 2  # stories a form must appear in to be a cue
MIN_PAIR = 2  # stories a form and a label must share
MIN_P = 0.1
FOLDS = 3
# Suggestion thresholds weigh precision a little above recall (F-beta) for places and
# people: on stories kept apart from the training (BENCH_TAGS_CV=1) the scores of the final
# model, with cues counted on all the training, run higher than across the folds, so the
# F1-best threshold of the folds lets in false "USA" or "Reagan"; 0.8 scored best there.
BETA = {"place": 0.8, "person": 0.8, "organisation": 1.0}


def learnt_rows(examples: list[tuple[Forms, Labelled]]) -> list:
    """The labels' names as gazetteer rows, with the acronyms the texts spell out:
    "International Monetary Fund (IMF)" makes "International Monetary Fund" a name of IMF."""
    import re

    names: dict[tuple[str, str], set[str]] = defaultdict(set)
    for _, example in examples:
        text = example.story.body
        for kind in KINDS:
            for name in example.labels.get(kind, ()):
                names.setdefault((kind, name), set())
                if kind == "organisation" and name.isupper() and len(name) <= 8:
                    spelt = re.search(r"((?:[A-Z][\w&-]*\s+(?:(?:of|for|and|the|on)\s+)*){2,8})"
                                      rf"\(\s*{re.escape(name)}\s*\)", text)
                    if spelt:
                        names[kind, name].add(spelt.group(1).strip())
    return [(kind, name, None, sorted(aliases)) for (kind, name), aliases in names.items()]


def count_cues(examples: list[tuple[Forms, Labelled]]) -> dict:
    """{form: [[kind, name, p, stories]]} for forms that predict a label often enough."""
    seen: Counter = Counter()
    together: Counter = Counter()
    for forms, example in examples:
        keys = set(forms.found) | ({"dl:" + forms.dateline} if forms.dateline else set())
        seen.update(keys)
        labels = [(kind, name) for kind in KINDS for name in example.labels.get(kind, ())]
        for key in keys:
            for label in labels:
                together[key, label] += 1
    cues: dict[str, list] = defaultdict(list)
    for (key, (kind, name)), both in together.items():
        # One story's worth of doubt: a form seen twice, both with the label, is 2/3.
        p = both / (seen[key] + 1)
        if seen[key] >= MIN_FORM and both >= MIN_PAIR and p >= MIN_P:
            cues[key].append([kind, name, round(p, 4), seen[key]])
    return dict(cues)


def label_priors(examples: Iterable[Labelled]) -> dict:
    counts: dict[str, Counter] = {kind: Counter() for kind in KINDS}
    total = 0
    for example in examples:
        total += 1
        for kind in KINDS:
            counts[kind].update(set(example.labels.get(kind, ())))
    return {kind: {name: n / max(total, 1) for name, n in c.items()}
            for kind, c in counts.items()}


def fit(examples: list[tuple[Forms, Labelled]], site_rows=()) -> tuple[dict, WordModel]:
    """Everything the tagger keeps: names, cues, priors, per kind trees and thresholds
    (JSON), and the word model."""
    import numpy as np

    rows: dict[str, list] = {kind: [] for kind in KINDS}
    positives: Counter = Counter()
    # Folds are runs of consecutive stories, not every third one: a story is judged on cues
    # counted on other weeks' news, as new copy will be (a week's running story would make
    # its own cues look surer than they are).
    fold_of = [i * FOLDS // max(len(examples), 1) for i in range(len(examples))]
    for fold in range(FOLDS):
        learn = [e for e, f in zip(examples, fold_of, strict=True) if f != fold]
        held = [e for e, f in zip(examples, fold_of, strict=True) if f == fold]
        cues, priors = count_cues(learn), label_priors(e for _, e in learn)
        gazetteer = Gazetteer([*known_before(site_rows, learn, examples), *learnt_rows(learn)])
        vocabulary = fit_words(learn)
        for forms, example in held:
            found = candidates(forms, cues, gazetteer, priors,
                               vocabulary.probabilities(example.story))
            for (kind, name), (features, _, _) in found.items():
                rows[kind].append((features, name in example.labels.get(kind, ())))
            for kind in KINDS:
                positives[kind] += len(set(example.labels.get(kind, ())))
    forests, thresholds = {}, {}
    for kind in KINDS:
        if not rows[kind] or len({y for _, y in rows[kind]}) < 2:
            continue
        x = np.array([f for f, _ in rows[kind]])
        y = np.array([y for _, y in rows[kind]])
        forests[kind] = trees.fit(x, y)
        scores = trees.Forest(forests[kind]).scores(x)
        thresholds[kind] = best_threshold(scores, y, positives[kind], BETA[kind])
    return {"format": 2, "features": list(FEATURES), "names": learnt_rows(examples),
            "cues": count_cues(examples), "priors": label_priors(e for _, e in examples),
            "forests": forests, "thresholds": thresholds}, fit_words(examples)


def known_before(site_rows, learn: list[tuple[Forms, Labelled]], examples) -> list:
    """The site's tags a fold may know: not those the training stories use that the fold's
    own stories do not (an archive imported makes a tag of every label, the held stories'
    too, where new copy may name someone no story was tagged with yet)."""
    used = {(kind, name) for _, e in examples for kind in KINDS for name in e.labels.get(kind, ())}
    seen = {(kind, name) for _, e in learn for kind in KINDS for name in e.labels.get(kind, ())}
    return [row for row in site_rows if (row[0], row[1]) not in used - seen]


def fit_words(examples: list[tuple[Forms, Labelled]]) -> WordModel:
    return WordModel.fit([e.story for _, e in examples],
                         [{(kind, name) for kind in KINDS for name in e.labels.get(kind, ())}
                          for _, e in examples])


def best_threshold(probabilities, truth, positives: int, beta: float = 1.0) -> float:
    """The confidence above which suggestions gave the best micro-F-beta across the folds
    (labels no candidate reached count as misses); beta below 1 weighs precision more."""
    order = sorted(zip(probabilities, truth, strict=True), key=lambda pair: -pair[0])
    best, best_f1, hits, b2 = 0.5, -1.0, 0, beta * beta
    for rank, (p, y) in enumerate(order, start=1):
        hits += int(y)
        f1 = (1 + b2) * hits / (rank + b2 * positives) if positives else 0.0
        if f1 > best_f1:
            best, best_f1 = float(p), f1
    return round(best, 4)



"""What the gazetteer tagger learns from tagged stories: cues and how much to trust them.

A *cue* is a form of the text and a label it predicts, with P(label | form appears) counted
on the training stories: "Tokyo" -> Japan (Reuters labels the country of a dateline city),
"Japanese" -> Japan, "Baker" -> James Baker, "IMF" -> IMF. A logistic regression per kind then
turns a candidate label's evidence (best cue, several cues, mentions, headline, lead, a
direct name match) into a confidence; it is fitted on predictions made by cross-validation
inside the training stories, so the confidence is calibrated on stories the cues were not
counted on, and each kind's suggestion threshold is the one that gave the best F1 there.
"""

import math
from collections import Counter, defaultdict
from collections.abc import Iterable

from ..base import Labelled
from .gazetteer import KINDS, Gazetteer
from .text import Forms
from .words import WordModel

MIN_FORM = 2  # stories a form must appear in to be a cue
MIN_PAIR = 2  # stories a form and a label must share
MIN_P = 0.1
FOLDS = 3
OWN_AT = 30  # positives (across the folds) a label needs for a threshold of its own
FEATURES = ("p_max", "p_or", "forms", "mentions", "headline", "lead", "direct",
            "direct_unseen", "dateline", "prior", "words_p", "words_known", "early", "share")
# Suggestion thresholds weigh precision a little above recall (F-beta) for places and
# people: on stories kept apart from the training (BENCH_TAGS_CV=1) the scores of the final
# model, with cues counted on all the training, run higher than across the folds, so the
# F1-best threshold of the folds lets in false "USA" or "Reagan"; 0.8 scored best there.
BETA = {"place": 0.8, "person": 0.8, "organisation": 1.0}
WORDS_AT = 0.15  # P(label | words) that makes a label a candidate with no name in the text


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


def candidates(forms: Forms, cues: dict, gazetteer: Gazetteer, priors: dict,
               by_words: dict | None = None) -> dict:
    """{(kind, name): (features, evidence, tag_id)} for every label the story may have."""
    found: dict[tuple[str, str], dict] = {}

    def note(kind, name, form, key, p=None, direct=False, tag_id=None, dateline=False):
        c = found.setdefault((kind, name), {"ps": [], "forms": set(), "mentions": 0,
                                            "headline": False, "lead": False, "direct": False,
                                            "unseen": False, "dateline": False,
                                            "evidence": "", "direct_evidence": False, "first": 99,
                                            "tag_id": None})
        if p is not None:
            c["ps"].append(p)
        if key not in c["forms"] and form is not None:
            c["forms"].add(key)
            c["mentions"] += form.count
            c["headline"] |= form.headline
            c["lead"] |= form.lead
            c["first"] = min(c["first"], form.first)
        c["direct"] |= direct
        c["dateline"] |= dateline
        c["tag_id"] = c["tag_id"] or tag_id
        # The evidence is the fullest name found ("Bashar al-Assad" over "Assad"), else a cue.
        if form is not None and (not c["evidence"] or (direct and (
                not c["direct_evidence"] or len(form.text) > len(c["evidence"])))):
            c["evidence"], c["direct_evidence"] = form.text, direct

    for key, form in forms.found.items():
        for kind, name, p, _ in cues.get(key, ()):
            note(kind, name, form, key, p)
        if len(key) <= 3 and not form.capitals:
            continue  # "Us" or "It" at the start of a sentence are not places
        for known in gazetteer.get(key):
            note(known.kind, known.name, form, key, direct=True, tag_id=known.tag_id)
    if forms.dateline:
        for kind, name, p, _ in cues.get("dl:" + forms.dateline, ()):
            note(kind, name, None, "dl:", p, dateline=True)
    by_words = by_words or {}
    for (kind, name), p in by_words.items():
        if p >= WORDS_AT:
            note(kind, name, None, "words:", None)
    # How much of the story's naming of its places (people...) this one takes.
    named: Counter = Counter()
    for (kind, _), c in found.items():
        named[kind] += c["mentions"]
    out = {}
    for (kind, name), c in found.items():
        ps = sorted(c["ps"], reverse=True)
        prior = priors.get(kind, {}).get(name, 0.0)
        features = [ps[0] if ps else 0.0, 1 - math.prod(1 - p for p in ps[:3]),
                    math.log1p(len(c["forms"])), math.log1p(c["mentions"]),
                    float(c["headline"]), float(c["lead"]), float(c["direct"]),
                    float(c["direct"] and not ps), float(c["dateline"]),
                    math.log(prior + 1e-4), by_words.get((kind, name), 0.0),
                    float((kind, name) in by_words), 1 / (1 + min(c["first"], 20)),
                    c["mentions"] / max(named[kind], 1)]
        out[kind, name] = (features, c["evidence"], c["tag_id"])
    return out


def fit(examples: list[tuple[Forms, Labelled]], site_rows=()) -> tuple[dict, WordModel]:
    """Everything the tagger keeps: names, cues, priors, per kind weights and thresholds
    (JSON), and the word model."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

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
        gazetteer = Gazetteer([*site_rows, *learnt_rows(learn)])
        vocabulary = fit_words(learn)
        for forms, example in held:
            found = candidates(forms, cues, gazetteer, priors,
                               vocabulary.probabilities(example.story))
            for (kind, name), (features, _, _) in found.items():
                rows[kind].append((features, name in example.labels.get(kind, ()), name))
            for kind in KINDS:
                positives[kind] += len(set(example.labels.get(kind, ())))
                positives.update((kind, name) for name in set(example.labels.get(kind, ())))
    weights, thresholds, own = {}, {}, {}
    for kind in KINDS:
        if not rows[kind] or len({y for _, y, _ in rows[kind]}) < 2:
            continue
        x = np.array([f for f, _, _ in rows[kind]])
        y = np.array([y for _, y, _ in rows[kind]])
        model = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)
        weights[kind] = [float(model.intercept_[0]), *map(float, model.coef_[0])]
        p = model.predict_proba(x)[:, 1]
        thresholds[kind] = best_threshold(p, y, positives[kind], BETA[kind])
        # A label common enough to judge alone gets its own threshold: Reuters gives "USA"
        # to American stories that never name the country, and "UK" far less readily.
        by_name: dict[str, list] = defaultdict(list)
        for (_, truth, name), score in zip(rows[kind], p, strict=True):
            by_name[name].append((score, truth))
        own[kind] = {name: best_threshold([s for s, _ in pairs], [t for _, t in pairs],
                                          positives[kind, name], BETA[kind])
                     for name, pairs in by_name.items() if positives[kind, name] >= OWN_AT}
    return {"format": 1, "features": list(FEATURES), "names": learnt_rows(examples),
            "cues": count_cues(examples), "priors": label_priors(e for _, e in examples),
            "weights": weights, "thresholds": thresholds, "own_thresholds": own}, fit_words(
                examples)


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


def confidence(weights: list[float], features: list[float]) -> float:
    z = weights[0] + sum(w * f for w, f in zip(weights[1:], features, strict=True))
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

"""The linear topic model's code: training, guessing, storing (LinearTopicClassifier).

Apart from linear.py because it loads scikit-learn and SciPy (1.7 s): the plug-in check that
every `dateline` command starts with imports the classifier's class, and only a process that
trains, loads or guesses needs these.
"""

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ..base import Labelled, Story, TopicGuess
from . import features, medtop, neighbours, storage, tuning

# Below this a guessed Media Topic is not worth an editor's look.
MEDTOP_FLOOR = 0.5


def train(examples: Iterable[Labelled]) -> dict | None:
    """What the stories teach (None when they hold not a word to learn from)."""
    examples = list(examples)
    vectoriser = features.vectoriser(len(examples))
    try:
        x = vectoriser.fit_transform([features.document(e.story) for e in examples])
    except ValueError:  # no stories, or not a word in them: nothing to learn
        return None
    words = features.words(vectoriser, x)
    return {"vectoriser": vectoriser, **_archive(x, words, examples, features.Views.of(vectoriser)),
            "medtop": medtop.learn(x, [e.section for e in examples])}


def topics(m: dict, story: Story) -> list[TopicGuess]:
    x = m["vectoriser"].transform([features.document(story)])
    words = features.words(m["vectoriser"], x)
    return _archive_guesses(m, x, words) + medtop.guess(m["medtop"], x, MEDTOP_FLOOR)


def save(folder: Path, m: dict, version: str) -> None:
    storage.save(folder, m, version)


def load(folder: Path, version: str) -> dict | None:
    return storage.load(folder, version)


def _archive(x, words, examples: list[Labelled], views: features.Views) -> dict:
    """The archive topics' weights, thresholds and confidence curves (none without topics)."""
    names = sorted({t for e in examples for t in e.labels.get("topic", [])})
    if not names:
        return {"names": []}
    index = {name: k for k, name in enumerate(names)}
    y = np.zeros((len(examples), len(names)), dtype=bool)
    for i, example in enumerate(examples):
        for topic in example.labels.get("topic", []):
            y[i, index[topic]] = True
    tuned = tuning.tune(x, y, words, views)
    weights, intercept = tuned.pop("committee").blend(*tuning.fit_weights(x, y))
    return {"names": names, "weights": weights, "intercept": intercept, **tuned,
            "neighbours": neighbours.memory(words, y, tuning.fold_splits(len(y)))}


def _archive_guesses(m: dict, x, words) -> list[TopicGuess]:
    if not m["names"]:
        return []
    scores = np.asarray(x @ m["weights"]).ravel() + m["intercept"]
    scores += neighbours.WEIGHT * neighbours.vote(words, m["neighbours"])[0]
    given = tuning.chosen(scores[None, :], m["thresholds"], m["fallback"])[0]
    a, b = m["platt"][:, 0], m["platt"][:, 1]
    confidence = 1 / (1 + np.exp(-(a * scores + b)))
    guesses = [
        TopicGuess("archive", m["names"][k], round(float(confidence[k]), 3), m["names"][k])
        for k in np.flatnonzero(given)
    ]
    return sorted(guesses, key=lambda g: -g.confidence)

"""LinearTopicClassifier: the archive's topic labels from TF-IDF features, one linear SVM per
topic and a vote of the nearest training stories, and the Media Topic of the section a story
would be filed in."""

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ..base import Labelled, Story, TopicClassifier, TopicGuess
from . import features, medtop, neighbours, storage, tuning

# Below this a guessed Media Topic is not worth an editor's look.
MEDTOP_FLOOR = 0.5


class LinearTopicClassifier(TopicClassifier):
    """Trained on the site's own tagged stories (`dateline intelligence train`): a topic is
    learnt from every story that carries it, and only topics with a story to learn from are
    ever guessed. Untrained, it guesses nothing."""

    name = "linear"
    # 2: the vectoriser reads letter runs beside words (features.vectoriser).
    # 3: a topic's threshold is the lowest of its near-best cuts (tuning.NEAR_BEST).
    # 4: the nearest training stories' topics vote beside the linear scores (neighbours.py).
    # 5: the thresholds are the mean over several fold splits (tuning.SPLITS).
    # 6: the weights are the mean of the full model and the folds' (tuning.Committee).
    # 7: the nearest stories vote as in cross-validation, among each fold's complement.
    version = "7"

    def __init__(self) -> None:
        self.model: dict | None = None

    def train(self, examples: Iterable[Labelled]) -> None:
        examples = list(examples)
        self.model = None
        vectoriser = features.vectoriser(len(examples))
        try:
            x = vectoriser.fit_transform([features.document(e.story) for e in examples])
        except ValueError:  # no stories, or not a word in them: nothing to learn
            return
        words = features.words(vectoriser, x)
        self.model = {"vectoriser": vectoriser, **_archive(x, words, examples),
                      "medtop": medtop.learn(x, [e.section for e in examples])}

    def topics(self, story: Story) -> list[TopicGuess]:
        if self.model is None:
            return []
        m = self.model
        x = m["vectoriser"].transform([features.document(story)])
        words = features.words(m["vectoriser"], x)
        return _archive_guesses(m, x, words) + medtop.guess(m["medtop"], x, MEDTOP_FLOOR)

    def save(self, folder: Path) -> None:
        if self.model is not None:
            storage.save(folder, self.model, self.version)

    def load(self, folder: Path) -> bool:
        self.model = storage.load(folder, self.version)
        return self.model is not None


def _archive(x, words, examples: list[Labelled]) -> dict:
    """The archive topics' weights, thresholds and confidence curves (none without topics)."""
    names = sorted({t for e in examples for t in e.labels.get("topic", [])})
    if not names:
        return {"names": []}
    index = {name: k for k, name in enumerate(names)}
    y = np.zeros((len(examples), len(names)), dtype=bool)
    for i, example in enumerate(examples):
        for topic in example.labels.get("topic", []):
            y[i, index[topic]] = True
    tuned = tuning.tune(x, y, words)
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

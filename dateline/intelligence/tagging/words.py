"""A bag-of-words classifier for the labels an archive gives most often.

Reuters labels "USA" on American company news that never names the country, "UK" on a
London fund's results: no name in the text says so, the vocabulary does ("dlrs", "Inc",
"pence", "plc"). For each label with enough training stories, a logistic regression on the
story's words gives P(label | words), one more piece of evidence for the tagger's
calibration. Kept as a vocabulary (JSON) and a weight matrix (numpy .npz, no pickles).
"""

import math
import re
from collections import Counter

from ..base import Story

MIN_STORIES = 60  # training stories a label needs for a classifier of its own
# A place is often implied by a story's vocabulary (a currency, a ministry, a city's
# exchange), so places get one from fewer stories; people and organisations did not gain
# from it on the training split's held-out stories (BENCH_TAGS_CV=1).
MIN_STORIES_BY_KIND = {"place": 20}
MIN_DF = 3
MAX_WORDS = 30000
_WORD = re.compile(r"[^\W\d_][\w'-]*")


def words(story: Story) -> set[str]:
    return {w.lower() for w in _WORD.findall(f"{story.headline}\n{story.body}")}


class WordModel:
    def __init__(self, vocabulary=(), labels=(), matrix=None) -> None:
        self.vocabulary = {w: i for i, w in enumerate(vocabulary)}
        self.labels = list(labels)  # [(kind, name)]
        self.matrix = matrix  # (1 + words) x labels: intercepts first

    @classmethod
    def fit(cls, stories: list[Story], labels: list[set[tuple[str, str]]]) -> "WordModel":
        import numpy as np
        from scipy.sparse import csr_matrix
        from sklearn.linear_model import LogisticRegression

        counts = Counter(label for story_labels in labels for label in story_labels)
        chosen = sorted(label for label, n in counts.items()
                        if n >= MIN_STORIES_BY_KIND.get(label[0], MIN_STORIES))
        bags = [words(s) for s in stories]
        df = Counter(w for bag in bags for w in bag)
        vocabulary = [w for w, n in df.most_common(MAX_WORDS) if n >= MIN_DF]
        model = cls(vocabulary, chosen)
        if not chosen:
            return model
        x = model._matrix(bags, csr_matrix)
        matrix = np.zeros((len(vocabulary) + 1, len(chosen)), dtype=np.float32)
        for j, label in enumerate(chosen):
            y = np.array([label in story_labels for story_labels in labels])
            fitted = LogisticRegression(C=2.0, solver="liblinear").fit(x, y)
            matrix[0, j] = fitted.intercept_[0]
            matrix[1:, j] = fitted.coef_[0]
        model.matrix = matrix
        return model

    def _matrix(self, bags, csr_matrix):
        rows, cols, values = [], [], []
        for i, bag in enumerate(bags):
            found = [self.vocabulary[w] for w in bag if w in self.vocabulary]
            for j in found:
                rows.append(i)
                cols.append(j)
                values.append(1 / math.sqrt(len(found)))
        return csr_matrix((values, (rows, cols)), shape=(len(bags), len(self.vocabulary)))

    def probabilities(self, story: Story) -> dict[tuple[str, str], float]:
        if self.matrix is None or not self.labels:
            return {}
        found = [self.vocabulary[w] + 1 for w in words(story) if w in self.vocabulary]
        z = self.matrix[0] + (self.matrix[found].sum(axis=0) / math.sqrt(len(found))
                              if found else 0)
        return {label: 1 / (1 + math.exp(-float(v))) for label, v in zip(
            self.labels, z, strict=True)}

    def to_json(self) -> dict:
        return {"vocabulary": list(self.vocabulary), "labels": [list(x) for x in self.labels]}

    @classmethod
    def from_json(cls, data: dict, matrix) -> "WordModel":
        return cls(data.get("vocabulary", ()), [tuple(x) for x in data.get("labels", ())],
                   matrix)

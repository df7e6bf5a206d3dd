"""A story as the text the linear models read, and the vectoriser that turns it into features."""

import re

import numpy as np
from scipy.sparse import csr_matrix, diags, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize

from ..base import Story

# The headline says what the story is about more plainly than any sentence of the body, so
# it counts as this many repetitions of itself.
HEADLINE_WEIGHT = 3
# Enough words and word pairs for a newsroom's topics; more only grows the model on disk and
# the time to read it (on Reuters' training stories, all 105,000 did no better; 20,000 lost
# a point of macro-F1). The headline counted once instead of three times lost 0.7 of micro-F1.
MAX_FEATURES = 50_000
# A second view of the same text: runs of 3 to 5 letters inside words, which match a word's
# other forms ("tariff", "tariffs") and a short wire item's few words where whole words
# cannot. Stacked with the words, on Reuters' training stories (their latest quarter held
# out) it lifted macro-F1 from 0.50 to 0.57 and micro-F1 from 0.857 to 0.866; 100,000 of them
# did no better than 50,000 and made the model 5 MB larger.
CHAR_NGRAMS = (3, 5)
MAX_CHAR_FEATURES = 50_000
_DIGITS = re.compile(r"\d")


def document(story: Story) -> str:
    return "\n".join([story.headline] * HEADLINE_WEIGHT + [story.body])


def normalise(text: str) -> str:
    """Lower case, every digit a 0: "4.5 mln" and "3.2 mln" are the same feature, which is what
    tells an earnings report or a price story apart, whatever the figures."""
    return _DIGITS.sub("0", text.lower())


def vectoriser(stories: int) -> FeatureUnion:
    """Words and word pairs side by side with letter runs (CHAR_NGRAMS), each view scaled to
    unit length. A feature seen in one story only, or in more than half of them, tells no
    topic apart; in a handful of stories (a new site) every one is kept."""
    many = stories >= 20
    common = {"preprocessor": normalise, "sublinear_tf": True, "dtype": np.float32,
              "min_df": 2 if many else 1, "max_df": 0.5 if many else 1.0}
    return FeatureUnion([
        ("words", TfidfVectorizer(ngram_range=(1, 2), max_features=MAX_FEATURES, **common)),
        ("letters", TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS,
                                    max_features=MAX_CHAR_FEATURES, **common)),
    ])


def words(vectoriser: FeatureUnion, x):
    """The word-and-word-pair columns of x (the vectoriser's first view), each row of unit
    length: their products are cosine similarities (neighbours.py)."""
    return x[:, : len(vectoriser.transformer_list[0][1].vocabulary_)]


class Views:
    """Where each view of the vectoriser (words and word pairs, then letter runs) lies among a
    matrix's columns, and the least number of stories a feature must be in to be kept: what it
    takes to show stories as a vectoriser fitted on fewer of them would (`as_seen_by`)."""

    def __init__(self, widths: list[int], min_df: int) -> None:
        self.bounds = np.cumsum([0, *widths])
        self.min_df = min_df

    @classmethod
    def of(cls, vectoriser: FeatureUnion) -> "Views":
        parts = [part for _, part in vectoriser.transformer_list]
        return cls([len(part.vocabulary_) for part in parts], parts[0].min_df)

    def words(self, x):
        return x[:, self.bounds[0]: self.bounds[1]]

    def as_seen_by(self, x, kept: np.ndarray):
        """x as a vectoriser fitted on the rows `kept` alone would give it: a feature in fewer
        than min_df of those rows dropped (a story to come never has one of the training's
        one-story words), each view of each row scaled to unit length again.

        Cross-validation fits each fold's model on such a subset, yet its held-out stories
        kept the words the whole set's vectoriser found in them, among them words the fold's
        stories used once, which no vectoriser fitted on those stories would keep: the held-out
        scores the thresholds are tuned on came from richer features than a story to come has
        (tuning.cross_scores). An approximation of a fold's own vectoriser: the IDF weights,
        the cut of words in more than half the stories, the size of the vocabulary and min_df
        itself (2 from 20 stories on, where a fold of 20 to 29 would keep every word) stay the
        whole set's. A story to come meets the model and the nearest stories' vote with the
        whole set's features, of which it has only those in two training stories or more.
        Costs about three copies of x while a fold is trained (a 100,000-story archive's x is
        some hundreds of MB)."""
        used = np.asarray((x[kept] != 0).sum(axis=0)).ravel() >= self.min_df
        kept_columns = csr_matrix(x @ diags(used.astype(np.float32)))
        views = [normalize(kept_columns[:, start:end])
                 for start, end in zip(self.bounds[:-1], self.bounds[1:], strict=True)]
        return csr_matrix(hstack(views), dtype=np.float32)

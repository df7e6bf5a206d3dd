"""A story as the text the linear models read, and the vectoriser that turns it into features."""

import re

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from ..base import Story

# The headline says what the story is about more plainly than any sentence of the body, so
# it counts as this many repetitions of itself.
HEADLINE_WEIGHT = 3
# Enough words and word pairs for a newsroom's topics; more only grows the model on disk and
# the time to read it (on Reuters' training stories, all 105,000 did no better; 20,000 lost
# a point of macro-F1). The headline counted once instead of three times lost 0.7 of micro-F1.
MAX_FEATURES = 50_000
_DIGITS = re.compile(r"\d")


def document(story: Story) -> str:
    return "\n".join([story.headline] * HEADLINE_WEIGHT + [story.body])


def normalise(text: str) -> str:
    """Lower case, every digit a 0: "4.5 mln" and "3.2 mln" are the same feature, which is what
    tells an earnings report or a price story apart, whatever the figures."""
    return _DIGITS.sub("0", text.lower())


def vectoriser(stories: int) -> TfidfVectorizer:
    """A word seen in one story only, or in more than half of them, tells no topic apart; in a
    handful of stories (a new site) every word is kept."""
    many = stories >= 20
    return TfidfVectorizer(
        preprocessor=normalise, ngram_range=(1, 2), sublinear_tf=True,
        min_df=2 if many else 1, max_df=0.5 if many else 1.0,
        max_features=MAX_FEATURES, dtype=np.float32,
    )

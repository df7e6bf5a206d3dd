"""LinearTopicClassifier: the archive's topic labels from TF-IDF features, one linear SVM per
topic and a vote of the nearest training stories, and the Media Topic of the section a story
would be filed in. Its code is in model.py, imported when first needed (see there)."""

from collections.abc import Iterable
from pathlib import Path

from ..base import Labelled, Story, TopicClassifier, TopicGuess


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
    # 8: each fold sees the stories with its own stories' words only (features.Views).
    version = "8"

    def __init__(self) -> None:
        self.model: dict | None = None

    def train(self, examples: Iterable[Labelled]) -> None:
        self.model = None  # a training that fails leaves no model, not the last one
        self.model = _code().train(examples)

    def topics(self, story: Story) -> list[TopicGuess]:
        if self.model is None:
            return []
        return _code().topics(self.model, story)

    def save(self, folder: Path) -> None:
        if self.model is not None:
            _code().save(folder, self.model, self.version)

    def load(self, folder: Path) -> bool:
        self.model = _code().load(folder, self.version)
        return self.model is not None


def _code():
    from . import model

    return model

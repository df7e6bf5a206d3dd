"""Topic classifiers: the archive's own topic labels (and Media Topics) learnt from stories.

`linear` (LinearTopicClassifier) is the built-in: TF-IDF features and one linear model per
topic, with per-topic thresholds and calibrated confidences tuned by cross-validation on the
training stories alone.
"""

from .linear import LinearTopicClassifier

__all__ = ["LinearTopicClassifier"]

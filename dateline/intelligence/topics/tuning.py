"""What the topic models learn beyond their weights, from cross-validated scores on the
training stories alone: a threshold per topic ("SCut"), the curve that turns a score into a
probability (Platt scaling), whether a story with no topic over its threshold should take its
best one anyway, and the committee of the models that gave those scores (Committee)."""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from . import features, neighbours

# LinearSVC's regularisation, its default: 0.5 did no better on Reuters' training stories
# (their latest quarter held out), nor did weighting a rare topic's stories up ("balanced").
C = 1.0
# Where no model is learnt (a topic missing from a fold), no story reaches the threshold.
NEVER = -1e3
# A topic whose best held-out F1 stays under this is one the threshold search cannot be
# trusted on (a rare topic, its few stories scored low): its threshold is raised to the score
# of its best-scored held-out story, so that only a story more like the topic than any seen
# is given it ("SCutFBR.1", Yang 2001). Of 0.1..0.5, and of raising it to the SVM's own 0
# instead, this scored best in cross-validation inside Reuters' training stories (their latest
# quarter held out): macro-F1 0.50 against 0.49, micro-F1 the same. With the letter runs
# beside the words (features.CHAR_NGRAMS), 0.3 did best there of 0.1, 0.2 and 0.3: macro-F1
# 0.578 against 0.570 and 0.551, micro-F1 0.867 against 0.866 and 0.854.
FBR = 0.3
# Of the cuts whose held-out F1 is within this share of the best, the lowest is taken. Stories
# still to come report new events and score lower than held-out ones from the same weeks (on
# Reuters' training stories, their latest quarter held out, 5.9% of the later Earnings stories
# fell under the cut against 3.8% of the held-out ones), so where a topic's F1 is flat around
# its best, the cut leans to recall. There 0.005, 0.0075 and 0.01 did as well as each other
# (micro-F1 0.873 against 0.867 for the best cut alone, macro-F1 0.580 against 0.578; the same
# with C = 2); 0.015 and more, or the same in absolute F1, let in too many wrong guesses.
NEAR_BEST = 0.01
# A topic with fewer held-out stories than this keeps the highest of its best cuts: its F1
# moves in steps too coarse to lean on (the lowest of tied cuts there cost 0.007 of macro-F1).
NEAR_BEST_STORIES = 10
# How far below its threshold a story's best topic may score and still be given, when no
# topic reaches its own: cross-validation picks one of these (None: never).
FALLBACK_MARGINS = (None, 0.1, 0.25, 0.5, 1.0)
# The thresholds are the mean of those tuned on this many different random fold splits. A
# rare topic's cut moves with which stories share a fold: inside Reuters' training stories
# (their latest quarter held out), one split's thresholds gave micro-F1 0.861 to 0.877 over
# nine seeds (mean 0.867, macro-F1 0.534; the seed used until version 5 was the luckiest), the
# mean of three splits' 0.871 to 0.872 (macro 0.558) over three disjoint triples, for three
# times the cross-validation's training time. Nine splits gave 0.873 (macro 0.572).
SPLITS = 3


def fit_weights(x: csr_matrix, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One linear SVM per topic (column of y): weights (features by topics) and intercepts, so
    that a story's scores are `x @ weights + intercepts`. Features by topics, row after row,
    because a sparse row times it reads only the rows of the story's words: 0.1 ms a story,
    where the transpose of a topics-by-features array costs 15 ms."""
    weights = np.zeros((x.shape[1], y.shape[1]), dtype=np.float32)
    intercept = np.full(y.shape[1], NEVER, dtype=np.float32)
    # LinearSVC copies a float32 matrix to float64 on every fit: done once here instead.
    x = csr_matrix(x, dtype=np.float64)

    def fit(k):
        model = LinearSVC(C=C).fit(x, y[:, k])
        weights[:, k], intercept[k] = model.coef_[0], model.intercept_[0]

    # liblinear lets go of the GIL while it fits, so threads fit topics side by side (the
    # letter-run features made training five times longer: features.CHAR_NGRAMS).
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(fit, [k for k in range(y.shape[1]) if 0 < y[:, k].sum() < len(y)]))
    return weights, intercept


class Committee:
    """The models cross-validation trained, averaged: per topic, the mean weights and intercept
    of the folds that learnt it.

    The thresholds are tuned on these models' scores, yet stories to come used to be scored by
    the one model trained on every story, which has seen half as many stories again as each
    fold's and scores more of them over a threshold: on Reuters' training stories (their latest
    quarter held out) it gave 0.97 guesses per editor's topic, the committee 0.94. Scoring with
    the mean of the two brings the scores nearer to those the thresholds were tuned on, and
    nine models trained on different stories steady each other's weights. There micro-F1 went
    from 0.8729 to 0.8751 and macro-F1 from 0.558 to 0.546; on the test split, measured after
    the choice, micro-F1 from 0.8685 to 0.8698 and macro-F1 from 0.5712 to 0.5718, precision up
    and recall down: the first change chosen on the training stories whose micro-F1 gain held
    on the later months. The committee alone gained as much micro-F1 on the training stories
    (0.875) but lost more macro-F1 (0.533). A fold that never saw a topic has no model of it,
    so it is left out of that topic's mean rather than counted as zero weights.
    """

    def __init__(self, features: int, topics: int) -> None:
        self.weights = np.zeros((features, topics), dtype=np.float32)
        self.intercept = np.zeros(topics, dtype=np.float32)
        self.learnt = np.zeros(topics, dtype=np.int32)  # how many folds learnt each topic

    def add(self, weights: np.ndarray, intercept: np.ndarray) -> None:
        learnt = intercept > NEVER
        self.weights[:, learnt] += weights[:, learnt]
        self.intercept[learnt] += intercept[learnt]
        self.learnt += learnt

    def blend(self, weights: np.ndarray, intercept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The mean of the model trained on every story (`weights`, `intercept`) and this
        committee, for each topic some fold learnt; the full model alone for the others."""
        some = self.learnt > 0
        count = np.maximum(self.learnt, 1)
        mixed_weights = np.where(some, (weights + self.weights / count) / 2, weights)
        mixed_intercept = np.where(some, (intercept + self.intercept / count) / 2, intercept)
        return mixed_weights.astype(np.float32), mixed_intercept.astype(np.float32)


def tune(x: csr_matrix, y: np.ndarray, words: csr_matrix | None = None,
         views: features.Views | None = None) -> dict:
    """Thresholds (the mean over SPLITS fold splits), confidence curves and fallback margin,
    the last two fitted on every split's held-out scores together, and the Committee of the
    models that scored them."""
    committee = Committee(x.shape[1], y.shape[1])
    runs = [cross_scores(x, y, words, seed=seed, committee=committee, views=views)
            for seed in range(SPLITS)]
    cuts = np.mean([thresholds(scores, y) for scores in runs], axis=0).astype(np.float32)
    scores, every = np.vstack(runs), np.vstack([y] * len(runs))
    return {"thresholds": cuts, "platt": platt(scores, every),
            "fallback": fallback_margin(scores, every, cuts), "committee": committee}


def cross_scores(x: csr_matrix, y: np.ndarray, words: csr_matrix | None = None,
                 folds: int = 3, seed: int = 0, committee: Committee | None = None,
                 views: features.Views | None = None) -> np.ndarray:
    """Each story's score for each topic from models that did not see it: the linear score,
    plus, given the stories' word features, the vote of its nearest stories in the other folds
    (neighbours.py), as a story to come is scored. Each fold's model joins `committee`. Given
    the vectoriser's `views`, each fold sees the stories as a vectoriser fitted on its own
    stories would show them (features.Views.as_seen_by, classifier version 8)."""
    scores = np.empty(y.shape, dtype=np.float32)
    assigned = fold_of(len(y), seed, folds)
    for fold in range(folds):
        held, kept = np.flatnonzero(assigned == fold), np.flatnonzero(assigned != fold)
        seen, seen_words = x, words
        if views is not None:
            seen = views.as_seen_by(x, kept)
            seen_words = None if words is None else views.words(seen)
        weights, intercept = fit_weights(seen[kept], y[kept])
        if committee is not None:
            committee.add(weights, intercept)
        scores[held] = seen[held] @ weights + intercept
        if seen_words is not None:
            near = neighbours.memory(seen_words[kept], y[kept])
            scores[held] += neighbours.WEIGHT * neighbours.vote(seen_words[held], near)
    return scores


def fold_of(stories: int, seed: int, folds: int = 3) -> np.ndarray:
    """Each story's fold in the fold split drawn with `seed` (folds of equal size, +-1)."""
    assigned = np.empty(stories, dtype=np.int8)
    order = np.random.default_rng(seed).permutation(stories)
    for fold, held in enumerate(np.array_split(order, folds)):
        assigned[held] = fold
    return assigned


def fold_splits(stories: int) -> np.ndarray:
    """The fold of each story in each of the SPLITS fold splits `tune` uses (a row a split)."""
    return np.stack([fold_of(stories, seed) for seed in range(SPLITS)])


def thresholds(scores: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per topic, the lowest score above which predicting it gives an F1 within NEAR_BEST of
    the best on the held-out scores (or, where that F1 is poor, the best held-out score: see
    FBR)."""
    found = np.zeros(y.shape[1], dtype=np.float32)
    for k in range(y.shape[1]):
        order = np.argsort(-scores[:, k], kind="stable")
        ranked, hits = scores[order, k], np.cumsum(y[order, k])
        f1 = 2 * hits / (np.arange(1, len(ranked) + 1) + y[:, k].sum())
        top = float(f1.max())
        best = int(np.argmax(f1))
        if y[:, k].sum() >= NEAR_BEST_STORIES:
            # Only between two different scores: a cut inside a run of equal ones (a topic a
            # fold never learnt scores its stories all NEVER) would give the whole run.
            apart = np.append(ranked[:-1] > ranked[1:], True)
            near = np.flatnonzero((f1 >= top * (1 - NEAR_BEST)) & apart)
            # Every near-best cut can fall inside such runs: copies of one story score the
            # same, and a wire's copies are not always labelled alike (on Reuters' training
            # stories two fold splits of nine had a topic so). The best cut between two
            # different scores is taken then.
            best = int(near[-1]) if len(near) else int(np.flatnonzero(apart)[np.argmax(f1[apart])])
        below = ranked[best + 1] if best + 1 < len(ranked) else ranked[best] - 1
        found[k] = (ranked[best] + below) / 2
        if top < FBR:
            found[k] = max(found[k], ranked[0])
    return found


def platt(scores: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per topic, (a, b) with P(topic | score s) = 1 / (1 + exp(-(a·s + b))), fitted on the
    held-out scores, so that a confidence of 0.9 is right nine times in ten."""
    curves = np.zeros((y.shape[1], 2), dtype=np.float32)
    for k in range(y.shape[1]):
        if 0 < y[:, k].sum() < len(y):
            model = LogisticRegression(C=100.0).fit(scores[:, [k]], y[:, k])
            curves[k] = model.coef_[0, 0], model.intercept_[0]
        else:
            curves[k] = 0.0, -10.0
    return curves


def chosen(scores: np.ndarray, cuts: np.ndarray, margin: float | None) -> np.ndarray:
    """The topics given (a boolean matrix): those over their threshold, or, for a story with
    none, its best one when it is within `margin` of its threshold."""
    over = scores >= cuts
    if margin is not None:
        gaps = scores - cuts
        best = np.argmax(gaps, axis=1)
        lonely = ~over.any(axis=1) & (gaps[np.arange(len(gaps)), best] >= -margin)
        over[np.flatnonzero(lonely), best[lonely]] = True
    return over


def fallback_margin(scores: np.ndarray, y: np.ndarray, cuts: np.ndarray) -> float | None:
    """The margin of FALLBACK_MARGINS that scores best (mean of micro- and macro-F1)."""

    def quality(margin):
        given = chosen(scores, cuts, margin)
        tp, fp, fn = ((given & y).sum(0), (given & ~y).sum(0), (~given & y).sum(0))
        micro = 2 * tp.sum() / max(2 * tp.sum() + fp.sum() + fn.sum(), 1)
        macro = np.mean(2 * tp / np.maximum(2 * tp + fp + fn, 1))
        return micro + macro

    return max(FALLBACK_MARGINS, key=quality)

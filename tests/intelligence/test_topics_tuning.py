"""The topic thresholds, confidence curves and fallback, on scores small enough to check by hand."""

import numpy as np
from scipy.sparse import csr_matrix

from dateline.intelligence.topics import tuning


def test_a_threshold_is_where_f1_is_best_on_held_out_scores():
    # Topic 0: its three stories score 2.0, 1.5 and 0.2; an off-topic one scores 0.9.
    # Cutting at 0.2 gives F1 6/7, at 1.5 (between 0.9 and 1.5) 4/5: the lower cut is better.
    scores = np.array([[2.0], [1.5], [0.9], [0.2], [-1.0]], dtype=np.float32)
    y = np.array([[True], [True], [False], [True], [False]])
    (cut,) = tuning.thresholds(scores, y)
    assert -1.0 < cut < 0.2
    assert tuning.chosen(scores, np.array([cut]), None)[:, 0].tolist() == [
        True, True, True, True, False]


def test_where_f1_is_flat_near_its_best_the_lower_cut_is_taken():
    # 100 stories of the topic score 2.0 down to 1.01, three off-topic ones 0.5 to 0.42, one
    # more of the topic 0.4, fifty off-topic ones -1 and under. Cutting under 1.01 gives F1
    # 0.995, under 0.4 0.985: within NEAR_BEST of the best, so the story at 0.4 is given the
    # topic too; one off-topic story more (0.981) is not.
    scores = np.concatenate([np.linspace(2.0, 1.01, 100), [0.5, 0.45, 0.42, 0.4],
                             np.linspace(-1.0, -2.0, 50)])
    y = np.zeros((154, 1), dtype=bool)
    y[:100, 0] = y[103, 0] = True
    (cut,) = tuning.thresholds(scores[:, None].astype(np.float32), y)
    assert -1.0 < cut < 0.4


def test_a_cut_never_splits_stories_with_the_same_score():
    # As above, but the fifty off-topic stories all score -1 (as a topic no fold learnt scores
    # every story the same): a cut among them would give the topic to all fifty, so the lowest
    # cut is the one above them.
    scores = np.concatenate([np.linspace(2.0, 1.01, 100), [0.5, 0.45, 0.4], np.full(50, -1.0)])
    y = np.zeros((153, 1), dtype=bool)
    y[:100, 0] = y[102, 0] = True
    (cut,) = tuning.thresholds(scores[:, None].astype(np.float32), y)
    assert -1.0 < cut < 0.4


def test_a_topic_with_few_stories_keeps_the_highest_of_its_best_cuts():
    # Two stories of the topic: cutting under the first (F1 2/3) or under both (F1 2/3) tie.
    scores = np.array([[2.0], [1.0], [0.9], [0.5], [-1.0]], dtype=np.float32)
    y = np.array([[True], [False], [False], [True], [False]])
    (cut,) = tuning.thresholds(scores, y)
    assert 1.0 < cut < 2.0


def test_a_topic_the_search_cannot_trust_is_given_only_above_its_best_held_out_score():
    # Its one story scores below ten others: the best F1 (2/12) is under FBR.
    scores = np.concatenate([np.linspace(1.0, 0.1, 10), [0.0, -1.0]])[:, None]
    y = np.zeros((12, 1), dtype=bool)
    y[10, 0] = True
    (cut,) = tuning.thresholds(scores.astype(np.float32), y)
    assert cut == np.float32(1.0)


def test_confidence_follows_the_held_out_evidence():
    rng = np.random.default_rng(1)
    y = rng.random((400, 1)) < 0.3
    scores = np.where(y, rng.normal(1, 1, y.shape), rng.normal(-1, 1, y.shape))
    (a, b), = tuning.platt(scores, y)
    chance = 1 / (1 + np.exp(-(a * np.array([-3.0, 0.0, 3.0]) + b)))
    assert a > 0 and chance[0] < 0.05 < chance[1] < 0.95 < chance[2]


def test_a_story_with_no_topic_over_its_threshold_takes_its_best_within_the_margin():
    scores = np.array([[0.1, -0.5], [-2.0, -3.0]], dtype=np.float32)
    cuts = np.array([0.3, 0.0], dtype=np.float32)
    assert not tuning.chosen(scores, cuts, None).any()
    # The first story's best topic is 0.2 under its threshold; the second's 2.3.
    assert tuning.chosen(scores, cuts, 0.25).tolist() == [[True, False], [False, False]]


def test_cross_validation_chooses_no_fallback_where_stories_may_have_no_topic():
    # Half the stories have no topic: giving each its best one would only add wrong guesses.
    scores = np.array([[1.0, -1], [-1, 1.0], [-0.6, -0.7], [-0.8, -0.5]], dtype=np.float32)
    y = np.array([[True, False], [False, True], [False, False], [False, False]])
    cuts = tuning.thresholds(scores, y)
    assert tuning.fallback_margin(scores, y, cuts) is None


def test_copies_labelled_unalike_at_every_near_best_cut_leave_the_best_cut_between_scores():
    # Ten stories of the topic score 3.0 down to 2.1; then two copies of one story score 1.0
    # alike, one labelled with the topic and one not; the rest are off-topic. F1 is best (1.0)
    # and within NEAR_BEST of it only inside the copies' run, where no cut can fall: the cut
    # is the best one between two different scores, under both copies (F1 22/23), not over
    # them (20/21).
    scores = np.concatenate([np.linspace(3.0, 2.1, 10), [1.0, 1.0], np.linspace(-1, -2, 40)])
    y = np.zeros((52, 1), dtype=bool)
    y[:11, 0] = True
    (cut,) = tuning.thresholds(scores[:, None].astype(np.float32), y)
    assert -1.0 < cut < 1.0


def test_the_thresholds_are_the_mean_of_those_of_several_fold_splits(monkeypatch):
    rng = np.random.default_rng(3)
    y = rng.random((90, 2)) < 0.3
    x = csr_matrix(np.hstack([y + rng.normal(0, 0.6, y.shape), rng.random((90, 3))]))
    runs = [tuning.cross_scores(x, y, seed=seed) for seed in range(tuning.SPLITS)]
    assert not np.allclose(runs[0], runs[1])  # the splits differ
    tuned = tuning.tune(x, y)
    expected = np.mean([tuning.thresholds(scores, y) for scores in runs], axis=0)
    np.testing.assert_allclose(tuned["thresholds"], expected, rtol=1e-6)
    monkeypatch.setattr(tuning, "SPLITS", 1)
    np.testing.assert_allclose(tuning.tune(x, y)["thresholds"], tuning.thresholds(runs[0], y),
                               rtol=1e-6)


def test_the_committee_averages_each_topic_over_the_folds_that_learnt_it():
    committee = tuning.Committee(features=2, topics=2)
    never = np.float32(tuning.NEVER)
    committee.add(np.array([[1.0, 0.0], [3.0, 0.0]]), np.array([0.5, never]))
    committee.add(np.array([[3.0, 4.0], [5.0, 2.0]]), np.array([1.5, -1.0]))
    full_weights, full_intercept = np.array([[2.0, 2.0], [2.0, 2.0]]), np.array([0.0, 1.0])
    weights, intercept = committee.blend(full_weights, full_intercept)
    # Topic 0: both folds learnt it (mean [2, 4], 1.0); topic 1 only the second ([4, 2], -1.0).
    np.testing.assert_allclose(weights, [[2.0, 3.0], [3.0, 2.0]])
    np.testing.assert_allclose(intercept, [0.5, 0.0])


def test_a_topic_no_fold_learnt_keeps_the_full_models_weights():
    committee = tuning.Committee(features=1, topics=1)
    committee.add(np.array([[9.0]]), np.array([tuning.NEVER], dtype=np.float32))
    weights, intercept = committee.blend(np.array([[2.0]]), np.array([0.25]))
    assert weights.tolist() == [[2.0]] and intercept.tolist() == [0.25]


def test_tuning_gathers_every_fold_model_of_every_split(monkeypatch):
    rng = np.random.default_rng(5)
    y = rng.random((60, 2)) < 0.4
    x = csr_matrix(np.hstack([y + rng.normal(0, 0.6, y.shape), rng.random((60, 3))]))
    fitted = []
    fit = tuning.fit_weights
    monkeypatch.setattr(tuning, "fit_weights", lambda *a: fitted.append(fit(*a)) or fitted[-1])
    committee = tuning.tune(x, y)["committee"]
    assert len(fitted) == 3 * tuning.SPLITS
    assert committee.learnt.tolist() == [3 * tuning.SPLITS] * 2
    np.testing.assert_allclose(committee.weights / committee.learnt,
                               np.mean([w for w, _ in fitted], axis=0), rtol=1e-5)
    np.testing.assert_allclose(committee.intercept / committee.learnt,
                               np.mean([b for _, b in fitted], axis=0), rtol=1e-5)


def test_every_story_has_one_fold_in_each_split_and_the_splits_differ():
    splits = tuning.fold_splits(100)
    assert splits.shape == (tuning.SPLITS, 100)
    for split in splits:
        assert sorted(np.bincount(split).tolist()) == [33, 33, 34]
    assert (splits[0] != splits[1]).any()
    np.testing.assert_array_equal(splits[1], tuning.fold_of(100, seed=1))

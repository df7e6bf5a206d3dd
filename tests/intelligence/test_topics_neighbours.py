"""The nearest stories' vote, on vectors small enough to check by hand."""

import numpy as np
from scipy.sparse import csr_matrix

from dateline.intelligence.topics import neighbours


def _unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return csr_matrix(rows / np.linalg.norm(rows, axis=1, keepdims=True))


def test_the_vote_is_the_similarity_weighted_share_of_the_nearest(monkeypatch):
    monkeypatch.setattr(neighbours, "K", 2)
    # Training stories along three directions; topic 0 on the first two, topic 1 on the third.
    stories = _unit([[1, 0, 0], [0.8, 0.6, 0], [0, 0, 1]])
    topics = np.array([[True, False], [True, False], [False, True]])
    memory = neighbours.memory(stories, topics)
    # Nearest the first two: both carry topic 0 and neither topic 1. The second story is
    # nearest the first and the third, with cosines in the ratio 1 : 0.7 (0.68 with the
    # second): they share the vote in that ratio.
    votes = neighbours.vote(_unit([[1, 0.1, 0], [1, -0.2, 0.7]]), memory)
    assert votes[0].tolist() == [1.0, 0.0]
    np.testing.assert_allclose(votes[1], [1 / 1.7, 0.7 / 1.7], atol=1e-6)


def test_a_story_like_none_of_them_gets_no_vote():
    # It shares no feature with any training story: no similarity, nothing to share out.
    memory = neighbours.memory(_unit([[1, 0, 0], [1, 1, 0]]), np.array([[True], [True]]))
    assert neighbours.vote(_unit([[0, 0, 1]]), memory).tolist() == [[0.0]]


def test_with_the_folds_kept_the_vote_is_its_mean_among_each_folds_complement(monkeypatch):
    monkeypatch.setattr(neighbours, "K", 1)
    stories = _unit([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0.9, 0.1]])
    topics = np.array([[True, False], [False, True], [False, True], [True, False]])
    # One split in two folds: {0, 2} and {1, 3}. The story is nearest story 0, then story 1.
    story = _unit([[1, 0.05, 0]])
    plain = neighbours.vote(story, neighbours.memory(stories, topics))
    assert plain.tolist() == [[1.0, 0.0]]  # story 0 alone, topic 0
    folded = neighbours.vote(story, neighbours.memory(stories, topics, np.array([[0, 1, 0, 1]])))
    # Without fold 0 its nearest is story 1 (topic 1); without fold 1, story 0 (topic 0).
    assert folded.tolist() == [[0.5, 0.5]]


def test_a_single_fold_has_no_complement_and_votes_among_all():
    memory = neighbours.memory(_unit([[1, 0], [0, 1]]), np.array([[True], [False]]),
                               np.array([[0, 0]]))
    assert neighbours.vote(_unit([[1, 0.1]]), memory)[0, 0] > 0.9

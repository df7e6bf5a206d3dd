"""What each cross-validation fold sees of the stories (features.Views): the features a
vectoriser fitted on the fold's own stories would have kept, each view of unit length."""

import numpy as np
from scipy.sparse import csr_matrix

from dateline.intelligence.base import Story
from dateline.intelligence.topics import features, tuning


def rows(*values) -> csr_matrix:
    return csr_matrix(np.array(values, dtype=np.float32))


def test_a_feature_the_folds_stories_use_once_is_gone_from_every_story():
    # Two views: three word columns, then two letter-run columns.
    views = features.Views([3, 2], min_df=2)
    x = rows([0.6, 0.8, 0.0, 1.0, 0.0],   # kept
             [0.6, 0.0, 0.8, 1.0, 0.0],   # kept
             [0.0, 0.8, 0.6, 0.6, 0.8])   # held out
    seen = views.as_seen_by(x, np.array([0, 1])).toarray()
    # Word 0 is in both kept stories; words 1 and 2 in one each, letter run 4 in none.
    np.testing.assert_allclose(seen[:, [1, 2, 4]], 0)
    np.testing.assert_allclose(seen[:2, 0], [1.0, 1.0])  # its view rescaled to unit length
    np.testing.assert_allclose(seen[2, :3], 0)  # the held-out story keeps no word at all
    np.testing.assert_allclose(seen[:, 3], [1.0, 1.0, 1.0])


def test_with_every_feature_in_enough_stories_nothing_changes():
    views = features.Views([2, 1], min_df=2)
    x = rows([0.6, 0.8, 1.0], [0.8, 0.6, 1.0], [1.0, 0.0, 1.0])
    np.testing.assert_allclose(views.as_seen_by(x, np.array([0, 1])).toarray(), x.toarray(),
                               rtol=1e-6)


def test_the_views_are_those_of_the_vectoriser():
    stories = [Story(f"Wheat sale {n}", f"The board sold {n} tonnes of wheat to buyers")
               for n in range(25)]
    vectoriser = features.vectoriser(len(stories))
    x = vectoriser.fit_transform([features.document(s) for s in stories])
    views = features.Views.of(vectoriser)
    assert views.min_df == 2
    assert views.bounds[-1] == x.shape[1]
    np.testing.assert_array_equal(views.words(x).toarray(),
                                  features.words(vectoriser, x).toarray())


def test_each_fold_is_fitted_and_scored_on_what_it_sees(monkeypatch):
    rng = np.random.default_rng(7)
    y = rng.random((60, 1)) < 0.4
    x = csr_matrix(np.hstack([y + rng.normal(0, 0.6, y.shape), rng.random((60, 3))])
                   .astype(np.float32))
    views = features.Views([2, 2], min_df=2)
    shown = []
    monkeypatch.setattr(views, "as_seen_by", lambda m, kept: shown.append(kept) or m * 2)
    fitted = []
    fit = tuning.fit_weights
    monkeypatch.setattr(tuning, "fit_weights", lambda a, b: fitted.append(a) or fit(a, b))
    tuning.cross_scores(x, y, views=views)
    assert len(shown) == 3  # once a fold, with that fold's training stories
    assigned = tuning.fold_of(60, seed=0)
    for fold, kept in enumerate(shown):
        np.testing.assert_array_equal(kept, np.flatnonzero(assigned != fold))
        np.testing.assert_allclose(fitted[fold].toarray(), (x[kept] * 2).toarray())

"""Boosted decision trees kept as plain numbers (JSON), scored with numpy.

The evidence for a label does not add up linearly: a country named once deep in a story is
rarely tagged unless the story's words are about it; the "USA" of a company's results is
tagged where "U.S." is never written. Small trees learn such interactions from the training
stories; scikit-learn fits them and only their splits and leaf values are kept, so nothing
pickled is ever loaded.
"""

TREES, DEPTH, RATE = 150, 3, 0.1
MIN_LEAF = 20


def fit(x, y) -> dict:
    """{"init", "rate", "trees": [[feature], [threshold], [left], [right], [value]]}."""
    import numpy as np
    from sklearn.ensemble import GradientBoostingClassifier

    model = GradientBoostingClassifier(n_estimators=TREES, max_depth=DEPTH, learning_rate=RATE,
                                       subsample=0.8, min_samples_leaf=MIN_LEAF,
                                       random_state=0).fit(x, y)
    trees = []
    for (estimator,) in model.estimators_:
        tree = estimator.tree_
        trees.append([tree.feature.tolist(), tree.threshold.tolist(),
                      tree.children_left.tolist(), tree.children_right.tolist(),
                      tree.value[:, 0, 0].tolist()])
    first = np.asarray(x[:1], dtype=float)
    # The starting log-odds: the model's score of a row less what its trees add to it.
    init = float(model.decision_function(first)[0]) - RATE * sum(
        float(e.predict(first)[0]) for (e,) in model.estimators_)
    return {"init": init, "rate": RATE, "trees": trees}


class Forest:
    """The trees packed into arrays of equal width, a leaf pointing to itself, so that all
    candidates of a story walk all trees together, DEPTH numpy steps in all."""

    def __init__(self, model: dict) -> None:
        import numpy as np

        trees = model["trees"]
        width = max(len(t[0]) for t in trees)
        shape = (len(trees), width)
        self.feature = np.zeros(shape, dtype=np.int64)
        self.threshold = np.full(shape, np.inf)
        self.left = np.tile(np.arange(width), (len(trees), 1))
        self.right = self.left.copy()
        self.value = np.zeros(shape)
        self.depth = 1
        for i, (feature, threshold, left, right, value) in enumerate(trees):
            n = len(feature)
            split = np.array(left) >= 0
            self.feature[i, :n] = np.where(split, feature, 0)
            self.threshold[i, :n] = np.where(split, threshold, np.inf)
            self.left[i, :n] = np.where(split, left, np.arange(n))
            self.right[i, :n] = np.where(split, right, np.arange(n))
            self.value[i, :n] = value
            self.depth = max(self.depth, _depth(left, right))
        self.init, self.rate = model["init"], model["rate"]
        self._rows = np.arange(len(trees))

    def scores(self, x) -> list[float]:
        """P(label) of each row of x (candidates x features)."""
        import numpy as np

        x = np.asarray(x, dtype=float)
        if not len(x):
            return []
        node = np.zeros((len(x), len(self._rows)), dtype=np.int64)
        candidate = np.arange(len(x))[:, None]
        for _ in range(self.depth):
            feature = self.feature[self._rows, node]
            # scikit-learn sends a row left where its value is <= the threshold.
            go_left = x[candidate, feature] <= self.threshold[self._rows, node]
            node = np.where(go_left, self.left[self._rows, node], self.right[self._rows, node])
        z = self.init + self.rate * self.value[self._rows, node].sum(axis=1)
        return (1 / (1 + np.exp(-np.clip(z, -30, 30)))).tolist()


def _depth(left: list[int], right: list[int]) -> int:
    deepest, level = 0, {0: 0}
    for node in range(len(left)):  # scikit-learn numbers a node after its parent
        if left[node] >= 0:
            level[left[node]] = level[right[node]] = level[node] + 1
            deepest = max(deepest, level[node] + 1)
    return deepest

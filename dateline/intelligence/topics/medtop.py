"""IPTC Media Topics learnt from the sections stories were filed in.

The pipeline gives a story its own section's Media Topic; this guesses the Media Topic of the
section a story *would* be filed in, from the words of the stories filed in each section, so a
story in a catch-all section ("World", "News") or not yet filed still gets one. It is learnt
only where the site's sections carry Media Topics (`Section.medtop`, a section without one
taking its nearest ancestor's, a tree without any its root's default: newsroom.medtop);
where no section has one, it learns nothing and guesses nothing.
"""

import numpy as np
from django.core.exceptions import AppRegistryNotReady, ImproperlyConfigured
from django.db import DatabaseError
from django.utils.text import slugify
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from dateline.newsroom import medtop

from ..base import TopicGuess


def section_medtops(paths: set[str]) -> dict[str, str]:
    """Section path ("Business/Commodities", or its slugs) -> Media Topic code, where known."""
    slugs = {p: "/".join(slugify(s.strip(), allow_unicode=True) for s in p.split("/"))
             for p in paths if p}
    wanted = {"/".join(s.split("/")[: i + 1]) for s in slugs.values()
              for i in range(s.count("/") + 1)}
    try:
        own = medtop.own_codes(wanted)
    except (DatabaseError, ImproperlyConfigured, AppRegistryNotReady):
        # A corpus run (the benchmark) has no site database: the defaults by root still hold.
        own = {}
    found = {path: medtop.code_of(slug, own) for path, slug in slugs.items()}
    return {path: code for path, code in found.items() if code}


def learn(x: csr_matrix, sections: list[str]) -> dict | None:
    """A model of which Media Topic ("" for none) a story's section has, or None when the
    sections have none to learn."""
    codes = section_medtops(set(sections))
    filed = np.flatnonzero([bool(s) for s in sections])
    labels = [codes.get(sections[i], "") for i in filed]
    if not any(labels):
        return None
    if len(set(labels)) == 1:  # every filed story has the same topic: nothing to tell apart
        return {"codes": labels[:1], "model": None}
    model = LogisticRegression(C=10.0, max_iter=300).fit(x[filed], labels)
    # Its weights features by topics, row after row, as the archive topics' (tuning.py).
    return {"codes": list(model.classes_), "model": {
        "weights": np.ascontiguousarray(model.coef_.T, dtype=np.float32),
        "intercept": model.intercept_.astype(np.float32)}}


def guess(learnt: dict | None, x: csr_matrix, floor: float) -> list[TopicGuess]:
    if learnt is None:
        return []
    if learnt["model"] is None:
        return [TopicGuess("medtop", learnt["codes"][0], 1.0)]
    chances = _chances(learnt["model"], x)
    best = int(np.argmax(chances))
    if not learnt["codes"][best] or chances[best] < floor:
        return []
    return [TopicGuess("medtop", learnt["codes"][best], round(float(chances[best]), 3))]


def _chances(model: dict, x: csr_matrix) -> np.ndarray:
    """LogisticRegression's predict_proba: a sigmoid for two codes, a softmax for more."""
    z = np.asarray(x @ model["weights"]).ravel() + model["intercept"]
    if len(z) == 1:
        yes = 1 / (1 + np.exp(-z[0]))
        return np.array([1 - yes, yes])
    z = np.exp(z - z.max())
    return z / z.sum()

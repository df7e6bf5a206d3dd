"""Score the clustering on labelled pairs: pairwise precision, recall and F1.

The whole corpus is streamed through one StoryIndex in publication order (every story a
distractor for the others, the rewrites two hours after their originals); a pair is predicted
"same story" when both items end in one cluster, and "near-duplicate" when LSH finds one from
the other and their estimated Jaccard similarity reaches the threshold.
"""

from dataclasses import dataclass
from datetime import datetime

from datasketch import MinHashLSH

from dateline.ingest.clustering import StoryIndex
from dateline.ingest.shingles import NUM_PERM, features


@dataclass
class Score:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(labelled: list[tuple[int, bool]]) -> Score:
    """`labelled`: (label 0/1, predicted) for each pair."""
    tp = sum(1 for label, said in labelled if label and said)
    fp = sum(1 for label, said in labelled if not label and said)
    fn = sum(1 for label, said in labelled if label and not said)
    return Score(tp, fp, fn, len(labelled) - tp - fp - fn)


def stream_features(records: dict, extra: list[dict]) -> tuple[dict, dict]:
    """Features and times of every record and of the rewrites the pairs name."""
    feats, when = {}, {}
    for record in [*records.values(), *extra]:
        feats[record["id"]] = features(record["title"], record["body"])
        when[record["id"]] = datetime.fromisoformat(record["published"])
    return feats, when


def predict(feats: dict, when: dict, pairs: list[dict], index: StoryIndex) -> dict:
    """(kind, split) -> Score, for the pairs, after streaming every item through `index`."""
    cluster = {}
    for key in sorted(feats, key=lambda k: (when[k], k)):
        cluster[key] = index.add(key, feats[key], when[key]).cluster
    lsh = MinHashLSH(threshold=index.lsh_threshold, num_perm=NUM_PERM)
    named = {key for pair in pairs if pair["kind"] == "near_duplicate"
             for key in (pair["a"], pair["b"])}
    for key in named:
        lsh.insert(key, feats[key].sketch)
    results: dict = {}
    for pair in pairs:
        a, b = pair["a"], pair["b"]
        if pair["kind"] == "near_duplicate":
            said = a in lsh.query(feats[b].sketch) and index.is_near_duplicate(feats[a], feats[b])
        else:
            said = cluster[a] == cluster[b]
        results.setdefault((pair["kind"], pair["split"]), []).append((pair["label"], said))
    return {key: score(labelled) for key, labelled in results.items()}

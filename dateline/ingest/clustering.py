"""Online story clustering: each arriving item joins the cluster of a near-duplicate, else the
most similar recent cluster, else starts one.

Two steps, as the desk thinks of them:
1. Near-duplicate: MinHash of word shingles, candidates from LSH, kept when their estimated
   Jaccard similarity is at least DUPLICATE (a copy, a rewrite, an update of one text).
2. Same story: TF-IDF cosine between the item's words and entities and a cluster's (the sum of
   its items'), times a decay halving every HALF_LIFE of the cluster's age; joined at JOIN or
   more, and never once the cluster was last seen more than WINDOW ago.

StoryIndex holds no database: the receivers keep one per process (rebuilt from recent items,
see receivers.py) and the benchmark runs it on the evaluation corpus. The thresholds were
tuned on the development split of bench/ingest/pairs.jsonl (bench/README.md).
"""

import math
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from datasketch import MinHashLSH

from .shingles import NUM_PERM, Features

DUPLICATE = 0.3  # estimated Jaccard of 3-word shingles
LSH_MARGIN = 0.1  # LSH looks this far below DUPLICATE, so it misses few copies; Jaccard decides
JOIN = 0.12  # decayed cosine
WINDOW = timedelta(hours=48)
HALF_LIFE = timedelta(hours=24)
PROFILE_TERMS = 400  # a cluster's words, the most frequent kept: bounded cost per comparison
CANDIDATES = 40  # clusters scored per item, those sharing most of its rarest terms
PROBE_TERMS = 12


@dataclass
class Placement:
    cluster: object  # a cluster key: the key of the item that started it
    duplicate_of: object = None  # the item key it copies, if it is a near-duplicate
    score: float = 0.0
    new: bool = False


@dataclass
class _Cluster:
    first_seen: datetime
    last_seen: datetime
    terms: Counter = field(default_factory=Counter)
    norm: float | None = None  # of its TF-IDF weights, None once its terms change


class StoryIndex:
    def __init__(self, duplicate: float = DUPLICATE, join: float = JOIN,
                 window: timedelta = WINDOW, half_life: timedelta = HALF_LIFE):
        self.duplicate, self.join, self.window, self.half_life = duplicate, join, window, half_life
        self.lsh_threshold = max(0.1, duplicate - LSH_MARGIN)
        self.lsh = MinHashLSH(threshold=self.lsh_threshold, num_perm=NUM_PERM)
        self.items: dict = {}  # key -> (sketch, cluster key, when)
        self.clusters: dict = {}
        self.postings: defaultdict = defaultdict(set)  # term -> cluster keys holding it
        self.df: Counter = Counter()  # documents per term, for the IDF weights
        self.docs = 0
        self.arrivals: deque = deque()  # (when, item key), to forget what left the window
        self.newest: datetime | None = None

    def add(self, key, feats: Features, when: datetime, cluster=None) -> Placement:
        """Place an item (or, with `cluster`, record where it was placed before)."""
        self.newest = max(self.newest or when, when)
        self._forget(self.newest - self.window)
        if cluster is not None:
            placement = Placement(cluster=cluster)
        else:
            placement = self.place(feats, when)
            if placement.cluster is None:
                placement = Placement(cluster=key, new=True)
        self._record(key, feats, when, placement.cluster)
        return placement

    def place(self, feats: Features, when: datetime) -> Placement:
        """Where an item would go, without recording it (None: a new cluster)."""
        best, best_jaccard = None, self.duplicate
        for other in self.lsh.query(feats.sketch):
            jaccard = feats.sketch.jaccard(self.items[other][0])
            if jaccard >= best_jaccard and self.items[other][1] in self.clusters:
                best, best_jaccard = other, jaccard
        if best is not None:
            return Placement(cluster=self.items[best][1], duplicate_of=best, score=best_jaccard)
        vector = self._weights(feats.terms)
        chosen, chosen_score = None, self.join
        for key in self._candidates(vector):
            cluster = self.clusters[key]
            age = abs(when - cluster.last_seen)
            if age > self.window:
                continue
            decay = 0.5 ** (age / self.half_life)
            score = self._cosine(vector, cluster) * decay
            if score >= chosen_score:
                chosen, chosen_score = key, score
        return Placement(cluster=chosen, score=chosen_score if chosen is not None else 0.0)

    def is_near_duplicate(self, a: Features, b: Features) -> bool:
        return a.sketch.jaccard(b.sketch) >= self.duplicate

    def _cosine(self, vector: dict, cluster: "_Cluster") -> float:
        """Cosine of an item's weights with a cluster's: the dot product over the item's few
        terms, the cluster's norm kept from its last change (IDF moves little in between)."""
        if cluster.norm is None:
            cluster.norm = math.sqrt(sum(w * w for w in self._weights(cluster.terms).values()))
        docs, terms = self.docs + 1, cluster.terms
        dot = sum(w * (1 + math.log(terms[t])) * math.log(docs / (1 + self.df[t]) + 1)
                  for t, w in vector.items() if t in terms)
        norm = math.sqrt(sum(w * w for w in vector.values())) * cluster.norm
        return dot / norm if norm else 0.0

    def _weights(self, terms: Counter) -> dict:
        docs = self.docs + 1
        return {t: (1 + math.log(n)) * math.log(docs / (1 + self.df[t]) + 1)
                for t, n in terms.items()}

    def _candidates(self, vector: dict) -> list:
        # Ties broken by name: the same stream gives the same clusters in every process.
        rare = sorted(vector, key=lambda term: (-vector[term], term))[:PROBE_TERMS]
        shared = Counter()
        for term in rare:
            shared.update(self.postings.get(term, ()))
        ranked = sorted(shared.items(), key=lambda kv: (-kv[1], str(kv[0])))[:CANDIDATES]
        return [key for key, _ in ranked if key in self.clusters]

    def _record(self, key, feats: Features, when: datetime, cluster_key) -> None:
        if key in self.items:  # a changed item: signed again, counted once
            self.lsh.remove(key)
        else:
            self.docs += 1
            self.df.update(feats.terms.keys())
        self.lsh.insert(key, feats.sketch)
        self.items[key] = (feats.sketch, cluster_key, when)
        self.arrivals.append((when, key))
        cluster = self.clusters.get(cluster_key)
        if cluster is None:
            cluster = self.clusters[cluster_key] = _Cluster(first_seen=when, last_seen=when)
        cluster.first_seen, cluster.last_seen = min(cluster.first_seen, when), max(
            cluster.last_seen, when)
        cluster.terms.update(feats.terms)
        cluster.norm = None
        if len(cluster.terms) > 2 * PROFILE_TERMS:
            for term, _ in cluster.terms.most_common()[PROFILE_TERMS:]:
                del cluster.terms[term]
                self.postings[term].discard(cluster_key)
        for term in feats.terms:
            if term in cluster.terms:
                self.postings[term].add(cluster_key)

    def _forget(self, before: datetime) -> None:
        """Drop items and clusters last seen before `before`: the index stays bounded."""
        while self.arrivals and self.arrivals[0][0] < before:
            _, key = self.arrivals.popleft()
            entry = self.items.get(key)
            if entry is None or entry[2] >= before:
                continue
            del self.items[key]
            self.lsh.remove(key)
            cluster = self.clusters.get(entry[1])
            if cluster is not None and cluster.last_seen < before:
                for term in cluster.terms:
                    self.postings[term].discard(entry[1])
                del self.clusters[entry[1]]


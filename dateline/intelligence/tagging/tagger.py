"""The default tagger: names the site and the training stories know, found in the text.

Offline and fast (a dictionary look-up per capitalised n-gram). Untrained, it suggests the
site's tags and countries it finds by name, at a confidence below the apply threshold, so an
editor confirms them; trained (`dateline intelligence train`, or the benchmark's training
split), it also knows the cues an archive's editors follow and how far to trust each.
"""

import json
import logging
import os
from pathlib import Path

from ..base import Entity, Labelled, Story, Tagger
from ..models import alias_key
from . import learn
from .features import FEATURES, candidates
from .gazetteer import Gazetteer, site_rows
from .text import forms_of
from .trees import Forest
from .words import WordModel

logger = logging.getLogger(__name__)

MODEL_FILE = "gazetteer.json"
WORDS_FILE = "words.npz"
# Untrained there is nothing to calibrate against: a name found is a suggestion, never
# applied by the machine (DATELINE_INTELLIGENCE_APPLY_AT is 0.9 by default).
UNTRAINED_AT, UNTRAINED_MAX = 0.5, 0.85


class GazetteerTagger(Tagger):
    name = "gazetteer"
    version = "4"

    def __init__(self, use_site: bool = True) -> None:
        self.use_site = use_site  # False where no database is at hand (a corpus benchmark)
        self.model: dict = {}
        self.words = WordModel()
        self._gazetteer: Gazetteer | None = None
        self._rows: tuple = ()

    def train(self, examples) -> None:
        prepared = [(forms_of(e.story), e) for e in examples if isinstance(e, Labelled)]
        self.model, self.words = learn.fit(prepared, self._site_rows())
        self._gazetteer = None

    def save(self, folder: Path) -> None:
        import numpy as np

        folder.mkdir(parents=True, exist_ok=True)
        # Each file replaced whole, so a worker loading meanwhile reads the old or the new.
        model = folder / f".{MODEL_FILE}.new"
        model.write_text(json.dumps({**self.model, "words": self.words.to_json(),
                                     "written_by": self.version}), encoding="utf-8")
        if self.words.matrix is not None:
            with (folder / f".{WORDS_FILE}.new").open("wb") as out:
                np.savez_compressed(out, matrix=self.words.matrix)
            os.replace(folder / f".{WORDS_FILE}.new", folder / WORDS_FILE)
        os.replace(model, folder / MODEL_FILE)

    def load(self, folder: Path) -> bool:
        self.model, self.words = _read(folder)
        if self.model and self.model.get("written_by") != self.version:
            # Learnt by another version of this tagger, whose cues this one may read wrongly:
            # untrained (gazetteer only) until `dateline intelligence train` runs again.
            logger.warning("intelligence: the tagger in %s was trained by version %s, this is "
                           "%s; run `dateline intelligence train`", folder,
                           self.model.get("written_by", "1"), self.version)
            self.model, self.words = {}, WordModel.from_json({}, None)
        self._gazetteer = None
        self.gazetteer()
        return bool(self.model)

    def _site_rows(self) -> tuple:
        if not self.use_site:
            return ()
        try:
            return site_rows()
        except Exception:  # no database (a script, the benchmark): countries and learnt names
            return ()

    def gazetteer(self) -> Gazetteer:
        rows = self._site_rows()
        if self._gazetteer is None or rows is not self._rows:
            self._gazetteer, self._rows = _gazetteer(rows, self.model), rows
        return self._gazetteer

    def entities(self, story: Story) -> list[Entity]:
        gazetteer = self._gazetteer or self.gazetteer()
        found = candidates(forms_of(story), self.model.get("cues", {}), gazetteer,
                           self.model.get("priors", {}), self.words.probabilities(story))
        forests, thresholds = _forests(self.model), self.model.get("thresholds", {})
        by_kind: dict[str, list] = {}
        for (kind, name), (features, evidence, tag_id) in found.items():
            by_kind.setdefault(kind, []).append((name, features, evidence, tag_id))
        out = []
        for kind, labels in by_kind.items():
            if kind in forests:
                scores = forests[kind].scores([features for _, features, _, _ in labels])
                least = thresholds[kind]
            else:
                # Nothing calibrated for this kind (untrained, or the training stories gave
                # no wrong candidate to learn from): a suggestion, never applied.
                scores = [_untrained(features) for _, features, _, _ in labels]
                least = UNTRAINED_AT
            for (name, features, evidence, tag_id), score in zip(labels, scores, strict=True):
                # Trained, a place also needs an anchor (untrained, every country named is
                # shown).
                if score >= least and (kind != "place" or kind not in forests
                                       or _anchored(features)):
                    out.append(Entity(kind, name, round(score, 4),
                                      tag_id or gazetteer.tag_ids.get((kind, alias_key(name))),
                                      evidence or "the story's words"))
        return sorted(out, key=lambda e: (-e.confidence, e.kind, e.name))


_ANCHORS = [FEATURES.index(f) for f in ("headline", "lead", "dateline")]
FEATURE_WORDS = FEATURES.index("words_p")
WORDS_ANCHOR = 0.5


def _anchored(features: list[float]) -> bool:
    """A place is suggested only where the headline, the lead or the dateline names it, or
    the words alone make it likelier than not: a country named once deep in a story (a
    trade partner, a company's market) is rarely one Reuters' editors gave it."""
    return any(features[i] for i in _ANCHORS) or features[FEATURE_WORDS] >= WORDS_ANCHOR


def _untrained(features: list[float]) -> float:
    f = dict(zip(FEATURES, features, strict=True))
    if f["direct"]:
        return min(UNTRAINED_MAX, max(f["p_max"], 0.5 + 0.15 * f["headline"] + 0.1 * f["lead"]
                                      + 0.05 * min(f["mentions"], 3.0)))
    return min(UNTRAINED_MAX, f["p_max"])


# The worker makes a tagger for every story it analyses: what was read from the folder, and
# the gazetteer built from it and the site's tags, are kept for the process until the files
# or the tags change.
_read_cache: dict[str, tuple] = {}
_gazetteer_cache: dict = {}
_forests_cache: dict = {}


def _read(folder: Path) -> tuple[dict, WordModel]:
    # JSON and a plain numpy array (no pickles), written by `save` into the site's own var
    # folder: nothing in them runs.
    import numpy as np

    path, words = folder / MODEL_FILE, folder / WORDS_FILE
    stamp = tuple((p.stat().st_mtime_ns, p.stat().st_size) if p.exists() else None
                  for p in (path, words))
    if (cached := _read_cache.get(str(folder))) and cached[0] == stamp:
        return cached[1], cached[2]
    model = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    matrix = None
    if words.exists():
        with np.load(words, allow_pickle=False) as stored:
            matrix = stored["matrix"]
    found = (model, WordModel.from_json(model.pop("words", {}), matrix))
    _read_cache[str(folder)] = (stamp, *found)
    return found


def _gazetteer(rows: tuple, model: dict) -> Gazetteer:
    key = (id(rows), id(model))
    if _gazetteer_cache.get("key") != key:
        learnt = [tuple(r) for r in model.get("names", ())]
        # Keeping rows and model alive keeps their ids from being reused by others.
        _gazetteer_cache.update(key=key, value=Gazetteer([*rows, *learnt]), alive=(rows, model))
    return _gazetteer_cache["value"]


def _forests(model: dict) -> dict[str, Forest]:
    # One entry, replaced whole (a worker's threads read it); the model is kept alive with
    # it, so its id is not reused by another.
    entry = _forests_cache.get("entry")
    if entry is None or entry[0] is not model:
        entry = (model, {kind: Forest(forest)
                         for kind, forest in model.get("forests", {}).items()})
        _forests_cache["entry"] = entry
    return entry[1]

"""The default tagger: names the site and the training stories know, found in the text.

Offline and fast (a dictionary look-up per capitalised n-gram). Untrained, it suggests the
site's tags and countries it finds by name, at a confidence below the apply threshold, so an
editor confirms them; trained (`dateline intelligence train`, or the benchmark's training
split), it also knows the cues an archive's editors follow and how far to trust each.
"""

import json
from pathlib import Path

from ..base import Entity, Labelled, Story, Tagger
from ..models import alias_key
from . import learn
from .gazetteer import Gazetteer, site_rows
from .text import forms_of
from .words import WordModel

MODEL_FILE = "gazetteer.json"
WORDS_FILE = "words.npz"
# Untrained there is nothing to calibrate against: a name found is a suggestion, never
# applied by the machine (DATELINE_INTELLIGENCE_APPLY_AT is 0.9 by default).
UNTRAINED_AT, UNTRAINED_MAX = 0.5, 0.85


class GazetteerTagger(Tagger):
    name = "gazetteer"
    version = "1"

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
        folder.mkdir(parents=True, exist_ok=True)
        import numpy as np

        model = {**self.model, "words": self.words.to_json()}
        (folder / MODEL_FILE).write_text(json.dumps(model), encoding="utf-8")
        if self.words.matrix is not None:
            np.savez_compressed(folder / WORDS_FILE, matrix=self.words.matrix)

    def load(self, folder: Path) -> bool:
        # JSON and a plain numpy array (no pickles), written by `save` into the site's own
        # var folder: nothing in them runs.
        import numpy as np

        path, matrix = folder / MODEL_FILE, None
        self.model = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if (folder / WORDS_FILE).exists():
            with np.load(folder / WORDS_FILE, allow_pickle=False) as stored:
                matrix = stored["matrix"]
        self.words = WordModel.from_json(self.model.pop("words", {}), matrix)
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
            learnt = [tuple(r) for r in self.model.get("names", ())]
            self._gazetteer, self._rows = Gazetteer([*rows, *learnt]), rows
        return self._gazetteer

    def entities(self, story: Story) -> list[Entity]:
        gazetteer = self._gazetteer or self.gazetteer()
        found = learn.candidates(forms_of(story), self.model.get("cues", {}), gazetteer,
                                 self.model.get("priors", {}), self.words.probabilities(story))
        weights, thresholds = self.model.get("weights", {}), self.model.get("thresholds", {})
        own = self.model.get("own_thresholds", {})
        out = []
        for (kind, name), (features, evidence, tag_id) in found.items():
            if kind in weights:
                score = learn.confidence(weights[kind], features)
                least = own.get(kind, {}).get(name, thresholds[kind])
            elif features[FEATURE_DIRECT] or features[FEATURE_CUE]:
                # Nothing calibrated for this kind (untrained, or the training stories gave
                # no wrong candidate to learn from): a suggestion, never applied.
                score = min(UNTRAINED_MAX, max(features[FEATURE_CUE], _untrained(features)
                                               if features[FEATURE_DIRECT] else 0.0))
                least = UNTRAINED_AT
            else:
                continue
            if score >= least:
                out.append(Entity(kind, name, round(score, 4),
                                  tag_id or gazetteer.tag_ids.get((kind, alias_key(name))),
                                  evidence or "the story's words"))
        return sorted(out, key=lambda e: (-e.confidence, e.kind, e.name))


FEATURE_DIRECT = learn.FEATURES.index("direct")
FEATURE_CUE = learn.FEATURES.index("p_max")


def _untrained(features: list[float]) -> float:
    f = dict(zip(learn.FEATURES, features, strict=True))
    return min(UNTRAINED_MAX, 0.5 + 0.15 * f["headline"] + 0.1 * f["lead"]
               + 0.05 * min(f["mentions"], 3.0))

"""Small real parts of the plug-in API for the pipeline's tests: they find what a test put in
the story's words, so every test knows exactly what the machine will suggest."""

import json
import re
from pathlib import Path

from dateline.intelligence.base import (
    Entity,
    Neighbour,
    RelatedRanker,
    Summariser,
    Tagger,
    TopicClassifier,
    TopicGuess,
)
from dateline.newsroom.models import Article

# Words a story may carry, and what the tagger makes of them.
KNOWN = {"Sofia": ("place", 0.95), "Borisov": ("person", 0.6), "Acme": ("organisation", 0.5)}


class WordTagger(Tagger):
    """Finds the KNOWN names, and the names it learnt from the site's labels (confidence .7)."""

    name = "test-words"

    def __init__(self):
        self.learnt: dict[str, str] = {}

    def entities(self, story):
        found = []
        for word, (kind, confidence) in {**KNOWN, **{n: (k, 0.7) for n, k in
                                                   self.learnt.items()}}.items():
            if re.search(rf"\b{re.escape(word)}\b", f"{story.headline} {story.body}"):
                found.append(Entity(kind, word, confidence, evidence=word))
        return found

    def train(self, examples):
        for example in examples:
            for kind, names in example.labels.items():
                if kind != "topic":
                    self.learnt.update({name: kind for name in names})

    def save(self, folder: Path):
        (folder / "names.json").write_text(json.dumps(self.learnt))

    def load(self, folder: Path) -> bool:
        path = folder / "names.json"
        if path.exists():
            self.learnt = json.loads(path.read_text())
        return path.exists()


class BrokenTagger(Tagger):
    name = "test-broken"

    def entities(self, story):
        raise RuntimeError("this tagger always fails")


class WheatClassifier(TopicClassifier):
    """Grain (archive) and the agriculture Media Topic for stories about wheat."""

    name = "test-wheat"

    def topics(self, story):
        if "wheat" not in story.body.lower():
            return []
        return [TopicGuess("archive", "Grain", 0.8), TopicGuess("medtop", "20000209", 0.7,
                                                                 "agriculture")]


class OverlapRanker(RelatedRanker):
    """Published stories sharing words of four letters or more, most shared first."""

    name = "test-overlap"

    def neighbours(self, story, limit):
        mine = set(re.findall(r"\w{4,}", f"{story.headline} {story.body}".lower()))
        scored = []
        for article in Article.objects.live().exclude(pk=story.pk):
            theirs = set(re.findall(r"\w{4,}", f"{article.headline} {article.body}".lower()))
            if mine & theirs:
                scored.append(Neighbour(article.pk, len(mine & theirs) / len(mine | theirs)))
        return sorted(scored, key=lambda n: (-n.score, n.pk))[:limit]


class FirstWordsSummariser(Summariser):
    name = "test-first-words"

    def brief(self, story, max_words):
        return " ".join(story.body.split()[:min(max_words, 12)])


PARTS = {
    "DATELINE_INTELLIGENCE_TAGGERS": {"test-words": f"{__name__}.WordTagger",
                                      "test-broken": f"{__name__}.BrokenTagger"},
    "DATELINE_INTELLIGENCE_CLASSIFIERS": {"test-wheat": f"{__name__}.WheatClassifier"},
    "DATELINE_INTELLIGENCE_RANKERS": {"test-overlap": f"{__name__}.OverlapRanker"},
    "DATELINE_INTELLIGENCE_SUMMARISERS": {"test-first-words": f"{__name__}.FirstWordsSummariser"},
    "DATELINE_INTELLIGENCE_USE": {"tagger": "test-words", "classifier": "test-wheat",
                                  "ranker": "test-overlap", "summariser": "test-first-words"},
}


def use_test_parts(settings, folder: Path) -> None:
    """Point the pytest-django `settings` at these parts and a model folder of the test's own."""
    for name, value in PARTS.items():
        setattr(settings, name, dict(value))
    settings.DATELINE_INTELLIGENCE_DIR = str(folder)

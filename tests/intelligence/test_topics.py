"""The "linear" topic classifier, trained on a small real sample of the Reuters archive."""

import json
from itertools import islice
from pathlib import Path

import numpy as np
import pytest

from dateline.intelligence import plugins
from dateline.intelligence.base import Labelled, Story
from dateline.intelligence.topics import LinearTopicClassifier, tuning
from dateline.newsroom.importer.profile import ImportProfile
from tests.conftest import require_shared

pytestmark = pytest.mark.one_engine

ROOT = Path(__file__).resolve().parents[2]
# The archive's order is the wire's: the first 1,200 stories teach, the next 400 are judged.
TAUGHT, JUDGED = 1200, 400


def _reuters(count: int) -> list[Labelled]:
    corpus = require_shared("corpus/reuters-21578-train/articles.jsonl")
    profile = ImportProfile.load(ROOT / "demo" / "reuters.toml")
    with corpus.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in islice(lines, count)]
    return [Labelled(Story(r["title"], r["body"]),
                     {"topic": [profile.label_name("topic", c) for c in r["topics"]]})
            for r in records]


@pytest.fixture(scope="module")
def sample() -> list[Labelled]:
    return _reuters(TAUGHT + JUDGED)


@pytest.fixture(scope="module")
def trained(sample) -> LinearTopicClassifier:
    classifier = LinearTopicClassifier()
    classifier.train(sample[:TAUGHT])
    return classifier


def _archive(guesses) -> set[str]:
    return {g.code for g in guesses if g.scheme == "archive"}


def test_held_out_stories_get_their_editors_topics(trained, sample):
    tp = fp = fn = 0
    earnings = earnings_found = 0
    for example in sample[TAUGHT:]:
        guessed, truth = _archive(trained.topics(example.story)), set(example.labels["topic"])
        if not truth:
            continue
        tp, fp, fn = tp + len(guessed & truth), fp + len(guessed - truth), fn + len(truth - guessed)
        if "Earnings" in truth:
            earnings += 1
            earnings_found += "Earnings" in guessed
    assert 2 * tp / (2 * tp + fp + fn) >= 0.75
    assert earnings >= 50 and earnings_found / earnings >= 0.9


def test_a_story_gets_the_topics_it_is_about(trained):
    story = Story(
        "Opec agrees to cut crude oil output",
        "Ministers of the Organization of Petroleum Exporting Countries agreed to cut crude oil "
        "production by one mln barrels per day to support prices, which fell below 15 dlrs a "
        "barrel this week. Oil prices rose on the news in New York.",
    )
    guesses = trained.topics(story)
    assert guesses[0].scheme == "archive" and guesses[0].code == "Crude Oil"
    assert guesses[0].name == "Crude Oil" and 0.5 < guesses[0].confidence <= 1
    # Most confident first, every one a topic the archive taught.
    assert [g.confidence for g in guesses] == sorted((g.confidence for g in guesses), reverse=True)
    assert _archive(guesses) <= set(trained.model["names"])


def test_confidence_means_what_it_says(trained, sample):
    sure = right = 0
    for example in sample[TAUGHT:]:
        for guess in trained.topics(example.story):
            if guess.confidence >= 0.9:
                sure += 1
                right += guess.code in example.labels["topic"]
    # Nine in ten of the confident guesses are right (a few points' slack for a small sample).
    assert sure >= 100 and right / sure >= 0.85


def test_untrained_it_guesses_nothing(tmp_path):
    classifier = LinearTopicClassifier()
    story = Story("Opec cuts output", "Crude oil prices rose.")
    assert classifier.topics(story) == []
    assert classifier.load(tmp_path) is False and classifier.topics(story) == []
    classifier.train([])
    assert classifier.topics(story) == []
    # Stories without topics teach none.
    classifier.train([Labelled(story, {"place": ["USA"]})])
    assert classifier.topics(story) == []


def test_its_weights_are_the_mean_of_the_full_model_and_the_cross_validations(sample,
                                                                             monkeypatch):
    fitted = []
    fit = tuning.fit_weights

    def recorded(x, y):
        fitted.append((x.shape[0], *fit(x, y)))
        return fitted[-1][1:]

    monkeypatch.setattr(tuning, "fit_weights", recorded)
    examples = sample[:300]
    classifier = LinearTopicClassifier()
    classifier.train(examples)
    (full,) = [f for f in fitted if f[0] == len(examples)]
    folds = [f for f in fitted if f[0] < len(examples)]
    assert len(folds) == 3 * tuning.SPLITS
    learnt = np.array([b for _, _, b in folds]) > tuning.NEVER
    some = learnt.any(axis=0)
    # A topic of one or two stories is missing from some folds: averaged over the others.
    assert learnt.sum(axis=0).min() < len(folds)
    mean = np.sum([w * k for (_, w, _), k in zip(folds, learnt, strict=True)], axis=0)
    mean /= np.maximum(learnt.sum(axis=0), 1)
    expected = np.where(some, (full[1] + mean) / 2, full[1])
    np.testing.assert_allclose(classifier.model["weights"], expected, rtol=1e-4, atol=1e-6)


def test_its_nearest_stories_vote_with_the_folds_its_thresholds_were_tuned_on(trained):
    folds = trained.model["neighbours"]["folds"]
    np.testing.assert_array_equal(folds, tuning.fold_splits(TAUGHT))


def test_what_it_learnt_is_saved_and_loaded(trained, sample, tmp_path):
    trained.save(tmp_path)
    loaded = LinearTopicClassifier()
    assert loaded.load(tmp_path) is True
    for example in sample[TAUGHT:TAUGHT + 50]:
        assert loaded.topics(example.story) == trained.topics(example.story)
    # Small enough to read at every worker's start.
    assert (tmp_path / "model.joblib").stat().st_size < 20_000_000


def test_a_model_another_scikit_learn_wrote_is_refused(trained, sample, tmp_path, caplog):
    trained.save(tmp_path)
    meta = json.loads((tmp_path / "meta.json").read_text())
    (tmp_path / "meta.json").write_text(json.dumps({**meta, "sklearn": "0.24.2"}))
    classifier = LinearTopicClassifier()
    assert classifier.load(tmp_path) is False
    assert classifier.topics(sample[TAUGHT].story) == []
    assert "scikit-learn 0.24.2" in caplog.text and "dateline intelligence train" in caplog.text
    # Without its meta.json a model file is not read at all.
    (tmp_path / "meta.json").unlink()
    assert classifier.load(tmp_path) is False


def test_the_registry_gives_it_with_what_it_learnt(trained, sample, settings, tmp_path):
    settings.DATELINE_INTELLIGENCE_DIR = str(tmp_path)
    assert plugins.classifiers.get("linear") is LinearTopicClassifier
    assert plugins.part("classifier", "linear").topics(sample[TAUGHT].story) == []
    trained.save(tmp_path / "classifier" / "linear")
    part = plugins.part("classifier", "linear")
    assert part.topics(sample[TAUGHT].story) == trained.topics(sample[TAUGHT].story)


def _bbc(section: str, count: int) -> list[Story]:
    corpus = require_shared("corpus/bbc-news/articles.jsonl")
    with corpus.open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    return [Story(r["title"], r["body"]) for r in records if r["section"] == section][:count]


def test_media_topics_are_learnt_from_the_sections_stories_were_filed_in(make_section):
    # Sport's code is its own; Rugby has none and takes its parent's; World has none at all.
    sport = make_section("Sport", medtop="15000000")
    make_section("Rugby", parent=sport)
    make_section("Business", medtop="04000000")
    make_section("World")
    # BBC sport filed under Sport/Rugby (a path as the site writes it), business under
    # Business (as an import profile writes it), politics under World.
    filed = {"sport": "sport/rugby", "business": "Business", "politics": "World"}
    stories = {bbc: _bbc(bbc, 60) for bbc in filed}
    classifier = LinearTopicClassifier()
    classifier.train([Labelled(story, {}, filed[bbc])
                      for bbc, some in stories.items() for story in some[:50]])

    def medtops(bbc):
        return [[g.code for g in classifier.topics(story)] for story in stories[bbc][50:]]

    # No archive topics were taught, so a Media Topic is all it guesses.
    assert medtops("sport").count(["15000000"]) >= 9
    assert medtops("business").count(["04000000"]) >= 9
    # A World story has no Media Topic to guess.
    assert medtops("politics").count([]) >= 8

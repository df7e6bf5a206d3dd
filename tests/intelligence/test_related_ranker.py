"""The "tfidf" ranker on real BBC stories, in the real database and its search index."""

import importlib.util
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from dateline.intelligence import pipeline, plugins
from dateline.intelligence.base import Guesses, Labelled, TopicClassifier, TopicGuess
from dateline.intelligence.models import StoryTopic
from dateline.intelligence.related import blend
from dateline.intelligence.related.tfidf import TfidfRanker
from dateline.newsroom.models import Article, Tag

from .related_corpus import of_section, record, store, story_of

BENCH = Path(__file__).resolve().parents[2] / "bench" / "intel"
YUKOS = ["bbc-business-003", "bbc-business-025", "bbc-business-077", "bbc-business-083"]


def _bench_module(name: str):
    if str(BENCH) not in sys.path:
        sys.path.append(str(BENCH))  # related.py reads reference.py beside it
    spec = importlib.util.spec_from_file_location(f"bench_intel_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def sections(make_section):
    return {name: make_section(name.title()) for name in
            ("business", "sport", "entertainment", "tech", "politics")}


@pytest.fixture
def unrelated(make_article, sections):
    """Fifteen newer stories of other sections: what "newest of the section" would show."""
    return [store(make_article, r["id"], sections[name], age=timedelta(minutes=10 + i))
            for name in ("sport", "entertainment", "tech")
            for i, r in enumerate(of_section(name, 5))]


def test_a_story_about_the_same_thing_ranks_above_newer_unrelated_ones(
        make_article, sections, unrelated):
    older = store(make_article, "bbc-business-083", sections["business"], age=timedelta(days=9))
    found = TfidfRanker().neighbours(story_of("bbc-business-025"), 5)
    assert found[0].pk == older.pk
    assert found[0].parts["text"] > max([n.parts["text"] for n in found[1:]], default=0)
    assert found[0].score > max([n.score for n in found[1:]], default=0)


def test_never_the_story_itself_nor_a_story_readers_cannot_see(make_article, sections):
    business = sections["business"]
    own = store(make_article, "bbc-business-025", business)
    live = store(make_article, "bbc-business-083", business, age=timedelta(days=2))
    store(make_article, "bbc-business-003", business, status=Article.Status.DRAFT,
          published_at=None)
    store(make_article, "bbc-business-077", business,
          embargo_until=timezone.now() + timedelta(hours=4))
    store(make_article, "bbc-business-127", business, status=Article.Status.UNPUBLISHED)
    found = TfidfRanker().neighbours(story_of("bbc-business-025", pk=own.pk), 5)
    assert [n.pk for n in found] == [live.pk]


def test_copies_of_the_story_and_of_each_other_are_shown_once_the_newest(
        make_article, sections):
    politics = sections["politics"]
    own = store(make_article, "bbc-politics-085", politics, age=timedelta(hours=1))
    # "Tories unveil quango blitz plans" twice in the corpus: the same story, updated.
    older = store(make_article, "bbc-politics-226", politics, age=timedelta(days=3))
    newer = store(make_article, "bbc-politics-265", politics, age=timedelta(days=2))
    copy_of_own = store(make_article, "bbc-politics-085", politics, age=timedelta(days=1))
    found = [n.pk for n in TfidfRanker().neighbours(story_of("bbc-politics-085", pk=own.pk), 5)]
    assert newer.pk in found
    assert older.pk not in found and copy_of_own.pk not in found


def test_shared_topics_tags_and_the_section_add_to_the_text(make_article, make_tag, sections):
    oil, khodorkovsky = make_tag("Oil"), make_tag("Mikhail Khodorkovsky", Tag.Kind.PERSON)
    own = store(make_article, "bbc-business-025", sections["business"], tags=[oil, khodorkovsky])
    tagged = store(make_article, "bbc-business-083", sections["business"],
                   tags=[oil, khodorkovsky])
    untagged = store(make_article, "bbc-business-003", sections["politics"])
    found = {n.pk: n for n in TfidfRanker().neighbours(
        story_of("bbc-business-025", pk=own.pk, section_id=sections["business"].pk), 5)}
    assert found[tagged.pk].parts["topics"] == 1.0 and found[tagged.pk].parts["tags"] == 1.0
    assert found[tagged.pk].parts["section"] == 1.0
    assert found[untagged.pk].parts["topics"] == found[untagged.pk].parts["tags"] == 0.0
    assert found[untagged.pk].parts["section"] == 0.0


def test_a_new_story_meets_the_candidates_topics_through_the_classifiers_guesses(
        make_article, make_tag, sections, unrelated):
    # The closest text carries no topic; a further one carries the topic the classifier is
    # sure of, and one stored by an analysis (StoryTopic) counts as a tag would.
    closest = store(make_article, "bbc-business-083", sections["business"])
    oil = store(make_article, "bbc-business-003", sections["business"], tags=[make_tag("Oil")])
    analysed = store(make_article, "bbc-business-077", sections["business"])
    StoryTopic.objects.create(article=analysed, scheme=StoryTopic.Scheme.ARCHIVE, code="OIL",
                              confidence=0.7, origin="linear")
    guesses = Guesses(topics=(TopicGuess("archive", "oil", 0.9),
                              TopicGuess("medtop", "04000000", 0.8)))
    found = TfidfRanker().neighbours(story_of("bbc-business-025"), 5, guesses=guesses)
    by_pk = {n.pk: n for n in found}
    assert by_pk[oil.pk].parts["topics"] == by_pk[analysed.pk].parts["topics"] == 0.9
    assert by_pk[closest.pk].parts["topics"] == 0.0
    assert by_pk[closest.pk].parts["text"] > by_pk[oil.pk].parts["text"]
    assert [n.pk for n in found][:2] in ([oil.pk, analysed.pk], [analysed.pk, oil.pk])
    unguessed = TfidfRanker().neighbours(story_of("bbc-business-025"), 5)
    assert {n.parts["topics"] for n in unguessed} == {0.0}


def test_the_pipeline_hands_the_ranker_what_the_classifier_found(
        make_article, make_tag, sections):
    oil = store(make_article, "bbc-business-003", sections["business"], tags=[make_tag("Oil")])
    store(make_article, "bbc-business-083", sections["business"])

    class OilClassifier(TopicClassifier):
        def topics(self, story):
            return [TopicGuess("archive", "Oil", 0.8)]

    found = pipeline.findings_for(story_of("bbc-business-025"),
                                  {"classifier": OilClassifier(), "ranker": TfidfRanker()})
    assert {n.pk: n.parts["topics"] for n in found.neighbours}[oil.pk] == 0.8
    assert found.failed == ["tagger", "summariser"]


def test_what_it_learns_is_saved_and_read_back(tmp_path, make_article, sections):
    examples = [Labelled(story_of(key), {}) for key in YUKOS]
    ranker = TfidfRanker()
    ranker.train(examples)
    ranker.save(tmp_path)
    loaded = TfidfRanker()
    assert loaded.load(tmp_path)
    assert loaded.frequencies.documents == 4
    assert loaded.frequencies.df == ranker.frequencies.df
    assert loaded.frequencies.df["yukos"] == 4
    assert not TfidfRanker().load(tmp_path / "nothing")
    # Trained or not, it ranks the same store.
    older = store(make_article, "bbc-business-083", sections["business"], age=timedelta(days=9))
    assert loaded.neighbours(story_of("bbc-business-025"), 1)[0].pk == older.pk


def test_the_settings_choose_it_by_name():
    assert isinstance(plugins.part("ranker", "tfidf"), TfidfRanker)


def test_a_story_without_words_to_look_for_has_no_neighbours(make_article, sections):
    store(make_article, "bbc-business-083", sections["business"])
    assert TfidfRanker().neighbours(story_of("bbc-business-025"), 0) == []
    assert record("bbc-business-025")["title"]
    assert TfidfRanker().neighbours(type(story_of("bbc-business-025"))("", ""), 5) == []


def test_an_untagged_story_is_judged_by_the_company_its_candidates_keep():
    # The three closest texts are about markets; the fourth, alone in sport, scores nothing.
    text = {1: 0.9, 2: 0.8, 3: 0.7, 4: 0.6}
    labels = {1: {"markets"}, 2: {"markets", "oil"}, 3: {"markets"}, 4: {"sport"}}
    found = blend.agreement(text, labels)
    assert found[1] == found[3] == pytest.approx(2 / 3)  # two of the other three
    assert found[4] == 0.0
    assert blend.agreement({1: 0.5}, {1: {"markets"}}) == {1: 0.0}


def test_the_benchmark_scores_it_by_the_labels_the_stories_hide(make_article, sections,
                                                               settings, tmp_path):
    settings.DATELINE_INTELLIGENCE_DIR = str(tmp_path)  # the parts untrained
    bench = _bench_module("related")
    stored = {}
    for key in ("bbc-business-083", "bbc-business-127", "bbc-sport-001"):
        section = "Sport" if "sport" in key else "Business"
        article = store(make_article, key, sections[section.lower()])
        stored[article.pk] = Labelled(story_of(key), {}, section)
    test = [Labelled(story_of("bbc-business-025"), {}, "Business")]
    result = bench.evaluate(test, stored)
    # Five places asked, two stories of the section stored: at most 2/5.
    assert result["precision_at_5"] == pytest.approx(2 / 5)
    assert result["stories"] == 1 and result["judged_by"] == "section"
    assert result["parts"]["ranker"] == f"tfidf {TfidfRanker.version}"

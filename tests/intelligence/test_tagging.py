"""The gazetteer tagger: the site's tags and aliases, countries, and what it learns."""

import json

import pytest

from dateline.intelligence import plugins
from dateline.intelligence.base import Labelled, Story
from dateline.intelligence.models import TagAlias
from dateline.intelligence.tagging.gazetteer import Gazetteer, surnames
from dateline.intelligence.tagging.learn import best_threshold
from dateline.intelligence.tagging.tagger import UNTRAINED_MAX, GazetteerTagger
from dateline.newsroom.models import Tag


def tagged(tagger, headline, body="") -> dict[tuple[str, str], object]:
    return {(e.kind, e.name): e for e in tagger.entities(Story(headline, body))}


def loaded(tmp_path) -> GazetteerTagger:
    tagger = GazetteerTagger()
    tagger.load(tmp_path / "nothing-learnt")
    return tagger


@pytest.mark.django_db
@pytest.mark.parametrize("written", ["Bashar al-Assad", "al-Assad", "Assad"])
def test_every_name_of_a_person_is_one_tag(tmp_path, written):
    assad = Tag.objects.create(name="Bashar al-Assad", kind=Tag.Kind.PERSON)
    TagAlias.objects.create(tag=assad, name="Bashar Assad")

    found = tagged(loaded(tmp_path), "Talks in Damascus", f"{written} met the envoy on Monday.")

    people = [e for e in found.values() if e.kind == "person"]
    assert [(e.name, e.tag_id, e.evidence) for e in people] == [
        ("Bashar al-Assad", assad.pk, written)]


@pytest.mark.django_db
@pytest.mark.parametrize("written", ["U.S.", "USA", "United States", "US"])
def test_every_name_of_a_country_is_one_place(tmp_path, written):
    usa = Tag.objects.create(name="USA", kind=Tag.Kind.PLACE)

    found = tagged(loaded(tmp_path), "Trade figures", f"Exports from the {written} rose.")

    assert [(e.name, e.tag_id) for e in found.values() if e.kind == "place"] == [("USA", usa.pk)]


@pytest.mark.django_db
def test_an_alias_an_editor_adds_is_used_by_the_next_analysis(tmp_path):
    imf = Tag.objects.create(name="IMF", kind=Tag.Kind.ORGANISATION)
    story = "The Monetary Fund raised its forecast."
    assert ("organisation", "IMF") not in tagged(loaded(tmp_path), "Forecast", story)

    TagAlias.objects.create(tag=imf, name="Monetary Fund")

    assert tagged(loaded(tmp_path), "Forecast", story)["organisation", "IMF"].tag_id == imf.pk


@pytest.mark.django_db
def test_words_that_are_codes_are_not_countries(tmp_path):
    Tag.objects.create(name="USA", kind=Tag.Kind.PLACE)
    Tag.objects.create(name="Italy", kind=Tag.Kind.PLACE)

    found = tagged(loaded(tmp_path), "Us and them",
                   "It told us IT spending fell. Can they say so?")

    assert found == {}


@pytest.mark.django_db
def test_untrained_it_suggests_but_never_reaches_the_apply_threshold(tmp_path, settings):
    Tag.objects.create(name="Syria", kind=Tag.Kind.PLACE)

    found = tagged(loaded(tmp_path), "Syria talks resume in Syria",
                   "Syria said the talks in Syria would resume. Syria again.")

    assert 0 < found["place", "Syria"].confidence <= UNTRAINED_MAX
    assert UNTRAINED_MAX < settings.DATELINE_INTELLIGENCE_APPLY_AT


def test_a_surname_shared_by_two_people_names_neither():
    gazetteer = Gazetteer([("person", "George Bush", 1, []), ("person", "Barbara Bush", 2, []),
                           ("person", "James Baker", 3, [])])

    assert gazetteer.get("bush") == set()
    assert {k.name for k in gazetteer.get("baker")} == {"James Baker"}
    assert surnames("Bashar al-Assad") == ["al-Assad", "Assad"]


def test_countries_have_their_common_and_official_names():
    gazetteer = Gazetteer()

    assert {k.name for k in gazetteer.get("syrian arab republic")} == {"Syria"}
    assert {k.name for k in gazetteer.get("us")} == {"United States"}
    assert {k.name for k in gazetteer.get("ussr")} == {"USSR"}
    assert gazetteer.get("korea") == set()  # two countries' short name: neither


def wire(headline, body, **labels) -> Labelled:
    return Labelled(Story(headline, body), {"place": [], "person": [], "organisation": [],
                                            **labels})


def newsroom_history() -> list[Labelled]:
    """A small archive with the conventions of a wire: the country of a dateline city, the
    minister by surname, the organisation by its acronym after its name is spelt once."""
    stories = []
    for i in range(12):
        stories.append(wire(f"Exporters in Tokyo report orders {i}",
                            f"Tokyo exporters said orders rose {i} pct in the month.",
                            place=["Japan"]))
        stories.append(wire(f"Baker sees lower deficit {i}",
                            f"Treasury Secretary James Baker said the deficit would fall. "
                            f"Baker spoke in a speech {i}.", person=["James Baker"],
                            place=["USA"]))
        stories.append(wire(f"Fund warns on debt {i}",
                            f"The International Monetary Fund (IMF) said debt rose {i} pct.",
                            organisation=["IMF"]))
        stories.append(wire(f"Cocoa prices steady {i}", f"Dealers said prices held {i}."))
    return stories


@pytest.fixture(scope="module")
def trained():
    tagger = GazetteerTagger(use_site=False)
    tagger.train(newsroom_history())
    return tagger


def test_it_learns_the_cues_of_an_archive(trained):
    found = tagged(trained, "Tokyo shippers upbeat", "Tokyo shippers expect more trade.")
    assert ("place", "Japan") in found
    assert found["place", "Japan"].evidence == "Tokyo"

    found = tagged(trained, "Deficit to narrow", "Baker told Congress the deficit would narrow.")
    assert ("person", "James Baker") in found

    found = tagged(trained, "Loans", "The International Monetary Fund agreed new loans.")
    assert ("organisation", "IMF") in found

    assert tagged(trained, "Cocoa dealers", "Dealers said cocoa prices were steady.") == {}


def test_what_it_learnt_is_saved_and_loaded(trained, tmp_path):
    trained.save(tmp_path / "gazetteer")
    again = GazetteerTagger(use_site=False)

    assert again.load(tmp_path / "gazetteer")
    story = Story("Tokyo orders up", "Baker said Tokyo orders rose, the IMF said.")
    assert again.entities(story) == trained.entities(story)
    assert not GazetteerTagger(use_site=False).load(tmp_path / "elsewhere")


def test_what_another_version_learnt_is_not_loaded(trained, tmp_path):
    # Its cues may mean something else to this version: untrained until `train` runs again.
    trained.save(tmp_path / "gazetteer")
    newer = GazetteerTagger(use_site=False)
    newer.version = f"{trained.version}-next"
    assert not newer.load(tmp_path / "gazetteer")
    assert ("place", "Japan") not in tagged(newer, "Tokyo shippers upbeat",
                                            "Tokyo shippers expect more trade.")


def test_the_registry_gives_the_gazetteer_tagger(settings, tmp_path):
    settings.DATELINE_INTELLIGENCE_DIR = str(tmp_path)

    assert isinstance(plugins.part("tagger", "gazetteer"), GazetteerTagger)


@pytest.mark.django_db
def test_a_tagger_per_story_reuses_what_the_process_read(trained, tmp_path):
    # The worker makes a tagger for each story: the model and the gazetteer are read once.
    trained.save(tmp_path / "gazetteer")
    first, second = GazetteerTagger(), GazetteerTagger()
    first.load(tmp_path / "gazetteer")
    second.load(tmp_path / "gazetteer")
    before = first.gazetteer()
    assert second.gazetteer() is before

    Tag.objects.create(name="Fahd", kind=Tag.Kind.PERSON)  # the site's tags changed
    third = GazetteerTagger()
    third.load(tmp_path / "gazetteer")
    assert third.gazetteer() is not before
    assert ("person", "Fahd") in tagged(third, "King Fahd visits", "Fahd arrived.")


def test_a_place_named_only_deep_in_a_story_is_not_suggested(monkeypatch):
    # An archive where even a Tokyo named in the last paragraph mostly means Japan: the
    # calibration alone would suggest it, the trained tagger's anchor rule does not. Japan
    # is in most of this small archive, so no word model for it (its words would anchor it).
    monkeypatch.setattr("dateline.intelligence.tagging.words.MIN_STORIES_BY_KIND", {})
    history = []
    for i in range(12):
        history += [wire(f"Tokyo exporters busy {i}", f"Tokyo orders rose {i} pct.",
                         place=["Japan"]),
                    wire(f"Shippers upbeat {i}", f"Trade grew {i} pct.\n\nTokyo was busy.",
                         place=["Japan"] if i % 4 else [])]
    tagger = GazetteerTagger(use_site=False)
    tagger.train(history)
    assert "place" in tagger.model["forests"]

    lead = "markets expect more this year."
    deep = tagged(tagger, "calm week", f"All {lead}\n\nThey said so.\n\nTokyo was busy.")
    assert ("place", "Japan") not in deep
    assert ("place", "Japan") in tagged(tagger, "calm week", f"Tokyo {lead}")


def test_thresholds_can_weigh_precision_above_recall():
    scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
    truth = [True, True, False, True, False, True]
    assert best_threshold(scores, truth, positives=4) == 0.4  # F1: take them all
    assert best_threshold(scores, truth, positives=4, beta=0.5) == 0.8  # the two sure ones


def test_the_trees_kept_as_numbers_score_as_scikit_learn_does():
    import numpy as np
    from sklearn.ensemble import GradientBoostingClassifier

    from dateline.intelligence.tagging import trees

    rng = np.random.default_rng(0)
    x = rng.random((400, 3))
    y = (x[:, 0] > 0.5) & (x[:, 1] < 0.7)  # an interaction no single weight captures
    kept = trees.fit(x, y)
    model = GradientBoostingClassifier(
        n_estimators=trees.TREES, max_depth=trees.DEPTH, learning_rate=trees.RATE,
        subsample=0.8, min_samples_leaf=trees.MIN_LEAF, random_state=0).fit(x, y)

    scores = trees.Forest(json.loads(json.dumps(kept))).scores(x[:50])
    assert np.allclose(scores, model.predict_proba(x[:50])[:, 1], atol=1e-6)
    assert trees.Forest(kept).scores([]) == []


def test_a_fold_does_not_know_the_site_tags_only_its_held_stories_use():
    from dateline.intelligence.tagging.learn import known_before

    site = [("person", "James Baker", 1, []), ("person", "Fahd", 2, []),
            ("place", "Japan", 3, [])]
    learnt = [(None, wire("a", "b", person=["James Baker"]))]
    held = [(None, wire("c", "d", person=["Fahd"]))]
    # Fahd is tagged only in the held stories: the import made that tag from them. Japan,
    # a tag no story uses, the site had anyway.
    assert [row[1] for row in known_before(site, learnt, learnt + held)] == [
        "James Baker", "Japan"]


def test_a_place_gets_a_word_model_from_fewer_stories_than_a_person():
    from dateline.intelligence.tagging.words import MIN_STORIES, MIN_STORIES_BY_KIND, WordModel

    n = MIN_STORIES_BY_KIND["place"]
    assert n < MIN_STORIES
    stories = [Story(f"Story {i}", f"the krona fell and the riksdag met {i}" if i < n
                     else f"shares rose {i}") for i in range(3 * n)]
    labels = [{("place", "Sweden"), ("person", "Ingvar Carlsson")} if i < n else set()
              for i in range(3 * n)]
    model = WordModel.fit(stories, labels)
    assert model.labels == [("place", "Sweden")]  # the person, as often, has none
    said = model.probabilities(Story("Krona", "the krona fell as the riksdag met"))
    assert said[("place", "Sweden")] > 0.5
    assert model.probabilities(Story("Shares", "shares rose"))[("place", "Sweden")] < 0.5


@pytest.mark.django_db
def test_a_place_typed_decomposed_is_found_once_the_story_is_saved(tmp_path, make_article):
    """"Curaçao" with its cedilla as a combining mark (a Mac's or an outlet's way) is other
    characters than the gazetteer's: stored composed, the saved story's place is found."""
    import unicodedata

    words = "Officials in Curaçao and Réunion met on Monday, the ministry said."
    decomposed = unicodedata.normalize("NFD", words)
    assert ("place", "Curaçao") not in tagged(loaded(tmp_path), "Talks", decomposed)
    story = make_article("Talks", body=f"<p>{decomposed}</p>")
    story.refresh_from_db()
    found = tagged(loaded(tmp_path), story.headline, story.body)
    assert {("place", "Curaçao"), ("place", "Réunion")} <= set(found)

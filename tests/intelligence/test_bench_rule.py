"""`make bench-intel`'s rule: which stories train, which are held out, what a part sees."""

import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from dateline.intelligence.base import Labelled, Story
from dateline.newsroom.importer.profile import ImportProfile
from dateline.newsroom.models import Article
from tests.conftest import require_shared

ROOT = Path(__file__).resolve().parents[2]


def _bench_module(name: str, folder: str = "bench/intel"):
    """A script of bench/intel/ (or `folder`), which is no package: its scripts import each
    other, and bench/'s."""
    if str(ROOT / "bench") not in sys.path:
        sys.path.append(str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location(name, ROOT / folder / f"{name}.py")
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rule = _bench_module("rule")


def _record(i, published=None, **extra):
    return {"id": f"r-{i}", "title": f"Story {i}", "body": f"Body {i}", "published": published,
            **extra}


def _ids(records):
    return [r["id"] for r in records]


def test_a_split_field_decides_where_any_record_has_one():
    records = [_record(0, "1987-01-01", split="train"), _record(1, "1987-01-02", split="test"),
               _record(2, "1987-01-03"), _record(3, "1987-01-04", split="train")]
    train, test = rule.split(records)
    # No date counts once a record says where it belongs; one without "split" is evaluated.
    assert _ids(train) == ["r-0", "r-3"] and _ids(test) == ["r-1", "r-2"]


def test_the_earliest_three_quarters_train_and_undated_stories_train():
    # Written out of order: the date decides, not the file's order.
    dates = [f"1987-03-{day:02d}T10:00:00" for day in (9, 1, 8, 2, 7, 3, 6, 4)]
    records = [_record(i, when) for i, when in enumerate(dates)] + [_record(99)]
    train, test = rule.split(records)
    assert sorted(r["published"] for r in test) == ["1987-03-08T10:00:00", "1987-03-09T10:00:00"]
    assert "r-99" in _ids(train) and len(train) == 7
    assert max(r["published"] for r in train if r["published"]) < min(
        r["published"] for r in test)


def test_a_corpus_without_dates_holds_out_a_stable_quarter_by_id():
    records = [_record(i) for i in range(400)]
    train, test = rule.split(records)
    expected = [r["id"] for r in records
                if hashlib.sha1(r["id"].encode()).digest()[-1] % 4 == 0]
    assert _ids(test) == expected and 70 <= len(test) <= 130
    assert _ids(rule.split(list(reversed(records)))[1]) == list(reversed(expected))
    assert len(train) + len(test) == 400


def test_a_part_sees_headline_and_body_only():
    story = Story(headline="Oil rises", body="Crude rose.", pk=7, section_id=3,
                  published_at=None, language="en")
    example = Labelled(story=story, labels={"topic": ["Crude Oil"], "place": ["USA"]},
                       section="Business/Energy/Crude Oil")
    shown = rule.hidden(example)
    assert shown.story == Story(headline="Oil rises", body="Crude rose.")
    assert shown.story.pk is None and shown.story.section_id is None
    # The labels stay beside it, for scoring only.
    assert shown.labels == example.labels and shown.section == example.section


def test_labels_are_named_as_the_import_profile_names_them():
    record = _record(1, topics=["crude"], places=["usa", "west-germany"], people=["volcker"],
                     orgs=["opec"], section="crude")
    named = rule.labelled(record, ImportProfile.load(ROOT / "demo" / "reuters.toml"))
    assert named.labels["place"] == ["USA", "West Germany"]
    assert named.labels["topic"] == ["Crude Oil"]
    # Without a profile, codes are title-cased as the importer does.
    plain = rule.labelled(record, ImportProfile())
    assert plain.labels == {"topic": ["Crude"], "place": ["Usa", "West Germany"],
                            "person": ["Volcker"], "organisation": ["Opec"]}
    assert plain.story == Story(headline="Story 1", body="Body 1")


@pytest.mark.django_db
def test_the_section_scored_is_the_one_the_importer_files_the_story_under(tmp_path):
    records = [_record(1, "1987-03-01T10:00:00", section="crude", topics=["crude"]),
               _record(2, "1987-03-01T11:00:00", places=["japan"]),
               _record(3, "1987-03-01T12:00:00")]
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    profile = ROOT / "demo" / "reuters.toml"
    call_command("import", str(path), profile=profile, progress="never")
    names = ImportProfile.load(profile)
    for record in records:
        filed = Article.objects.get(external_id=record["id"]).section.display_path
        assert rule.section_path(record, names) == filed.replace(" » ", "/")


def test_reuters_splits_at_the_end_of_march_1987():
    records = rule.load(require_shared("corpus/reuters-21578-train/articles.jsonl"))
    train, test = rule.split(records)
    assert (len(train), len(test)) == (9649, 3216)
    assert max(r["published"] for r in train if r["published"]) < "1987-03-27T13:00"
    assert min(r["published"] for r in test) >= "1987-03-27T12:59"


baselines = _bench_module("baselines")
reference = _bench_module("reference")


def _example(topics=(), section=""):
    return Labelled(story=Story(headline="h", body="b"), labels={"topic": list(topics)},
                    section=section)


def test_related_precision_counts_five_places_and_judges_by_topic_where_there_are_topics():
    stored = {1: _example(["Trade"]), 2: _example(["Crude Oil"]), 3: _example(["trade"])}
    asked = [_example(["Trade"]), _example()]  # a story without a topic is not asked
    ranked = reference.precision_at_5(asked, stored, lambda example: [1, 2, 3])
    # Two of the three listed share "Trade" (names compared by alias_key); two places empty.
    assert ranked == {"precision_at_5": 2 / 5, "stories": 1, "shared": 1, "judged_by": "topic"}


def test_related_precision_judges_by_section_in_a_corpus_without_topics():
    stored = {1: _example(section="Sport"), 2: _example(section="Business")}
    ranked = reference.precision_at_5([_example(section="Sport")], stored, lambda e: [1, 2])
    assert ranked["judged_by"] == "section" and ranked["precision_at_5"] == 1 / 5


def test_the_majority_reference_guesses_the_commonest_training_topic():
    train = [_example(["Earnings"]), _example(["Earnings"]), _example(["Trade"])]
    test = [_example(["Earnings"]), _example(["Trade"]), _example()]
    scores = baselines.majority_topics(train, test)
    assert scores["precision"] == 0.5 and scores["recall"] == 0.5
    assert scores["macro_f1"] == pytest.approx((2 / 3 + 0) / 2)


def test_a_story_the_editors_never_indexed_is_not_judged_for_tags():
    labelled = _example(["Trade"])
    assert rule.indexed(labelled)
    assert rule.indexed(Labelled(story=Story("h", "b"), labels={"place": ["Japan"]}))
    assert not rule.indexed(Labelled(story=Story("h", "b"), labels={"topic": [], "place": []}))


def test_tags_are_scored_over_indexed_stories_and_over_all_of_them_beside():
    from dateline.intelligence.base import Entity

    tags = _bench_module("tags")
    japan, usa = Entity("place", "Japan", 0.95), Entity("place", "U.S.", 0.6)
    test = [Labelled(story=Story("h", "b"), labels={"place": ["Japan", "USA"]}),
            Labelled(story=Story("h", "b"), labels={"topic": ["Trade"], "place": []}),
            Labelled(story=Story("h", "b"), labels={})]  # never indexed
    found = tags.score(test, [[japan], [japan, usa], [japan]], apply_at=0.9)
    assert (found["indexed_stories"], found["test_stories"]) == (2, 3)
    place = found["place"]
    assert (place["tp"], place["fp"], place["fn"]) == (1, 2, 1)
    assert (place["applied"]["tp"], place["applied"]["fp"]) == (1, 1)  # "U.S." under 0.9
    # The unindexed story's guess counts only over every story: as a wrong one.
    every = place["all_stories"]
    assert (every["tp"], every["fp"], every["fn"]) == (1, 3, 1)


def test_topic_scores_are_over_topics_with_a_training_example_with_every_label_beside():
    from collections import Counter

    topics = _bench_module("topics")
    taught = Counter({"Trade": 5, "Grain": 3})
    pairs = [({"Trade"}, {"Trade", "Sugar"}),  # "Sugar": no training story has it
             ({"Grain"}, {"Trade"})]
    found = topics._scores(pairs, taught)
    # Taught topics: Trade tp 1, fn 1; Grain fp 1: micro 2 / (2 + 1 + 1).
    assert found["micro_f1"] == 0.5 and found["untaught_labels"] == 1
    assert found["micro_f1_every_label"] == round(2 / (2 + 1 + 2), 4)
    assert found["recall"] == 0.5 and found["precision"] == 0.5
    assert found["labels"] == {"tp": 1, "fp": 1, "fn": 1}


def test_the_micro_f1_target_is_judged_on_the_counts_not_a_rounded_figure():
    report = _bench_module("report")
    # 20,000 / 22,989 = 0.869981: rounded to four places it reads 0.8700.
    found = {"micro_f1": 0.87, "labels": {"tp": 10_000, "fp": 1_494, "fn": 1_495}}
    assert round(report.exact_micro(found), 4) == 0.87
    assert report.exact_micro(found) == 20_000 / 22_989 < 0.87
    assert report.exact_micro({"micro_f1": 0.8698}) == 0.8698  # a part that gave no counts


def test_the_timing_target_is_judged_only_with_the_full_archive_stored(capsys):
    report = _bench_module("report")
    speed = {"ms": {"tagger": [1.0], "classifier": [2.0], "ranker": [3.0], "total": [6.0]},
             "parts": ["tagger", "classifier", "ranker"], "stories": 1, "load_s": 0.1}
    report.print_all([], {**speed, "stored": 3_000})
    small = capsys.readouterr().out.splitlines()[-1]
    assert small.startswith("target analysis p95 with 100k stored: 6.0 ms, but with 3,000 stored")
    assert small.endswith("NOT met")
    report.print_all([], {**speed, "stored": 100_000})
    assert capsys.readouterr().out.splitlines()[-1] == (
        "target analysis p95 with 100k stored: 6.0 ms (target < 50 ms): met")


def test_a_figure_just_under_its_target_is_printed_so_that_it_reads_under():
    figures = _bench_module("figures", folder="bench")
    assert figures.decimals(0.8698, 0.87) == "0.8698"
    assert figures.decimals(0.869996, 0.87) == "0.869996"
    assert figures.decimals(0.9012, 0.90) == "0.901"
    assert figures.decimals(0.87, 0.87) == "0.870"
    assert figures.decimals(0.8953, 0.9, 2) == "0.895"  # a ratio, printed with two
    assert figures.decimals(0.6, 0.6, 2) == "0.60"


@pytest.mark.parametrize(("line", "said"), [
    ('{"id": "a", "title": "A", "body": "B"', "line 2: not JSON"),
    ('["a list"]', "line 2: a record is a JSON object, not list"),
    ('{"title": "no id"}', 'line 2: a record needs an "id"'),
    ('{"id": " ", "title": "blank id"}', 'line 2: a record needs an "id"'),
    ('{"id": true, "title": "an id of true"}', 'line 2: a record needs an "id"'),
    ('{"id": "b", "title": {"text": "A"}}', 'line 2: "title" is text, not an object'),
    ('{"id": "b", "topics": "grain"}', 'line 2: "topics" is a list of codes, not str'),
    ('{"id": "b", "places": [["usa"]]}', 'line 2: "places" is a list of codes, not a list'),
    ('{"id": 1, "title": "the first id again, as a number"}', "line 2: the id '1' again "
     "(first on line 1)"),
])
def test_a_corpus_line_the_benchmark_cannot_read_is_named_not_skipped(tmp_path, line, said):
    corpus = tmp_path / "articles.jsonl"
    corpus.write_text('{"id": "1", "title": "Fine", "body": "Fine."}\n' + line + "\n")
    with pytest.raises(rule.CorpusError) as refused:
        rule.load(corpus)
    assert str(refused.value).startswith(f"{corpus}, {said}")


def test_a_corpus_that_is_not_utf8_or_absent_is_refused_in_words(tmp_path):
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes('{"id": "1", "title": "Caf\xe9"}\n'.encode("latin-1"))
    with pytest.raises(rule.CorpusError, match="not UTF-8 text"):
        rule.load(latin)
    with pytest.raises(rule.CorpusError, match="cannot be read"):
        rule.load(tmp_path / "missing.jsonl")


def test_blank_lines_and_null_fields_are_read(tmp_path):
    corpus = tmp_path / "articles.jsonl"
    corpus.write_text('\n{"id": 7, "title": null, "body": "B", "topics": null}\n\n')
    assert rule.load(corpus) == [{"id": "7", "title": None, "body": "B", "topics": None}]


def test_ids_are_read_as_the_importer_keeps_them(tmp_path):
    """A number or a padded id was imported as text without its spaces (or refused), and
    the benchmark, looking for the id as given, found no story stored: precision 0."""
    corpus = tmp_path / "articles.jsonl"
    corpus.write_text('{"id": 7, "title": "A"}\n{"id": " r-2 ", "title": "B"}\n')
    assert _ids(rule.load(corpus)) == ["7", "r-2"]


def test_the_earliest_are_the_earliest_moments_not_the_earliest_text():
    records = [_record("a", "2026-01-10T09:00+09:00"),  # 00:00 UTC on the 10th
               _record("b", "2026-01-09T12:00+00:00"),
               _record("c", "2026-01-09T18:00"),
               _record("d", "2026-01-09T23:30-05:00"),  # 04:30 UTC on the 10th: the latest
               _record("e", "2026-1-9"), _record("f", 1736400000)]  # the importer refuses both
    train, test = rule.split(records)
    assert _ids(test) == ["r-d"]
    assert set(_ids(train)) == {"r-a", "r-b", "r-c", "r-e", "r-f"}


def test_a_split_with_nothing_to_learn_from_or_to_judge_is_refused(tmp_path):
    corpus = tmp_path / "articles.jsonl"
    stories = [_record(i, split="train") for i in range(3)]
    with pytest.raises(rule.CorpusError, match="no records"):
        rule.require_both([], [], corpus)
    with pytest.raises(rule.CorpusError, match="all 3 records train, none is held out"):
        rule.require_both(*rule.split(stories), corpus)
    with pytest.raises(rule.CorpusError, match="all 3 records are held out, none trains"):
        rule.require_both([], stories, corpus)
    rule.require_both(stories[:2], stories[2:], corpus)  # both: nothing to say


def test_a_target_with_nothing_to_measure_is_not_met_and_says_why(capsys):
    report = _bench_module("report")
    speed = {"ms": {"tagger": [], "classifier": [], "ranker": [], "total": []},
             "parts": ["tagger", "classifier", "ranker"], "stories": 0, "load_s": 0.1,
             "stored": 100_000}
    report.print_all([], speed)
    assert capsys.readouterr().out.splitlines()[-1] == (
        "target analysis p95 with 100k stored: no held-out story to time (target < 50 ms): "
        "NOT met")
    unjudged = {"precision_at_5": 0.0}
    reference = {"judged_by": "section", "stories": 0, "precision_at_5": 0.0}
    lines = report.related({"related": unjudged, "related_reference": reference}, "odd")
    assert lines == [("related precision@5", "no held-out story to judge by section",
                      " (odd, by section)")]


def test_a_figure_nothing_was_judged_for_is_not_a_figure(capsys):
    """Tags with no label to find read F1 1.000 "met"; topics over no story 0.000; related
    0.000 where nothing stored could be a right answer, or nothing stored was published."""
    report = _bench_module("report")
    tags = {"person": {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 0, "fp": 0, "fn": 0,
                       "applied": {"precision": 1.0, "recall": 1.0, "tp": 0, "fp": 0}},
            "place": {"precision": 0.5, "recall": 1.0, "f1": 0.667, "tp": 1, "fp": 1, "fn": 0,
                      "applied": {"precision": 1.0, "recall": 1.0, "tp": 0, "fp": 0}}}
    result = {"tags": tags, "tags_baseline": {}, "has": {"person": True, "place": True}}
    lines = report.tags(result)
    assert lines[0] == ("place tag F1", 0.667, "")
    assert lines[1] == ("person tag F1", "not judged: no held-out story the editors indexed "
                        "has a person label", "")
    assert "none applied" in capsys.readouterr().out
    topics = report.topics({"topics": {"test_stories": 0, "micro_f1": 0.0, "macro_f1": 0.0}})
    assert topics[0] == ("topic micro-F1", "not judged: no held-out story has a topic", "")
    found = {"precision_at_5": 0.0}
    disjoint = {"judged_by": "topic", "stories": 30, "shared": 0, "precision_at_5": 0.0}
    lines = report.related({"related": found, "related_reference": disjoint, "stored": 90},
                           "odd")
    assert lines[0][1] == "no held-out story shares a topic with a stored one"
    shared = {**disjoint, "shared": 30}
    lines = report.related({"related": found, "related_reference": shared, "stored": 90,
                            "live": 0}, "odd")
    assert lines[0][1].startswith("none of the 90 stored stories is published yet")
    lines = report.related({"related": {"precision_at_5": 0.5}, "related_reference": shared,
                            "stored": 90, "live": 90}, "odd")
    assert lines[0][1] == 0.5


def test_a_corpus_file_that_is_not_there_is_one_line(tmp_path):
    import os
    import subprocess

    env = {**os.environ, "CORPUS": str(tmp_path / "nope.jsonl")}
    done = subprocess.run([sys.executable, str(ROOT / "bench/intel/run.py")], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == (f"make bench-intel: CORPUS={tmp_path / 'nope.jsonl'}: no "
                                   "such file (a JSON Lines file, or a folder holding "
                                   "reuters-21578-train/ and bbc-news/)")
    env["CORPUS"] = str(tmp_path)  # a folder without the corpus's layout
    done = subprocess.run([sys.executable, str(ROOT / "bench/intel/run.py")], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "reuters-21578-train/articles.jsonl: no such file" in done.stderr


def test_the_old_ranking_ranks_a_story_of_a_section_the_archive_lacks(make_article, make_section,
                                                                      make_tag):
    """A held-out Reuters story filed under a topic no training story has (so no section of
    that name was made) ranked by shared tags alone: it stopped make bench-intel with a
    TypeError once the section's fill-up became a prepared query, which takes ints only."""
    grain, oil = make_section("Grain"), make_section("Crude")
    wheat = make_tag("Wheat")
    tagged = make_article("Wheat exports rise", section=grain, tags=[wheat])
    other = make_article("Wheat crop forecast", section=oil, tags=[wheat])
    untagged = make_article("Wheat freight rates", section=oil)
    stored = {tagged.pk: _example(["Wheat"], section="Grain"),
              other.pk: _example(["Wheat"], section="Crude"),
              untagged.pk: _example(["Wheat"], section="Crude")}
    asked = [_example(["Wheat"], section="Soybeans")]  # no such section in the archive
    ranked = reference.old_ranking(asked, stored)
    # Both stories sharing the tag, nothing filled from a section: 2 of 5 places.
    assert ranked["precision_at_5"] == 2 / 5 and ranked["stories"] == 1
    # A section the archive has fills up from it as before: the untagged story too.
    filled = reference.old_ranking([_example(["Wheat"], section="Crude")], stored)
    assert filled["precision_at_5"] == 3 / 5

"""Story clusters: real Reuters stories stored through the store, clustered as they arrive."""

import importlib.util
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dateline.ingest import receivers
from dateline.ingest.models import Cluster, Feed, Item
from dateline.ingest.parsers.base import ParsedItem, ParseResult
from dateline.ingest.shingles import entities, from_signature, minhash, signature_bytes
from dateline.ingest.store import store
from tests.conftest import require_shared

pytestmark = pytest.mark.one_engine

BENCH = Path(__file__).resolve().parents[2] / "bench" / "ingest"


def _bench_module(name: str):
    """A script of bench/ingest/, which is no package (its scripts import each other)."""
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_pairs = _bench_module("make_pairs")
quality = _bench_module("quality")

NOON = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def reuters():
    return make_pairs.load(require_shared("corpus/reuters-21578-train/articles.jsonl"))


@pytest.fixture
def publish(make_feed):
    def publish(record: dict, outlet: str, at: datetime) -> Item:
        url = f"https://{outlet.lower().replace(' ', '-')}.test/feed"
        feed = Feed.objects.filter(url=url).first() or make_feed(url, outlet_name=outlet)
        parsed = ParsedItem(headline=record["title"], guid=record["id"], body=record["body"],
                            published_at=at)
        (item,) = store(feed, ParseResult(format="rss", items=[parsed]), now=at).created
        item.refresh_from_db()
        return item

    return publish


def test_a_rewritten_copy_joins_its_story_and_is_marked(reuters, publish):
    original = publish(reuters["reuters-10071"], "Reuters", NOON)
    copy = publish(make_pairs.rewrite(reuters["reuters-10071"]), "Le Monde",
                   NOON + timedelta(hours=2))
    assert copy.cluster == original.cluster and copy.is_near_duplicate
    assert not original.is_near_duplicate
    cluster = Cluster.objects.get()
    assert (cluster.item_count, cluster.outlet_count) == (2, 2)
    assert cluster.headline == "DENNISON MANUFACTURING <DSN> TO SELL PAPER UNIT"
    assert (cluster.first_seen_at, cluster.last_seen_at) == (NOON, NOON + timedelta(hours=2))
    assert from_signature(copy.signature).jaccard(from_signature(original.signature)) > 0.3


def test_reports_of_one_event_from_two_outlets_are_one_story(reuters, publish):
    first = publish(reuters["reuters-290"], "Reuters", NOON)
    second = publish(reuters["reuters-402"], "El País", NOON + timedelta(hours=4))
    assert second.cluster == first.cluster and not second.is_near_duplicate
    assert Cluster.objects.get().outlet_count == 2


def test_another_story_of_the_same_topic_is_another_cluster(reuters, publish):
    hudson = publish(reuters["reuters-7883"], "Reuters", NOON)
    scholastic = publish(reuters["reuters-7948"], "Reuters", NOON + timedelta(minutes=5))
    assert hudson.cluster != scholastic.cluster and not scholastic.is_near_duplicate
    assert [c.item_count for c in Cluster.objects.all()] == [1, 1]


def test_an_old_cluster_is_not_joined(reuters, publish):
    first = publish(reuters["reuters-290"], "Reuters", NOON)
    later = publish(reuters["reuters-402"], "El País", NOON + timedelta(days=3))
    copy = publish(make_pairs.rewrite(reuters["reuters-290"]), "Le Monde",
                   NOON + timedelta(days=3))
    assert later.cluster != first.cluster and copy.cluster != first.cluster
    assert Cluster.objects.get(pk=first.cluster_id).item_count == 1


def test_a_restart_rebuilds_the_index_and_finds_the_cluster(reuters, publish):
    original = publish(reuters["reuters-10071"], "Reuters", NOON)
    receivers.reset()  # a new worker process: nothing in memory
    copy = publish(make_pairs.rewrite(reuters["reuters-10071"]), "Le Monde",
                   NOON + timedelta(hours=1))
    assert copy.cluster == original.cluster and copy.is_near_duplicate


def test_a_signature_survives_the_database(db):
    sketch = minhash("Talks on coffee export quotas at the International Coffee Organization")
    assert from_signature(signature_bytes(sketch)).jaccard(sketch) == 1.0
    assert len(signature_bytes(sketch)) == 128 * 8


def test_entities_are_names_and_numbers_with_their_unit():
    found = entities("The Philippines will offer its bank creditors in New York 328 billion yen, "
                     "Finance Minister Jaime Ongpin said on Monday.")
    assert {"philippines", "new york", "328 billion", "finance minister jaime ongpin"} <= found
    assert "the" not in found and "will" not in found


def test_the_rule_gives_pairs_of_both_labels_on_a_slice_of_the_corpus(reuters):
    records = dict(sorted(reuters.items(), key=lambda kv: make_pairs._newid(kv[0]))[:3000])
    rows = make_pairs.pairs(records)
    kinds = {(row["kind"], row["label"]) for row in rows}
    assert kinds == {("near_duplicate", 1), ("near_duplicate", 0), ("same_story", 1),
                     ("same_story", 0)}
    assert {row["split"] for row in rows} == {"dev", "test"}
    # The committed set is what the rule gives on the whole corpus.
    committed = Path(__file__).resolve().parents[2] / "bench" / "ingest" / "pairs.jsonl"
    assert [json.loads(line) for line in committed.open()] == make_pairs.pairs(reuters)


def test_the_scorer_on_a_hand_made_set():
    result = quality.score([(1, True), (1, True), (1, False), (0, True), (0, False), (0, False)])
    assert (result.tp, result.fp, result.fn, result.tn) == (2, 1, 1, 2)
    assert result.precision == pytest.approx(2 / 3) and result.recall == pytest.approx(2 / 3)
    assert result.f1 == pytest.approx(2 / 3)
    lopsided = quality.score([(1, True), (1, False), (1, False), (1, False), (0, False)])
    assert (lopsided.precision, lopsided.recall) == (1.0, 0.25)
    assert lopsided.f1 == pytest.approx(0.4)


def test_items_another_process_clustered_are_caught_up(reuters, publish, make_feed):
    publish(reuters["reuters-290"], "Reuters", NOON)  # this process's index now exists
    # Another worker stores and clusters a story: this process never sees its signal.
    record, feed = reuters["reuters-10071"], make_feed("https://elsewhere.test/feed")
    other = Cluster.objects.create(headline=record["title"], first_seen_at=NOON,
                                   last_seen_at=NOON, item_count=1, outlet_count=1)
    Item.objects.create(feed=feed, outlet=feed.outlet, identity="guid:elsewhere",
                        fingerprint="0" * 64, headline=record["title"], body=record["body"],
                        published_at=NOON, format="rss", cluster=other,
                        signature=signature_bytes(minhash(f"{record['title']}\n{record['body']}")))
    copy = publish(make_pairs.rewrite(record), "Le Monde", NOON + timedelta(hours=1))
    assert copy.cluster_id == other.pk and copy.is_near_duplicate
    assert Cluster.objects.get(pk=other.pk).item_count == 2


def test_a_changed_item_stays_in_its_cluster_and_is_counted_once(reuters, publish):
    first = publish(reuters["reuters-290"], "Reuters", NOON)
    publish(reuters["reuters-402"], "El País", NOON + timedelta(hours=1))
    updated = dict(reuters["reuters-290"], body=reuters["reuters-290"]["body"] + "\n\nMore.")
    feed = Feed.objects.get(url="https://reuters.test/feed")
    parsed = ParsedItem(headline=updated["title"], guid=updated["id"], body=updated["body"],
                        published_at=NOON)
    (changed,) = store(feed, ParseResult(format="rss", items=[parsed]), now=NOON).changed
    changed.refresh_from_db()
    assert changed.cluster_id == first.cluster_id and not changed.is_near_duplicate
    assert Cluster.objects.get().item_count == 2


def test_an_item_placed_after_a_higher_numbered_one_is_still_caught_up(reuters, publish,
                                                                         make_feed):
    publish(reuters["reuters-290"], "Reuters", NOON)  # this process's index now exists
    feed = make_feed("https://elsewhere.test/feed")

    def stored_elsewhere(record: dict, identity: str) -> Item:
        return Item.objects.create(
            feed=feed, outlet=feed.outlet, identity=identity, fingerprint=identity[-1] * 64,
            headline=record["title"], body=record["body"], published_at=NOON, format="rss",
            signature=signature_bytes(minhash(f"{record['title']}\n{record['body']}")))

    def placed_elsewhere(item: Item) -> Cluster:
        cluster = Cluster.objects.create(headline=item.headline, first_seen_at=NOON,
                                         last_seen_at=NOON, item_count=1, outlet_count=1)
        Item.objects.filter(pk=item.pk).update(cluster=cluster)
        return cluster

    # Another worker stores two items and places the higher-numbered one first ...
    lower = stored_elsewhere(reuters["reuters-10071"], "guid:lower-1")
    higher = stored_elsewhere(reuters["reuters-402"], "guid:higher-2")
    placed_elsewhere(higher)
    publish(reuters["reuters-1000"], "NHK", NOON + timedelta(minutes=30))  # catches up to it
    # ... then the lower one: this process must still learn of it.
    cluster = placed_elsewhere(lower)
    copy = publish(make_pairs.rewrite(reuters["reuters-10071"]), "Le Monde",
                   NOON + timedelta(hours=1))
    assert copy.cluster_id == cluster.pk and copy.is_near_duplicate


def _words(n: int) -> str:
    return " ".join(f"word{i}" for i in range(n))


def test_the_pair_rule_reads_a_corpus_of_another_shape(tmp_path):
    """A corpus in the shared format but not Reuters' shape: numeric ids, labels missing or
    null, dates with a zone or none that reads as one; what cannot be paired by day is left
    out, and the rest reaches the rule in one shape."""
    lines = [
        {"id": 1, "title": "Grain Talks", "body": _words(50), "published": "1987-03-02T10:00:00",
         "topics": ["grain"]},
        {"id": "b-2", "title": None, "body": _words(60), "published": "1987-03-02T12:00:00+02:00",
         "places": None},
        {"id": "c-3", "title": "No date", "body": _words(50), "published": "not a date"},
        {"id": "d-4", "title": "Undated", "body": _words(50)},
        {"id": "e-5", "title": "Too short", "body": _words(5), "published": "1987-03-02"},
    ]
    corpus = tmp_path / "articles.jsonl"
    corpus.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    records = make_pairs.load(corpus)
    assert sorted(records) == ["1", "b-2"]
    assert records["1"]["places"] == records["1"]["orgs"] == records["1"]["people"] == []
    assert records["b-2"]["title"] == "" and records["b-2"]["places"] == []
    assert records["b-2"]["published"] == "1987-03-02T10:00:00"  # in UTC, zone dropped
    # Same day, no topic in common: the one pair is the rewrite of the first original.
    assert make_pairs.pairs(records) == [{
        "kind": "near_duplicate", "label": 1, "a": "1", "b": "rewrite:1", "split": "test",
        "rule": "rewrite"}]


@pytest.mark.parametrize(("text", "said"), [
    ('{"id": "1"\n', "line 1: not JSON"),
    ('["a list"]\n', 'line 1: a record is a JSON object with an "id"'),
    ('{"title": "no id"}\n', 'line 1: a record is a JSON object with an "id"'),
])
def test_a_corpus_line_the_pair_rule_cannot_read_is_named(tmp_path, text, said):
    corpus = tmp_path / "articles.jsonl"
    corpus.write_text(text)
    with pytest.raises(SystemExit) as stopped:
        make_pairs.load(corpus)
    assert str(stopped.value.code).startswith(f"{corpus}, {said}")
    corpus.write_bytes('{"id": "1", "title": "Caf\xe9"}\n'.encode("latin-1"))
    with pytest.raises(SystemExit, match="not UTF-8 text"):
        make_pairs.load(corpus)

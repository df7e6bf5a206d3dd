"""The gazetteer tagger on real wire copy: trained on Reuters stories of 1987, scored on
the stories that came after them (bench/intel/tags.py's evaluate, as `make bench-intel`)."""

import importlib.util
import sys
from pathlib import Path

import pytest

from dateline.newsroom.importer.profile import ImportProfile
from tests.conftest import require_shared

pytestmark = pytest.mark.one_engine

ROOT = Path(__file__).resolve().parents[2]


def _bench_module(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "intel" / f"{name}.py")
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scores():
    rule, tags = _bench_module("rule"), _bench_module("tags")
    records = rule.load(require_shared("corpus/reuters-21578-train/articles.jsonl"))
    records = sorted((r for r in records if r.get("published")), key=lambda r: r["published"])
    profile = ImportProfile.load(ROOT / "demo" / "reuters.toml")
    # A slice, to stay quick: 2,400 stories learnt from, the 600 filed after them scored.
    train = [rule.labelled(r, profile) for r in records[:2400]]
    test = [rule.hidden(rule.labelled(r, profile)) for r in records[2400:3000]]
    return tags.evaluate(train, test, apply_at=0.9)


def test_places_are_found_as_reuters_editors_labelled_them(scores):
    # The full split (9,648 stories learnt) reaches 0.85 and more; a fifth of it less.
    assert scores["place"]["f1"] >= 0.78
    assert scores["organisation"]["f1"] >= 0.55


def test_what_it_applies_alone_is_almost_always_right(scores):
    applied = scores["place"]["applied"]
    assert applied["tp"] >= 100
    assert applied["precision"] >= 0.9

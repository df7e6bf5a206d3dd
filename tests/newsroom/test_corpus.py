"""The real archives in ../shared/corpus import through the same path as any other file."""

from itertools import islice
from pathlib import Path

import pytest

from dateline.newsroom.credit import byline, rights
from dateline.newsroom.importer import ImportProfile, import_file
from dateline.newsroom.models import Article, Tag
from tests.conftest import require_shared

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = 300

pytestmark = pytest.mark.django_db


def sample(name: str, tmp_path: Path) -> Path:
    source = require_shared(f"corpus/{name}/articles.jsonl")
    target = tmp_path / f"{name}.jsonl"
    with source.open("rb") as lines:
        target.write_bytes(b"".join(islice(lines, SAMPLE)))
    return target


def test_reuters_sample_imports_with_editors_labels(tmp_path):
    report = import_file(sample("reuters-21578-train", tmp_path),
                         ImportProfile.load(ROOT / "demo" / "reuters.toml"))
    assert report.errors == []
    assert report.created == SAMPLE
    cocoa = Article.objects.get(external_id="reuters-1")
    assert cocoa.section.display_path == "Business » Commodities » Cocoa"
    assert cocoa.dateline == "SALVADOR, Feb 26"
    assert {t.kind for t in Tag.objects.all()} >= {"topic", "place"}
    assert not cocoa.published_at_is_import_time
    assert (byline(cocoa), rights(cocoa).holder) == ("Reuters", "Reuters")
    # The profile sets the wire's capitals in sentence case.
    assert cocoa.headline == "Bahia cocoa review"


def test_bbc_sample_imports_with_import_time_marked(tmp_path):
    profile = ImportProfile.load(ROOT / "demo" / "bbc.toml")
    report = import_file(sample("bbc-news", tmp_path), profile)
    assert (report.created, report.errors) == (SAMPLE, [])
    assert Article.objects.filter(published_at_is_import_time=True).count() == SAMPLE
    # No date of their own: the archive's copy, never on the wire's changes feed as news.
    assert not Article.objects.filter(wire_changed_at__isnull=False).exists()
    assert set(Article.objects.values_list("section__name", flat=True)) <= {
        "Business", "Entertainment", "Politics", "Sport", "Technology",
    }
    # The records name no reporter: each is credited to BBC News, none to an invented name.
    assert not Article.authors.through.objects.exists()
    assert {byline(a) for a in Article.objects.all()[:20]} == {"BBC News"}


def test_reuters_wire_times_are_new_yorks(tmp_path):
    """The corpus's times name no zone and were read as the site's (Sofia): "NEWS HIGHLIGHTS
    0300 GMT - APRIL 8" was dated April 7, 20:03 GMT, seven hours early and a day before."""
    import json
    from datetime import UTC, datetime

    source = require_shared("corpus/reuters-21578-train/articles.jsonl")
    with source.open(encoding="utf-8") as lines:
        found = next(line for line in lines
                     if "HIGHLIGHTS 0300 GMT - APRIL 8" in json.loads(line)["title"])
    target = tmp_path / "highlights.jsonl"
    target.write_text(found, encoding="utf-8")
    import_file(target, ImportProfile.load(ROOT / "demo" / "reuters.toml"))
    stamped = Article.objects.get().published_at.astimezone(UTC)
    assert stamped == datetime(1987, 4, 8, 3, 3, 4, tzinfo=UTC)  # the 0300 GMT its title says

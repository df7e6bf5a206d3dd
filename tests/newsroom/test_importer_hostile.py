"""A bad line costs only itself: whatever it holds, it is reported by line and the rest import."""

import itertools
import json
from datetime import datetime

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dateline.newsroom.importer import ImportProfile, import_file, loader
from dateline.newsroom.models import Article, Section

pytestmark = pytest.mark.django_db

POISON = "POISON"  # a headline the test's database trigger refuses


def good(id_: str, **fields) -> dict:
    return {"id": id_, "title": "Cocoa rains", "body": "Showers continued in Bahia.",
            "published": "1987-02-26T15:01:01", "section": "Business", **fields}


def line(record: dict) -> bytes:
    return json.dumps(record).encode()


def write(path, lines: list[bytes]):
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.fixture
def refuse_poison():
    """A real trigger that makes the database itself refuse one article (only it can)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON newsroom_article "
                f"WHEN NEW.headline = '{POISON}' BEGIN SELECT RAISE(ABORT, 'poisoned'); END")
        else:
            cursor.execute(
                "CREATE FUNCTION refuse_poison() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.headline = '{POISON}' THEN RAISE EXCEPTION 'poisoned'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql")
            cursor.execute(
                "CREATE TRIGGER refuse_poison BEFORE INSERT ON newsroom_article "
                "FOR EACH ROW EXECUTE FUNCTION refuse_poison()")


# With a headline case, the archive's bodies are read first for word forms (importer.headlines):
# that pass raised the deep line's RecursionError and stopped the whole import.
@pytest.mark.parametrize("profile", [None, ImportProfile(headline_case="sentence")],
                         ids=["as sent", "headlines in sentence case"])
def test_the_lines_that_aborted_whole_imports_are_refused_one_by_one(tmp_path, profile):
    path = write(tmp_path / "a.jsonl", [
        line(good("ok-1")),
        b"[" * 100_000 + b"]" * 100_000,
        b'{"id": "s", "title": "Half \\ud800 a character", "body": "x"}',
        line(good("year-1", published="0001-01-01T00:00:00+14:00")),
        line(good("digits", extra=None)).replace(b"null", b"7" * 5000),
        line(good("kind", tags=[{"name": "Putin", "kind": ["person"]}])),
        line(good("ok-2")),
    ])
    report = import_file(path, profile)
    assert report.created == 2
    assert sorted(Article.objects.values_list("external_id", flat=True)) == ["ok-1", "ok-2"]
    assert report.errors == [
        (2, "JSON nested more than 32 levels deep"),
        (3, "'title' contains a lone surrogate (\\ud800), half of a character"),
        (4, "'published' is out of range: '0001-01-01T00:00:00+14:00' (years 1800 to 2200 "
            "are accepted)"),
        (5, report.errors[3][1]),
        (6, "tag kind \"['person']\" is not one of person, place, organisation, topic"),
    ]
    assert report.errors[3][1].startswith("not valid JSON (Exceeds the limit (4300 digits)")


def test_deep_brackets_inside_strings_are_only_text(tmp_path):
    record = good("brackets", body="[[[[" * 100 + " quoted " + "]]]]" * 100)
    report = import_file(write(tmp_path / "a.jsonl", [line(record)]))
    assert (report.created, report.errors) == (1, [])


def test_what_the_database_refuses_costs_only_that_record(tmp_path, refuse_poison, monkeypatch):
    monkeypatch.setattr(loader, "BATCH_SIZE", 4)
    records = [good(f"r-{n}") for n in range(1, 11)]
    # The first poisoned record creates a section in the transaction that fails; the good
    # record after it needs that section too, and must not point at the rolled-back one.
    records[1] = good("r-2", title=POISON, section="Fresh desk")
    records[2] = good("r-3", section="Fresh desk")
    records[8] = good("r-9", title=POISON)
    lines = [line(r) for r in records]
    lines[3] = b"{broken"  # refused on reading, before the batch around it is written
    report = import_file(write(tmp_path / "a.jsonl", lines))
    assert [number for number, _ in report.errors] == [2, 4, 9]  # in the file's order
    assert report.errors[1][1].startswith("not valid JSON")
    for _, reason in (report.errors[0], report.errors[2]):
        assert reason.startswith("the database refused it (") and "poisoned" in reason
    assert report.created == 7 and Article.objects.count() == 7
    assert Article.objects.get(external_id="r-3").section.name == "Fresh desk"
    assert Section.objects.filter(name="Fresh desk").count() == 1


# Each strategy makes the bytes of one line that must be refused.
SURROGATE = st.sampled_from(["\ud800", "\udfff", "a\udc00b", "\ud83d"])
DEEP = st.integers(33, 100_000).flatmap(lambda n: st.sampled_from([
    b"[" * n + b"]" * n,
    b'{"a":' * n + b"1" + b"}" * n,
    b'{"id": "deep", "title": "t", "body": "b", "extra": ' + b"[" * n + b"]" * n + b"}",
]))
EXTREME_DATE = st.one_of(
    st.datetimes(max_value=datetime(1798, 12, 31)),
    st.datetimes(min_value=datetime(2202, 1, 1)),
).flatmap(lambda moment: st.sampled_from(["+14:00", "-14:00", "Z", ""]).map(
    lambda offset: moment.isoformat() + offset))
WRONG_TYPE = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                       st.lists(st.integers(), max_size=3), st.dictionaries(st.text(), st.none(),
                                                                            max_size=2))
EXTREME_NUMBER = st.sampled_from([b"1e999", b"-1e999", b"9" * 5000, b"NaN", b"-Infinity",
                                  b"1" + b"0" * 400])


def hostile(id_: str) -> st.SearchStrategy[bytes]:
    return st.one_of(
        DEEP,
        st.tuples(st.sampled_from(["id", "title", "body", "standfirst", "dateline"]),
                  SURROGATE).map(lambda kv: line(good(id_, **{kv[0]: f"x{kv[1]}y"}))),
        st.tuples(st.sampled_from(["authors", "places", "topics"]), SURROGATE).map(
            lambda kv: line(good(id_, **{kv[0]: ["fine", kv[1]]}))),
        SURROGATE.map(lambda s: line(good(id_, tags=[{"name": s, "kind": "person"}]))),
        st.tuples(st.sampled_from(["published", "updated"]), EXTREME_DATE).map(
            lambda kv: line(good(id_, **{kv[0]: kv[1]}))),
        st.tuples(st.sampled_from(["id", "title", "body"]), WRONG_TYPE).map(
            lambda kv: line(good(id_, **{kv[0]: kv[1]}))),
        # These two may be left out (null), but not be of another type.
        st.tuples(st.sampled_from(["published", "status"]), WRONG_TYPE.filter(
            lambda v: v is not None)).map(lambda kv: line(good(id_, **{kv[0]: kv[1]}))),
        st.tuples(st.sampled_from(["id", "title", "body", "published"]), EXTREME_NUMBER).map(
            lambda kv: line(good(id_, **{kv[0]: None})).replace(b"null", kv[1])),
        st.sampled_from(["title", "id", "dateline"]).map(
            lambda key: line(good(id_, **{key: "x" * 700}))),
        st.just(line(good(id_, body="x" * (2_000_001)))),
        st.just(line(good(id_, standfirst="y" * 4_000_000))),
        st.sampled_from(["title", "body", "id"]).map(
            lambda key: line(good(id_, **{key: "before\x00after"}))),
        st.just(line(good(id_)).replace(b"Cocoa", b"Co\x00coa")),  # a raw NUL byte
        st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"]).map(
            lambda bad: line(good(id_)).replace(b"Cocoa", b"Co" + bad + b"coa")),
        st.just(line(good(id_, title=POISON))),  # refused by the database itself
    )


EXAMPLE = itertools.count()
TITLES = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=40)


@st.composite
def archive(draw) -> tuple[str, list[bytes], set[str], set[int]]:
    """Good records and hostile lines in random order: id prefix, lines, good ids, bad lines."""
    prefix = f"p{next(EXAMPLE)}-"
    kinds = draw(st.lists(st.booleans(), min_size=1, max_size=14))
    lines, good_ids, bad_lines = [], set(), set()
    for number, is_good in enumerate(kinds, start=1):
        id_ = f"{prefix}{number}"
        if is_good:
            title = draw(TITLES.filter(lambda t: t.strip() and t.strip() != POISON))
            lines.append(line(good(id_, title=title)))
            good_ids.add(id_)
        else:
            lines.append(draw(hostile(id_)))
            bad_lines.add(number)
    return prefix, lines, good_ids, bad_lines


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(case=archive())
def test_hostile_lines_are_refused_by_line_and_every_good_record_imports_once(
    case, tmp_path, refuse_poison, monkeypatch
):
    monkeypatch.setattr(loader, "BATCH_SIZE", 3)  # bad records in and across batches
    prefix, lines, good_ids, bad_lines = case
    path = write(tmp_path / "hostile.jsonl", lines)
    report = import_file(path)
    assert {number for number, _ in report.errors} == bad_lines
    assert len(report.errors) == len(bad_lines)
    assert report.created == len(good_ids)
    imported = Article.objects.filter(external_id__startswith=prefix)
    assert sorted(imported.values_list("external_id", flat=True)) == sorted(good_ids)
    again = import_file(path)  # and once means once: a second run changes nothing
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(good_ids))

"""The SQLite backend (dateline/db/backends/sqlite3): Django's, with each statement's
conversion to sqlite3's "?" placeholders remembered rather than redone at every run."""

import sqlite3

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import SQLiteCursorWrapper
from hypothesis import given
from hypothesis import strategies as st

from dateline.db.backends.sqlite3.base import CursorWrapper, _qmark_style
from dateline.newsroom.models import Article

# Statements as Django writes them: placeholders, literal percent signs, quoted text.
pieces = st.sampled_from(["%s", "%%", "%%s", "'%%s'", " = ", "LIKE", '"id"', "?", "%", "s"])
statements = st.lists(st.one_of(pieces, st.text(max_size=5)), max_size=30).map("".join)


@given(statements)
def test_the_conversion_is_djangos(query):
    assert CursorWrapper.convert_query(None, query) == SQLiteCursorWrapper.convert_query(
        None, query)


def test_named_parameters_are_converted_as_django_converts_them():
    cursor = sqlite3.connect(":memory:").cursor(factory=CursorWrapper)
    cursor.execute("SELECT %(first)s || %(second)s", {"first": "a", "second": "b"})
    assert cursor.fetchone() == ("ab",)


@pytest.mark.django_db
def test_the_site_runs_on_it_and_converts_a_statement_once(make_article):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backend")
    story = make_article("Floods close the port")
    query = Article.objects.filter(pk=story.pk).values_list("headline")
    list(query)
    before = _qmark_style.cache_info()
    assert list(query.all()) == [("Floods close the port",)]
    after = _qmark_style.cache_info()
    assert after.hits > before.hits and after.misses == before.misses
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s || '%%'", ["100"])
        assert cursor.fetchone() == ("100%",)
        assert isinstance(cursor.cursor, CursorWrapper)
    assert connection.settings_dict["ENGINE"] == "dateline.db.backends.sqlite3"

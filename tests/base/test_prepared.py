"""Prepared queries (dateline.base.prepared): the ORM's SQL built once, run with new values.

Each is judged against the queryset it was built from, on the test run's database (SQLite, and
PostgreSQL in `make test`'s second pass), with the values changing between runs.
"""

from datetime import timedelta

import pytest
from django.db import connection, connections
from django.db.models import F
from django.db.models.query import RawQuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dateline.base.prepared import Fixed, Prepared, all_of, set_prefetched
from dateline.newsroom.models import Article, Tag

pytestmark = pytest.mark.django_db


def _live_in(now, pks):
    return Article.objects.live(now).filter(pk__in=pks).order_by("pk")


def test_same_rows_as_the_queryset_it_was_built_from(make_article):
    stories = [make_article(f"Story {n}") for n in range(4)]
    draft = make_article("Draft", status=Article.Status.DRAFT)
    prepared = Prepared(_live_in, Article)
    for pks in ([s.pk for s in stories], [stories[0].pk, draft.pk], [draft.pk]):
        now = timezone.now()
        expected = list(_live_in(now, pks))
        found = prepared.objects(now, pks)
        assert [a.pk for a in found] == [a.pk for a in expected]
        assert [a.headline for a in found] == [a.headline for a in expected]
        assert all(isinstance(a.published_at, type(timezone.now())) for a in found)


def test_each_run_takes_its_own_values_and_shapes_are_compiled_once(make_article):
    one, two, three = (make_article(f"Story {n}") for n in range(3))
    prepared = Prepared(lambda pk: Article.objects.filter(pk=pk).values_list("headline"), Article)
    assert prepared.rows(one.pk) == [("Story 0",)]
    assert prepared.rows(two.pk) == [("Story 1",)]
    assert prepared.rows(three.pk) == [("Story 2",)]
    assert prepared._compile.cache_info().misses == 1
    by_list = Prepared(lambda pks: Article.objects.filter(pk__in=pks).order_by("pk")
                       .values_list("pk", flat=True), Article)
    assert [r[0] for r in by_list.rows([one.pk, three.pk])] == [one.pk, three.pk]
    assert [r[0] for r in by_list.rows([two.pk, three.pk])] == [two.pk, three.pk]
    assert [r[0] for r in by_list.rows([one.pk])] == [one.pk]
    assert by_list._compile.cache_info().misses == 2  # two lengths, two shapes


def test_the_moment_is_the_runs_not_the_first_runs(make_article):
    """Compiled while a story is under embargo, the query shows it once the embargo is past."""
    lifted = timezone.now() + timedelta(hours=1)
    story = make_article("Embargoed", embargo_until=lifted)
    prepared = Prepared(_live_in, Article)
    assert prepared.objects(timezone.now(), [story.pk]) == []
    assert [a.pk for a in prepared.objects(lifted + timedelta(seconds=1), [story.pk])] == [story.pk]


def test_fixed_values_are_part_of_the_shape(make_article, make_section):
    home, away = make_section("Home"), make_section("Away")
    at_home, abroad = make_article("At home", section=home), make_article("Abroad", section=away)
    prepared = Prepared(lambda now, subtree, limit: Article.objects.live(now).in_section(
        None, subtree).newest_first()[:limit], Article)
    now = timezone.now()
    assert [a.pk for a in prepared.objects(now, Fixed([home.pk]), Fixed(5))] == [at_home.pk]
    assert [a.pk for a in prepared.objects(now, Fixed([away.pk]), Fixed(5))] == [abroad.pk]
    both = prepared.objects(now, Fixed([home.pk, away.pk]), Fixed(1))
    assert [a.pk for a in both] == [abroad.pk]  # the newest, and only one
    assert prepared._compile.cache_info().misses == 3


def test_an_argument_the_query_does_not_use_is_refused(make_article):
    story = make_article()
    ignores = Prepared(lambda pk: Article.objects.filter(pk=story.pk), Article)
    with pytest.raises(ValueError, match="not among the query's parameters"):
        ignores.objects(story.pk + 1)
    with pytest.raises(TypeError, match="ints, lists of ints, moments or Fixed"):
        Prepared(lambda slug: Article.objects.filter(slug=slug), Article).objects("a-slug")


def test_set_prefetched_answers_the_relation_without_a_query(make_article):
    first, second = Tag.objects.create(name="Aleppo"), Tag.objects.create(name="Damascus")
    story = make_article(tags=[first, second])
    story = Article.objects.get(pk=story.pk)
    set_prefetched(story, "tags", Tag, [second])
    with CaptureQueriesContext(connection) as queries:
        assert list(story.tags.all()) == [second]
    assert len(queries) == 0
    set_prefetched(story, "tags", Tag, [])
    with CaptureQueriesContext(connection) as queries:
        assert list(story.tags.all()) == []
    assert len(queries) == 0


def test_all_of_reads_what_was_prefetched_and_else_asks_the_database(make_article):
    first, second = Tag.objects.create(name="Aleppo"), Tag.objects.create(name="Damascus")
    story = Article.objects.get(pk=make_article(tags=[first, second]).pk)
    with CaptureQueriesContext(connection) as queries:
        assert sorted(t.name for t in all_of(story, "tags")) == ["Aleppo", "Damascus"]
    assert len(queries) == 1
    set_prefetched(story, "tags", Tag, [second])
    built = []
    manager = type(story.tags)
    original = manager.__init__

    def counted(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    manager.__init__ = counted
    try:
        with CaptureQueriesContext(connection) as queries:
            assert list(all_of(story, "tags")) == [second]
    finally:
        manager.__init__ = original
    assert len(queries) == 0 and built == []


def _shown(pks):
    return (Article.objects.filter(pk__in=pks).only("headline", "published_at")
            .annotate(doubled=F("pk") * 2).order_by("pk"))


def test_later_runs_make_the_instances_the_first_run_made(make_article):
    """The first run's raw queryset says how columns become instances; the later runs, which
    reuse that, give the same fields, the same deferred ones, converted values and extras."""
    stories = [make_article(f"Story {n}") for n in range(3)]
    prepared = Prepared(_shown, Article)
    first = prepared.objects([s.pk for s in stories[:2]])
    later = prepared.objects([s.pk for s in stories[1:]])
    expected = list(_shown([s.pk for s in stories[1:]]))
    assert [(a.pk, a.headline, a.published_at, a.doubled) for a in later] == [
        (a.pk, a.headline, a.published_at, a.doubled) for a in expected]
    assert [a.get_deferred_fields() for a in later] == [a.get_deferred_fields() for a in first]
    assert "body" in later[0].get_deferred_fields()
    assert all(timezone.is_aware(a.published_at) for a in later)
    assert all(a._state.db == "default" and not a._state.adding for a in later)


def test_later_runs_skip_the_raw_queryset(make_article, monkeypatch):
    story = make_article("Story")
    made = []
    original = RawQuerySet.__init__

    def counted(self, *args, **kwargs):
        made.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(RawQuerySet, "__init__", counted)
    prepared = Prepared(_shown, Article)
    for _ in range(3):
        assert [a.pk for a in prepared.objects([story.pk])] == [story.pk]
    assert prepared.objects([story.pk + 1000]) == []
    assert len(made) == 1


def test_a_model_that_reads_its_rows_its_own_way_still_does(make_article, monkeypatch):
    """Later runs place the columns themselves only where `from_db` is Django's own."""
    story = make_article("Story")
    read = []
    original = Article.from_db.__func__

    def from_db(cls, db, field_names, values, **kwargs):
        read.append(list(field_names))
        return original(cls, db, field_names, values, **kwargs)

    monkeypatch.setattr(Article, "from_db", classmethod(from_db))
    prepared = Prepared(_shown, Article)
    for _ in range(2):
        assert [a.headline for a in prepared.objects([story.pk])] == ["Story"]
    assert len(read) == 2 and "headline" in read[1]


def test_the_querys_own_constants_are_written_into_sqlite_sql(make_article):
    """On SQLite a bound value that may decide a partial index ("is_breaking" = 1) makes it
    prepare the statement again at every run; the code's constants are written in instead,
    quoted, and the arguments stay parameters."""
    titles = ("Quake hits Izmir", "It's over: talks end", "Rates up 0.5%")
    for title in titles:
        breaking = make_article(title, is_breaking=True)
        calm = make_article(title)
        prepared = Prepared(lambda pk, title=title: Article.objects.filter(
            pk=pk, is_breaking=True, headline=title), Article)
        assert [a.pk for a in prepared.objects(breaking.pk)] == [breaking.pk]
        assert prepared.objects(calm.pk) == []
        _, sql, params = prepared.sql(breaking.pk)
        if connection.vendor != "sqlite":
            # PostgreSQL plans each query anyway: left as Django wrote it.
            django_sql, django_params = Article.objects.filter(
                pk=breaking.pk, is_breaking=True, headline=title).query.sql_with_params()
            assert (sql, list(params)) == (django_sql, list(django_params))
            continue
        assert '"is_breaking" = 1' in sql and not any(p is True for p in params)
        if "%" in title:  # a percent sign stays a parameter, as Django's SQL reads "%%"
            assert title in params
        else:
            assert title not in params and title.replace("'", "''") in sql
        assert breaking.pk in params


def test_a_connection_keeps_a_bounded_number_of_plans(make_article, monkeypatch):
    from dateline.base import prepared as module

    monkeypatch.setattr(module, "_PLANS_HELD", 2)
    module._plans.clear()  # what earlier tests left on this connection
    stories = [make_article(f"Story {n}") for n in range(4)]
    query = Prepared(_shown, Article)
    for count in range(1, 5):  # a list of each length is a statement of its own
        pks = [s.pk for s in stories[:count]]
        assert [a.pk for a in query.objects(pks)] == pks
        assert [a.pk for a in query.objects(pks)] == pks  # and again, from its plan
        assert len(module._plans[connections["default"]]) <= 2

"""A queryset's SQL built once and run many times with new values.

Django builds a query's SQL in Python each time a queryset is evaluated: 0.3-0.9 ms of CPU a
query, where SQLite answers the article page's reads in microseconds. A cold article page ran
13 of them, and building them was about half its CPU (bench/README.md, "Renders"). A
`Prepared` query is the ORM's own queryset, so the rules it holds (what "live" means, the index
hints of `in_section`) are written once; it is compiled on first use for each shape of its
arguments and database, and later runs put the new values where the first run's stood.

Arguments are ints, lists of ints (each length a shape of its own), moments (`datetime`,
adapted as the database takes them) or `Fixed` values, which are part of the shape: a value
the builder writes into the SQL's text rather than as a parameter, such as a section's
subtree in `in_section`. Django has no cache of compiled SQL; this is that, for the few
queries every uncached page runs.
"""

import itertools
import re
import weakref
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.db import connections, models, router
from django.db.models import DEFERRED

# Stand-ins the builder is called with: values no story, tag or clock will hold, so each is
# found again among the compiled query's parameters.
_FIRST_MARKER = -7_300_000_000_000_000
_MARKER_TIME = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)


class Fixed:
    """An argument written into the SQL itself: part of the shape, compiled once per value."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def key(self) -> Any:
        value = self.value
        return tuple(value) if isinstance(value, list) else value


class Prepared:
    """`build(*arguments)` returns a queryset; `rows(...)` its rows as tuples, `objects(...)` its
    model instances (deferred fields as the queryset's `only` left them)."""

    def __init__(self, build: Callable[..., models.QuerySet], model: type[models.Model]) -> None:
        self.build = build
        self.model = model
        self._compile = lru_cache(maxsize=256)(self._compiled)

    def sql(self, *arguments: Any) -> tuple[str, str, list]:
        """(database alias, SQL, parameters) for these arguments."""
        alias = router.db_for_read(self.model)
        shape = tuple(_shape(argument) for argument in arguments)
        sql, params, slots = self._compile(alias, shape)
        values = _flatten(arguments, shape, alias)
        params = list(params)
        for position, index in slots:
            params[position] = values[index]
        return alias, sql, params

    def rows(self, *arguments: Any) -> list[tuple]:
        """As the database returns them, without the fields' converters: for ids, numbers and
        text (a moment is a string on SQLite); `objects` for anything else."""
        alias, sql, params = self.sql(*arguments)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def objects(self, *arguments: Any) -> list[models.Model]:
        alias, sql, params = self.sql(*arguments)
        connection = connections[alias]
        plans = _plans.setdefault(connection, {})
        plan = plans.get(sql)
        if plan is None:
            # The first run goes through Django's raw queryset, which says how its columns
            # become instances; later runs of the same SQL on this connection reuse that.
            raw = self.model.objects.db_manager(alias).raw(sql, params)
            found = list(raw)
            if len(plans) >= _PLANS_HELD:  # shapes beyond any page's (lists of every length)
                plans.clear()
            plans[sql] = _Plan.of(raw, connection)
            return found
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return plan.instances(self.model, alias, cursor.fetchall(), connection)

    def _compiled(self, alias: str, shape: tuple) -> tuple[str, tuple, tuple]:
        counter = itertools.count()
        markers = [_marker(kind, counter) for kind in shape]
        queryset = self.build(*markers).using(alias)
        sql, params = queryset.query.get_compiler(alias).as_sql()
        flat = _flatten(markers, shape, alias)
        where = {_comparable(value): index for index, value in enumerate(flat)}
        slots = tuple((position, where[_comparable(value)]) for position, value in enumerate(params)
                      if _comparable(value) in where)
        if len({index for _, index in slots}) != len(flat):
            raise ValueError(f"{self.build!r}: an argument is not among the query's parameters "
                             "(pass a value written into the SQL as Fixed)")
        if connections[alias].vendor == "sqlite":
            return _constants_written(sql, tuple(params), slots)
        return sql, tuple(params), slots


# Django's placeholder; "%%" is a percent sign.
_PLACEHOLDER = re.compile(r"(?<!%)%s")


def _constants_written(sql: str, params: tuple, slots: tuple) -> tuple[str, tuple, tuple]:
    """The query's own constants (`is_breaking=True`, a status) written into its text, the
    arguments left as parameters. SQLite prepares a statement again at every run when a bound
    value might decide whether a partial index applies ("is_breaking" = 1): the breaking-news
    banner's query, on every page, took 32 µs instead of 4.5 at 100,000 stories."""
    parts = _PLACEHOLDER.split(sql)
    if len(parts) != len(params) + 1:
        return sql, params, slots
    arguments = {position for position, _ in slots}
    text, kept, moved = [parts[0]], [], {}
    for position, value in enumerate(params):
        literal = None if position in arguments else _literal(value)
        if literal is None:
            moved[position] = len(kept)
            kept.append(value)
            literal = "%s"
        text += [literal, parts[position + 1]]
    return "".join(text), tuple(kept), tuple((moved[position], index)
                                             for position, index in slots)


def _literal(value: Any) -> str | None:
    """SQLite's literal for a constant of the code's own (never a reader's value: those are
    arguments), or None to leave it a parameter."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, str) and "%" not in value and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


class _Plan:
    """What a raw queryset works out on every run (its columns' fields, their converters,
    which become the instance's fields and which its extra attributes): a third of the CPU of
    the few small queries an article page runs, and a function of the SQL alone."""

    __slots__ = ("converters", "extras", "names", "placed", "positions")

    @classmethod
    def of(cls, raw: models.query.RawQuerySet, connection) -> "_Plan":
        plan = cls()
        plan.names, plan.positions, plan.extras = raw.resolve_model_init_order()
        # Where each column goes among the model's fields, the rest deferred: what `from_db`
        # works out for every row (a field at a time against every name read).
        concrete = [field.attname for field in raw.model._meta.concrete_fields]
        plan.placed = tuple((concrete.index(name), at)
                            for name, at in zip(plan.names, plan.positions, strict=True))
        fields = [raw.model_fields.get(column) for column in raw.columns]
        compiler = connection.ops.compiler("SQLCompiler")(raw.query, connection, raw.db)
        plan.converters = tuple(compiler.get_converters(
            [field.get_col(field.model._meta.db_table) if field else None
             for field in fields]).items())
        return plan

    def instances(self, model: type[models.Model], alias: str, rows: list[tuple],
                  connection) -> list[models.Model]:
        found = []
        own_way = model.from_db.__func__ is not _FROM_DB
        for row in rows:
            if self.converters:
                row = list(row)
                for position, (converters, expression) in self.converters:
                    value = row[position]
                    for converter in converters:
                        value = converter(value, expression, connection)
                    row[position] = value
            if own_way:  # a model with its own from_db reads its rows its own way
                instance = model.from_db(alias, self.names, [row[at] for at in self.positions])
            else:  # as Model.from_db does
                values = [DEFERRED] * len(model._meta.concrete_fields)
                for field, at in self.placed:
                    values[field] = row[at]
                instance = model(*values)
                instance._state.adding, instance._state.db = False, alias
            for column, at in self.extras:
                setattr(instance, column, row[at])
            found.append(instance)
        return found


_FROM_DB = models.Model.from_db.__func__
# Statements whose plan a connection keeps: every prepared query's shapes a site runs, many
# times over; past it they are worked out again.
_PLANS_HELD = 2048
# Per connection (each thread has its own, and a converter may be bound to it); forgotten
# with the connection.
_plans: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _shape(argument: Any) -> Any:
    if isinstance(argument, Fixed):
        return ("fixed", argument.key())
    if isinstance(argument, datetime):
        return "moment"
    if isinstance(argument, list | tuple):
        return ("list", len(argument))
    if isinstance(argument, int):
        return "int"
    raise TypeError(f"A prepared query takes ints, lists of ints, moments or Fixed: {argument!r}")


def _marker(kind: Any, counter: itertools.count) -> Any:
    if kind == "int":
        return _FIRST_MARKER - next(counter)
    if kind == "moment":
        return _MARKER_TIME + timedelta(microseconds=next(counter) + 1)
    if kind[0] == "list":
        return [_FIRST_MARKER - next(counter) for _ in range(kind[1])]
    return list(kind[1]) if isinstance(kind[1], tuple) else kind[1]  # Fixed: the value itself


def _flatten(arguments: Sequence[Any], shape: tuple, alias: str) -> list:
    """The arguments' values as the database receives them, in order; Fixed ones are not."""
    ops, flat = connections[alias].ops, []
    for argument, kind in zip(arguments, shape, strict=True):
        if kind == "moment":
            flat.append(ops.adapt_datetimefield_value(argument))
        elif kind == "int":
            flat.append(argument)
        elif kind[0] == "list":
            flat.extend(argument)
    return flat


def _comparable(value: Any) -> Any:
    return (type(value).__name__, str(value))


def set_prefetched(instance: models.Model, name: str, model: type[models.Model],
                   objects: list[models.Model]) -> None:
    """Give `instance.<name>.all()` these `model` objects, as `prefetch_related(name)` would
    have, so templates and code reading the relation need not know how it was read."""
    found = models.QuerySet(model=model)
    found._result_cache, found._prefetch_done = objects, True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = found


def all_of(instance: models.Model, name: str) -> Sequence[models.Model]:
    """`instance.<name>.all()`, from what was prefetched (by `set_prefetched` or Django) when
    it was, without building the relation's manager: Django builds one at every access, some
    eighteen times for an article page's story read once."""
    prefetched = getattr(instance, "_prefetched_objects_cache", None)
    if prefetched is not None and name in prefetched:
        return prefetched[name]
    return getattr(instance, name).all()

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
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.db import connections, models, router

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
        return list(self.model.objects.db_manager(alias).raw(sql, params))

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
        return sql, tuple(params), slots


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

"""The search interface every backend implements, and the loader of the configured ones."""

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet, ImproperlyConfigured
from django.db import connections
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.module_loading import import_string

from dateline.newsroom.models import Article, Section

from ..query import ParsedQuery, parse

# Private-use characters mark a highlight inside the database; removed from indexed text, so
# the only ones in a snippet are the backend's, and everything else can be escaped.
MARK_START, MARK_END = "\ue000", "\ue001"
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")
DEFAULT_HALF_LIFE_DAYS = 30.0


class InvalidSearchBackendError(ImproperlyConfigured):
    """DATELINE_SEARCH_BACKENDS names a backend that cannot be loaded or used."""


@dataclass
class SearchQuery:
    """What to look for, where, in which order, and which page of it."""

    text: str
    section_id: int | None = None
    tag_id: int | None = None
    author_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    newest_first: bool = False
    page: int = 1
    per_page: int = 20
    # Readers see live stories only; the desk searches every state.
    live_only: bool = True
    facets: bool = False


@dataclass(frozen=True)
class Hit:
    article_id: int
    score: float
    snippet: str = ""


@dataclass
class SearchResults:
    hits: list[Hit]
    total: int
    # Counts over the whole result set: {"section": [(id, n)], "tag": [...], "author": [...]}.
    facets: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    # True when there are more matches than were counted: `total` is then a lower bound
    # (and facets count the first `total` matches).
    more: bool = False


def plain_text(value: str) -> str:
    """The words of an HTML fragment, as the index stores them."""
    return _UNWANTED.sub(" ", html.unescape(strip_tags(value or "")))


def highlight(snippet: str) -> str:
    """Escape a snippet from the database and turn the backend's marks into <mark>."""
    return (escape(snippet.replace("\x00", "")).replace(MARK_START, "<mark>")
            .replace(MARK_END, "</mark>"))


def _day_start(day: date, days_after: int = 0) -> datetime | None:
    """When the day begins in the site's time zone; None past the calendar's ends (a bound
    that excludes nothing)."""
    try:
        start = timezone.make_aware(datetime.combine(day + timedelta(days=days_after), time.min))
        return start.astimezone(UTC)  # as stored; fails here, not in the database adapter
    except (OverflowError, ValueError):
        return None


class BaseSearchBackend:
    """Keep an index of articles and answer queries against it, filtered by the ORM."""

    vendor: str = ""
    # How a common table expression is forced to be computed once ("" where it always is).
    materialized: str = "MATERIALIZED"
    index_table: str = ""
    # At most: the best text matches ranked for relevance, and the matches counted.
    candidates: int = 2000
    max_count: int = 1000

    def __init__(self, params: dict) -> None:
        self.params = params
        self.database = params.get("DATABASE", "default")
        self.half_life_days = float(params.get("HALF_LIFE_DAYS", DEFAULT_HALF_LIFE_DAYS))

    @property
    def connection(self):
        return connections[self.database]

    # What a backend implements.
    def add(self, article: Article) -> None:
        """Index one article (insert or replace)."""
        self.add_bulk([article])

    def add_bulk(self, articles: Iterable[Article]) -> None:
        """Index many articles (insert or replace)."""
        raise NotImplementedError

    def delete(self, article_ids: Iterable[int]) -> None:
        """Remove articles from the index."""
        raise NotImplementedError

    def reset_index(self) -> None:
        """Empty the index."""
        with self.connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.index_table}")

    def prune(self) -> int:
        """Remove entries whose article no longer exists; return how many."""
        raise NotImplementedError

    def match_sql(self, parsed: ParsedQuery, scored: bool = True) -> tuple[str, list]:
        """SQL selecting (id, score) of matching articles, higher score better; the score is
        a constant when not scored, for counting without ranking every match."""
        raise NotImplementedError

    def ranked_candidates_sql(self, parsed: ParsedQuery, limit: int) -> tuple[str, list]:
        """(id, score) of the `limit` newest matches by id."""
        match, params = self.match_sql(parsed)
        return f"{match} ORDER BY id DESC LIMIT {limit}", params

    def snippets(self, parsed: ParsedQuery, ids: Sequence[int]) -> dict[int, str]:
        """Snippets with the backend's marks, by article id."""
        raise NotImplementedError

    def age_seconds_sql(self, column: str) -> str:
        """SQL for the seconds from the column's time to the database's now."""
        raise NotImplementedError

    # What every backend shares.
    def filtered(self, query: SearchQuery):
        """Articles the query may return, before matching: visibility and filters."""
        articles = Article.objects.live() if query.live_only else Article.objects.all()
        if query.section_id is not None:
            section = Section.objects.filter(pk=query.section_id).first()
            ids = Section.objects.subtree_ids(section) if section else []
            articles = articles.filter(section_id__in=ids)
        # Subqueries rather than joins: search() applies these conditions to its own join.
        if query.tag_id is not None:
            tagged = Article.tags.through.objects.filter(tag_id=query.tag_id)
            articles = articles.filter(pk__in=tagged.values("article_id"))
        if query.author_id is not None:
            written = Article.authors.through.objects.filter(author_id=query.author_id)
            articles = articles.filter(pk__in=written.values("article_id"))
        # Days in the site's time zone, as times: a comparison the database does itself,
        # where `published_at__date` converts every candidate's time (in Python, on SQLite).
        start = _day_start(query.date_from) if query.date_from else None
        if start is not None:
            articles = articles.filter(published_at__gte=start)
        end = _day_start(query.date_to, days_after=1) if query.date_to else None
        if end is not None:
            articles = articles.filter(published_at__lt=end)
        return articles

    def search(self, query: SearchQuery) -> SearchResults:
        """One page of hits, the total, and (when asked) facet counts."""
        parsed = parse(query.text)
        if not parsed:
            return SearchResults(hits=[], total=0)
        counted, counted_params = self.match_sql(parsed, scored=False)
        filtered = self.filtered(query).query
        try:
            within, within_params = filtered.get_compiler(connection=self.connection).compile(
                filtered.where
            )
        except EmptyResultSet:  # a filter that can match nothing, such as an unknown section
            return SearchResults(hits=[], total=0)
        except FullResultSet:  # no condition at all
            within, within_params = "1 = 1", []
        table = self.connection.ops.quote_name(Article._meta.db_table)
        # The matches are computed once (a materialised CTE); joined back row by row, a
        # full-text table would be searched again for every candidate article.
        # Scoring and counting every match of a common word costs time in proportion to the
        # archive, and readers look at the first pages. So relevance scores the `candidates`
        # newest matches by id (ids grow with time; the index yields them in that order and
        # stops there), and counting stops at `max_count`.
        candidates, cap = self.candidates, self.max_count
        ranked, ranked_params = self.ranked_candidates_sql(parsed, candidates)
        scored = f"WITH m AS {self.materialized} ({ranked}) "
        unscored_head = f"WITH m AS {self.materialized} ({counted}) "
        capped_head = f"WITH m AS {self.materialized} ({counted} LIMIT {cap + 1}) "
        # The ORM's conditions name the table itself, so the join does not alias it.
        tail = f"FROM m JOIN {table} ON {table}.id = m.id"
        where = f"WHERE {within}"
        params = [*ranked_params, *within_params]
        unscored = [*counted_params, *within_params]
        with self.connection.cursor() as cursor:
            cursor.execute(f"{capped_head} SELECT COUNT(*), (SELECT COUNT(*) FROM m) {tail} "
                           f"{where}", unscored)
            total, examined = cursor.fetchone()
            more = examined > cap
            total = min(total, cap)
            hits: list[Hit] = []
            if total:
                per_page = max(1, min(query.per_page, 100))
                offset = (max(query.page, 1) - 1) * per_page
                if query.newest_first:
                    # Newest first among the newest matches by id, as for relevance: the
                    # index yields them in that order and stops there.
                    cursor.execute(
                        f"WITH m AS {self.materialized} ({counted} ORDER BY id DESC "
                        f"LIMIT {candidates}) SELECT m.id, 0.0 {tail} {where} "
                        f"ORDER BY {table}.published_at DESC, m.id DESC LIMIT %s OFFSET %s",
                        [*unscored, per_page, offset],
                    )
                else:
                    # Relevance decays with age: halved every half-life.
                    age = self.age_seconds_sql(f"{table}.published_at")
                    half_life = self.half_life_days * 86400.0
                    score = (f"m.score * COALESCE(EXP(-0.6931471805599453 * "
                             f"(CASE WHEN {age} > 0 THEN {age} ELSE 0 END) / {half_life}), 1)")
                    order = "3 DESC, m.id DESC"
                    cursor.execute(
                        f"{scored} SELECT m.id, m.score, {score} {tail} {where} "
                        f"ORDER BY {order} LIMIT %s OFFSET %s",
                        [*params, per_page, offset],
                    )
                rows = cursor.fetchall()
                texts = self.snippets(parsed, [row[0] for row in rows])
                hits = [Hit(row[0], float(row[-1]), highlight(texts.get(row[0], "")))
                        for row in rows]
            if query.facets and total:
                head = capped_head if more else unscored_head
                facets = self._facets(cursor, f"{head} SELECT {{}} {tail}", where, unscored)
            else:
                facets = {}
        return SearchResults(hits=hits, total=total, facets=facets, more=more)

    def matching_ids(self, text: str, limit: int = 1000) -> list[int]:
        """Ids of every article (any state) matching the text, best first; for the desk."""
        parsed = parse(text)
        if not parsed:
            return []
        match, params = self.match_sql(parsed)
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT m.id FROM ({match}) m ORDER BY m.score DESC LIMIT %s",
                           [*params, limit])
            return [row[0] for row in cursor.fetchall()]

    def _facets(
        self, cursor, select: str, where: str, params: list
    ) -> dict[str, list[tuple[int, int]]]:
        table = self.connection.ops.quote_name(Article._meta.db_table)
        facets = {"section": self._count(cursor, select, f"{table}.section_id", "", where, params)}
        for name, relation in (("tag", Article.tags), ("author", Article.authors)):
            through = relation.through._meta
            column = through.get_field(name).column
            join = f"JOIN {through.db_table} r ON r.{through.get_field('article').column} = m.id"
            facets[name] = self._count(cursor, select, f"r.{column}", join, where, params)
        return facets

    @staticmethod
    def _count(
        cursor, select: str, column: str, join: str, where: str, params: list
    ) -> list[tuple[int, int]]:
        cursor.execute(
            f"{select.format(f'{column}, COUNT(*)')} {join} {where} GROUP BY {column} "
            f"ORDER BY 2 DESC, 1 LIMIT 20", params,
        )
        return [(row[0], row[1]) for row in cursor.fetchall()]


def _load(alias: str) -> BaseSearchBackend:
    configured = getattr(settings, "DATELINE_SEARCH_BACKENDS", {})
    if alias not in configured and alias != "default":
        raise InvalidSearchBackendError(
            f"DATELINE_SEARCH_BACKENDS has no backend {alias!r}; add it or use 'default'."
        )
    params = dict(configured.get(alias, {}))
    path = params.pop("BACKEND", "dateline.search.backends.database")
    try:
        target = import_string(path) if not path.endswith(".database") else None
    except ImportError as exc:
        raise InvalidSearchBackendError(
            f"Search backend {alias!r}: cannot import {path!r} ({exc}). Use "
            "'dateline.search.backends.database' or a BaseSearchBackend subclass's path."
        ) from exc
    if target is None:
        from .database import backend_for_vendor

        target = backend_for_vendor(connections[params.get("DATABASE", "default")].vendor)
    if not (isinstance(target, type) and issubclass(target, BaseSearchBackend)):
        raise InvalidSearchBackendError(
            f"Search backend {alias!r}: {path!r} is not a BaseSearchBackend subclass."
        )
    return target(params)


@cache
def _cached(alias: str, signature: str) -> BaseSearchBackend:
    return _load(alias)


def get_backend(alias: str = "default") -> BaseSearchBackend:
    """The configured backend; 'default' always exists (the database's own full-text search)."""
    configured = getattr(settings, "DATELINE_SEARCH_BACKENDS", {})
    # Keyed on the settings too, so that override_settings in tests gets a fresh backend.
    return _cached(alias, repr(sorted(configured.get(alias, {}).items())))

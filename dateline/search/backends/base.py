"""The search interface every backend implements, and the loader of the configured ones."""

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.utils import timezone
from django.utils.html import escape, strip_tags

from dateline.base.graphemes import clipped
from dateline.base.plugins import PluginError, Registry
from dateline.newsroom.models import Article, Section

from ..query import ParsedQuery, parse, without_invisible

# Private-use characters mark a highlight inside the database; removed from indexed text, so
# the only ones in a snippet are the backend's, and everything else can be escaped.
MARK_START, MARK_END = "\ue000", "\ue001"
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")
DEFAULT_HALF_LIFE_DAYS = 30.0
DATABASE_BACKEND = "dateline.search.backends.database.DatabaseSearchBackend"


class InvalidSearchBackendError(PluginError):
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
    # Only stories published at or before it: a walk through the pages of one search sees
    # the same matches on each (/api/search), not shifted by a story published meanwhile.
    until: datetime | None = None


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


# Where one block ends another begins: a space there, or "<li>First</li><li>Second</li>" was
# the word "FirstSecond" in the index and in every snippet.
_BLOCK_EDGE = re.compile(
    r"</?(?:p|div|li|ul|ol|h[1-6]|blockquote|pre|table|thead|tbody|tr|td|th|caption|figure|"
    r"figcaption|dl|dt|dd|hr|br|section|aside)\b[^>]{0,500}>", re.IGNORECASE)


def plain_text(value: str) -> str:
    """The words of an HTML fragment, as the index stores them."""
    spaced = _BLOCK_EDGE.sub(" ", value or "")
    return _UNWANTED.sub(" ", without_invisible(html.unescape(strip_tags(spaced))))


# A snippet is cut in words by the database: one word of 10,000 letters (a pasted string, a
# run of emoji) made an 11,000-character snippet. A word this long shows its start and end.
_LONG_WORD = re.compile(r"\S{81,}")


def _shortened(word: re.Match) -> str:
    text = word.group()
    head, tail = clipped(text, 50), text[-20:]
    # A mark opened before the cut and closed after it (or the reverse) is closed on its side.
    if head.count(MARK_START) > head.count(MARK_END):
        head += MARK_END
    if tail.count(MARK_END) > tail.count(MARK_START):
        tail = MARK_START + tail
    return head + "\u2026" + tail


def highlight(snippet: str) -> str:
    """Escape a snippet from the database and turn the backend's marks into <mark>."""
    snippet = _LONG_WORD.sub(_shortened, snippet.replace("\x00", ""))
    return escape(snippet).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def _day_start(day: date, days_after: int = 0) -> datetime | None:
    """When the day begins in the site's time zone; None past the calendar's ends (a bound
    that excludes nothing)."""
    try:
        start = timezone.make_aware(datetime.combine(day + timedelta(days=days_after), time.min))
        return start.astimezone(UTC)  # as stored; fails here, not in the database adapter
    except (OverflowError, ValueError):
        return None


@dataclass(frozen=True)
class _Plan:
    """What the statements of one search share: the matches, the join, the ORM's filters."""

    parsed: ParsedQuery
    table: str  # the articles' table, quoted
    counted: str  # SQL of every match, unscored
    unscored: list  # its parameters, then the filters'
    within: str  # the ORM's conditions; they name the table itself, so the join does not alias it
    within_params: list

    @property
    def tail(self) -> str:
        return f"FROM m JOIN {self.table} ON {self.table}.id = m.id"

    @property
    def where(self) -> str:
        return f"WHERE {self.within}"


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

    @classmethod
    def implementation(cls, params: dict) -> type["BaseSearchBackend"]:
        """The class that serves these settings: this one, unless it picks one by database."""
        return cls

    @property
    def connection(self):
        return connections[self.database]

    def index_key(self) -> tuple:
        """What names the index written: backends sharing one index are written to once."""
        return (type(self), self.database, self.index_table or id(self))

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

    def optimize(self) -> int:
        """Compact the index after many changes (a reindex, an import), in steps short
        enough that saves meanwhile never wait long; return how many steps. Nothing to do
        unless a backend says otherwise."""
        return 0

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
        if query.until is not None:
            # Out by then: published, and not held by an embargo (a story already out that
            # was put under one keeps its first time, and comes back at the embargo's end).
            articles = articles.filter(published_at__lte=query.until).exclude(
                embargo_until__gt=query.until)
        return articles

    # Searching, in steps. The statements and the loop over the hits are the ones
    # bench/search.py measures, unchanged by the split into steps: change their text and the
    # plans (and timings) may change with it.
    def search(self, query: SearchQuery) -> SearchResults:
        """One page of hits, the total, and (when asked) facet counts."""
        parsed = parse(query.text)
        plan = self._plan(parsed, query) if parsed else None
        if plan is None:
            return SearchResults(hits=[], total=0)
        with self.connection.cursor() as cursor:
            total, more, facets = self._counts(cursor, plan, query.facets)
            hits = self._page(cursor, plan, query) if total else []
        return SearchResults(hits=hits, total=total, facets=facets if total else {}, more=more)

    def _plan(self, parsed: ParsedQuery, query: SearchQuery) -> _Plan | None:
        """The parts of this search's statements; None when its filters can match nothing."""
        filtered = self.filtered(query).query
        try:
            within, within_params = filtered.get_compiler(connection=self.connection).compile(
                filtered.where
            )
        except EmptyResultSet:  # a filter that can match nothing, such as an unknown section
            return None
        except FullResultSet:  # no condition at all
            within, within_params = "1 = 1", []
        counted, counted_params = self.match_sql(parsed, scored=False)
        return _Plan(parsed, self.connection.ops.quote_name(Article._meta.db_table),
                     counted, [*counted_params, *within_params], within, within_params)

    # The matches are computed once (a materialised CTE); joined back row by row, a full-text
    # table would be searched again for every candidate article.
    # Scoring and counting every match of a common word costs time in proportion to the
    # archive, and readers look at the first pages. So relevance scores the `candidates`
    # newest matches by id (ids grow with time; the index yields them in that order and stops
    # there), and counting stops at `max_count`.
    def _counts(self, cursor, plan: _Plan, facets: bool) -> tuple[int, bool, dict]:
        """The matches counted up to `max_count`, whether there were more, and (when asked)
        the facets over those counted: one statement, the matches found once."""
        cap = self.max_count
        parts = ["SELECT 'examined', NULL, COUNT(*) FROM m",
                 "SELECT 'total', NULL, COUNT(*) FROM f"]
        if facets:
            parts += facet_selects()
        cursor.execute(
            f"{self._capped_head(plan)}, f AS {self.materialized} ({self.counted_rows(plan)}) "
            f"{' UNION ALL '.join(parts)}",
            plan.unscored,
        )
        counts, found = {}, {"section": [], "tag": [], "author": []}
        for kind, key, number in cursor.fetchall():
            if kind in found:
                found[kind].append((key, number))
            else:
                counts[kind] = number
        for rows in found.values():  # UNION ALL keeps no order
            rows.sort(key=lambda row: (-row[1], row[0]))
        return min(counts["total"], cap), counts["examined"] > cap, found if facets else {}

    def counted_rows(self, plan: _Plan) -> str:
        """SQL of the counted matches `m` that pass the filters, with their sections."""
        return f"SELECT m.id, {plan.table}.section_id {plan.tail} {plan.where}"

    def _page(self, cursor, plan: _Plan, query: SearchQuery) -> list[Hit]:
        """The requested page of hits, each with its highlighted snippet."""
        per_page = max(1, min(query.per_page, 100))
        offset = (max(query.page, 1) - 1) * per_page
        if query.newest_first:
            rows = self._newest_rows(cursor, plan, per_page, offset)
        else:
            rows = self._relevant_rows(cursor, plan, per_page, offset)
        texts = self.snippets(plan.parsed, [row[0] for row in rows])
        return [Hit(row[0], float(row[-1]), highlight(texts.get(row[0], ""))) for row in rows]

    def _newest_rows(self, cursor, plan: _Plan, per_page: int, offset: int) -> list[tuple]:
        # Newest first among the newest matches by id, as for relevance: the index yields
        # them in that order and stops there.
        table = plan.table
        cursor.execute(
            f"WITH m AS {self.materialized} ({plan.counted} ORDER BY id DESC "
            f"LIMIT {self.candidates}) SELECT m.id, 0.0 {plan.tail} {plan.where} "
            f"ORDER BY {table}.published_at DESC, m.id DESC LIMIT %s OFFSET %s",
            [*plan.unscored, per_page, offset],
        )
        return cursor.fetchall()

    def _relevant_rows(self, cursor, plan: _Plan, per_page: int, offset: int) -> list[tuple]:
        # Relevance decays with age: halved every half-life.
        ranked, ranked_params = self.ranked_candidates_sql(plan.parsed, self.candidates)
        age = self.age_seconds_sql(f"{plan.table}.published_at")
        half_life = self.half_life_days * 86400.0
        score = (f"m.score * COALESCE(EXP(-0.6931471805599453 * "
                 f"(CASE WHEN {age} > 0 THEN {age} ELSE 0 END) / {half_life}), 1)")
        order = "3 DESC, m.id DESC"
        cursor.execute(
            f"WITH m AS {self.materialized} ({ranked}) SELECT m.id, m.score, {score} "
            f"{plan.tail} {plan.where} ORDER BY {order} LIMIT %s OFFSET %s",
            [*ranked_params, *plan.within_params, per_page, offset],
        )
        return cursor.fetchall()

    def _capped_head(self, plan: _Plan) -> str:
        # The newest matches by id are counted, as they are ranked.
        return (f"WITH m AS {self.materialized} ({plan.counted} ORDER BY id DESC "
                f"LIMIT {self.max_count + 1}) ")

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


# Backends by alias in DATELINE_SEARCH_BACKENDS, each naming its class under "BACKEND".
registry = Registry("search backend", BaseSearchBackend, setting="DATELINE_SEARCH_BACKENDS",
                    path_key="BACKEND", default_path=DATABASE_BACKEND)


def get_backend(alias: str = "default") -> BaseSearchBackend:
    """The configured backend; 'default' always exists (the database's own full-text search)."""
    configured = registry.configured()
    if alias not in configured and alias != "default":
        raise InvalidSearchBackendError(
            f"DATELINE_SEARCH_BACKENDS has no backend {alias!r}; add it or use 'default'."
        )
    # Keyed on the settings too, so that override_settings in tests gets a fresh backend.
    return _cached(alias, repr(sorted(configured.get(alias, {}).items())))


def indexed_backends() -> list[BaseSearchBackend]:
    """Every configured backend, 'default' first, each index once: all are kept up to date."""
    aliases = ["default", *(alias for alias in registry.configured() if alias != "default")]
    backends: dict[tuple, BaseSearchBackend] = {}
    for backend in map(get_backend, aliases):
        backends.setdefault(backend.index_key(), backend)
    return list(backends.values())


@cache
def _cached(alias: str, signature: str) -> BaseSearchBackend:
    params = dict(registry.configured().get(alias, {}))
    path = registry.path_of(params)
    params.pop("BACKEND", None)
    try:
        backend_class = registry.load(path, alias)
    except PluginError as exc:
        raise InvalidSearchBackendError(str(exc)) from exc
    return backend_class.implementation(params)(params)


def facet_selects(extra: str = "", wrap: str = "SELECT * FROM ({})") -> list[str]:
    """The facets' counts over the matches `f` (kind, value, count, then `extra` columns):
    every section (the site's own tree, so few; the page adds each one's count to those
    above it), the 20 largest tags and authors, each select wrapped so that UNION ALL keeps
    its LIMIT."""
    selects = [f"SELECT 'section', section_id, COUNT(*){extra} FROM f GROUP BY 2"]
    for name, relation in (("tag", Article.tags), ("author", Article.authors)):
        through = relation.through._meta
        column = through.get_field(name).column
        # From the matches to their links, never the other way: CROSS JOIN is SQLite's way to
        # say so (PostgreSQL plans it as any join). With an import's statistics SQLite
        # planned the bylines' count as a scan of every byline, each probing the matches.
        selects.append(
            f"SELECT '{name}', r.{column}, COUNT(*){extra} FROM f CROSS JOIN "
            f"{through.db_table} r WHERE r.{through.get_field('article').column} = f.id "
            "GROUP BY 2 ORDER BY 3 DESC, 2 LIMIT 20")
    return [wrap.format(select) for select in selects]

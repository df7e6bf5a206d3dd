"""PostgreSQL: weighted tsvectors under a GIN index led by an id slice, ranked by ts_rank_cd.

Queries go through to_tsquery built from the shared parser rather than websearch_to_tsquery:
the syntax is the same (words, "phrases", OR, -word) and prefix search (`infla*`) works too,
which websearch_to_tsquery does not offer.

Matching reads `search_article_match`, whose GIN index leads with the slice (the id's top
bits, migration 0002): a search reads the matches of the newest slices first and widens them
only until it has the newest `candidates` (SQLite's FTS5 yields matches in id order itself).
Snippets read the body from `search_article_text`. One statement answers the count, the facets
and the page.
"""

from collections.abc import Iterable, Sequence

from dateline.newsroom.models import Article

from ..query import ParsedQuery, Term, parse
from .base import (
    MARK_END,
    MARK_START,
    BaseSearchBackend,
    Hit,
    SearchQuery,
    SearchResults,
    _Plan,
    facet_selects,
    highlight,
    plain_text,
)

TABLE = "search_article_match"
# As migration 0002 stores it: 65,536 ids a slice.
SLICE_BITS = 16
# Slices below the newest one searched first; then as many as the matches found there say
# are needed, and then all of them.
FIRST_SLICES = 1
TEXT_TABLE = "search_article_text"
CONFIG = "english"
HEADLINE_OPTIONS = (f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15, "
                    "MaxFragments=2, FragmentDelimiter=\" … \"")


# PostgreSQL's text parser reads "<script>" in plain text as a tag and skips what follows; a
# zero-width space after each "<" keeps the words searchable, and is removed from snippets.
_GUARD = "<\u200b"


def _guarded(text: str) -> str:
    return text.replace("<", _GUARD)


def _term(term: Term, phrase: bool = True) -> str:
    # Words hold only letters and digits, so each quoted lexeme is literal text to tsquery.
    lexemes = [f"'{word}'" for word in term.words]
    if term.prefix:
        lexemes[-1] += ":*"
    return (" <-> " if phrase else " & ").join(lexemes)


def tsquery(parsed: ParsedQuery) -> str:
    """The to_tsquery text for a parsed query: the same syntax as readers type, prefix too."""
    expression = " & ".join(
        "(" + " | ".join(_term(t) for t in group) + ")" for group in parsed.groups
    )
    if parsed.excluded:
        expression += " & !(" + " | ".join(map(_term, parsed.excluded)) + ")"
    return expression


def loose_tsquery(parsed: ParsedQuery) -> str:
    """What the GIN index can answer exactly, finding everything tsquery() does: a phrase's
    words anywhere (the index has no positions: it would re-read every tsvector that has
    them all), and only single-word exclusions (leaving out a phrase excludes less)."""
    expression = " & ".join(
        "(" + " | ".join(_term(t, phrase=False) for t in group) + ")" for group in parsed.groups
    )
    excluded = [term for term in parsed.excluded if len(term.words) == 1]
    if excluded:
        expression += " & !(" + " | ".join(map(_term, excluded)) + ")"
    return expression


class PostgresSearchBackend(BaseSearchBackend):
    """Headline weight A, teaser B, body C; websearch syntax parsed by us, prefix included."""

    vendor = "postgresql"
    index_table = TABLE

    def add_bulk(self, articles: Iterable[Article]) -> None:
        rows = [(a.pk, _guarded(a.headline), _guarded(a.teaser), _guarded(plain_text(a.body)))
                for a in articles]
        if not rows:
            return
        with self.connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {TABLE} (article_id, slice, document) VALUES (%s, %s, "
                f"setweight(to_tsvector('{CONFIG}', %s), 'A') || "
                f"setweight(to_tsvector('{CONFIG}', %s), 'B') || "
                f"setweight(to_tsvector('{CONFIG}', %s), 'C')) "
                f"ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document",
                [(row[0], row[0] >> SLICE_BITS, *row[1:]) for row in rows],
            )
            cursor.executemany(
                f"INSERT INTO {TEXT_TABLE} (article_id, body) VALUES (%s, %s) "
                f"ON CONFLICT (article_id) DO UPDATE SET body = EXCLUDED.body",
                [(row[0], row[3]) for row in rows],
            )

    def delete(self, article_ids: Iterable[int]) -> None:
        ids = list(article_ids)
        with self.connection.cursor() as cursor:
            for table in (TABLE, TEXT_TABLE):
                cursor.execute(f"DELETE FROM {table} WHERE article_id = ANY(%s)", [ids])

    def reset_index(self) -> None:
        with self.connection.cursor() as cursor:
            for table in (TABLE, TEXT_TABLE):
                cursor.execute(f"DELETE FROM {table}")

    def prune(self) -> int:
        removed = 0
        with self.connection.cursor() as cursor:
            for table in (TABLE, TEXT_TABLE):
                cursor.execute(f"DELETE FROM {table} s WHERE NOT EXISTS (SELECT 1 FROM "
                               f"{Article._meta.db_table} a WHERE a.id = s.article_id)")
                removed = max(removed, cursor.rowcount)
        return removed

    def match_sql(self, parsed: ParsedQuery, scored: bool = True) -> tuple[str, list]:
        score = "ts_rank_cd(s.document, q)" if scored else "1.0"
        return (f"SELECT s.article_id AS id, {score} AS score "
                f"FROM {TABLE} s, to_tsquery('{CONFIG}', %s) q WHERE s.document @@ q",
                [tsquery(parsed)])

    def snippets(self, parsed: ParsedQuery, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s.article_id, ts_headline('{CONFIG}', s.body, q, %s) "
                f"FROM {TEXT_TABLE} s, to_tsquery('{CONFIG}', %s) q WHERE s.article_id = ANY(%s)",
                [HEADLINE_OPTIONS, tsquery(parsed), list(ids)],
            )
            return {pk: text.replace(_GUARD, "<") for pk, text in cursor.fetchall()}

    def age_seconds_sql(self, column: str) -> str:
        # In double precision: EXTRACT gives numeric, whose EXP costs ~25 µs a row (2,000
        # candidates ranked: 50 ms on a busy machine).
        return f"EXTRACT(EPOCH FROM (now() - {column}))::float8"

    # The base class's rules in one statement: the newest matches by id are found once,
    # by the index alone, and the counted (the newest max_count + 1), the ranked candidates,
    # the facets and the page are all taken from them. The base class runs up to five
    # statements, each finding the matches again; and as PostgreSQL's index yields matches in
    # no order, each statement read the id of every match, in whichever slice.
    def search(self, query: SearchQuery) -> SearchResults:
        parsed = parse(query.text)
        plan = self._plan(parsed, query) if parsed else None
        if plan is None:
            return SearchResults(hits=[], total=0)
        needed = max(self.candidates, self.max_count + 1)
        below: int | None = FIRST_SLICES
        with self.connection.cursor() as cursor:
            while True:
                cursor.execute(*self._search_sql(plan, query, below))
                rows = cursor.fetchall()
                values = {kind: number for kind, _, number, _ in rows if kind in _COUNTS}
                # Done when enough were found, or the slices searched were all there are.
                if (below is None or values["found"] >= needed
                        or (values["newest"] or 0) >> SLICE_BITS <= below):
                    break
                below = _wider(values["newest"] or 0, below, values["found"], needed)
        facets: dict[str, list[tuple[int, int]]] = {"section": [], "tag": [], "author": []}
        page = []
        for kind, key, number, score in rows:
            if kind == "hit":
                page.append((number, key, score))
            elif kind in facets:
                facets[kind].append((key, number))
        total = min(values["total"], self.max_count)
        more = values["examined"] > self.max_count
        if not total:
            return SearchResults(hits=[], total=0, more=more)
        page.sort()  # by position: UNION ALL keeps no order
        texts = self.snippets(parsed, [pk for _, pk, _ in page])
        hits = [Hit(pk, float(score), highlight(texts.get(pk, ""))) for _, pk, score in page]
        for counted in facets.values():
            counted.sort(key=lambda row: (-row[1], row[0]))
        return SearchResults(hits=hits, total=total, more=more,
                             facets=facets if query.facets else {})

    def _search_sql(self, plan: _Plan, query: SearchQuery, below: int | None) -> tuple[str, list]:
        exact, loose = tsquery(plan.parsed), loose_tsquery(plan.parsed)
        table, within = plan.table, plan.within
        needed = max(self.candidates, self.max_count + 1)
        newest_id = f"(SELECT MAX(article_id) FROM {TABLE})"
        sliced = ("" if below is None
                  else f"AND s.slice >= (({newest_id} >> {SLICE_BITS}) - %s)::smallint")
        params: list = [CONFIG, loose] + ([] if below is None else [below])
        if exact == loose:  # the index alone is exact: no tsvector is read to match
            newest = f"SELECT id, document FROM c ORDER BY id DESC LIMIT {needed}"
        else:
            # A phrase is checked in id order after the index, until enough are found;
            # OFFSET 0 keeps PostgreSQL from handing the check to the index.
            newest = (f"SELECT x.id, x.document FROM (SELECT id, document FROM c ORDER BY id "
                      f"DESC OFFSET 0) x WHERE x.document @@ to_tsquery(%s::regconfig, %s) "
                      f"LIMIT {needed}")
            params += [CONFIG, exact]
        # The counted are the newest max_count + 1, the ranked the newest `candidates`: a
        # rank by id says which (filters, not joins: PostgreSQL cannot estimate these sets).
        ctes = [
            f"c AS MATERIALIZED (SELECT s.article_id AS id, s.document FROM {TABLE} s "
            f"WHERE s.document @@ to_tsquery(%s::regconfig, %s) {sliced})",
            f"newest AS MATERIALIZED (SELECT id, document, ROW_NUMBER() OVER (ORDER BY id DESC) "
            f"AS n FROM ({newest}) t)",
            # Each match found joined to its article once, for the counts and the page.
            f"j AS MATERIALIZED (SELECT newest.id, newest.n, newest.document, "
            f"{table}.section_id, {table}.published_at FROM newest JOIN {table} "
            f"ON {table}.id = newest.id WHERE {within})",
            f"f AS MATERIALIZED (SELECT id, section_id FROM j WHERE n <= {self.max_count + 1})",
        ]
        params += plan.within_params
        parts = [f"SELECT 'newest', NULL::bigint, {newest_id}::bigint, NULL::float8",
                 "SELECT 'found', NULL, COUNT(*), NULL FROM newest",
                 f"SELECT 'examined', NULL, COUNT(*), NULL FROM newest "
                 f"WHERE n <= {self.max_count + 1}",
                 "SELECT 'total', NULL, COUNT(*), NULL FROM f"]
        if query.facets:
            parts += facet_selects(extra=", NULL", wrap="({})")
        candidates = f"FROM j WHERE n <= {self.candidates}"
        if query.newest_first:
            hits = (f"SELECT id, ROW_NUMBER() OVER (ORDER BY published_at DESC, id DESC) "
                    f"AS position, 0.0::float8 AS score {candidates}")
        else:
            # Relevance decays with age: halved every half-life.
            age = self.age_seconds_sql("published_at")
            score = (f"ts_rank_cd(document, to_tsquery(%s::regconfig, %s)) * COALESCE("
                     f"EXP(-0.6931471805599453 * (CASE WHEN {age} > 0 THEN {age} ELSE 0 END) "
                     f"/ {self.half_life_days * 86400.0}), 1)")
            hits = (f"SELECT id, ROW_NUMBER() OVER (ORDER BY score DESC, id DESC) AS position, "
                    f"score FROM (SELECT id, {score} AS score {candidates}) scored")
            params += [CONFIG, exact]
        per_page = max(1, min(query.per_page, 100))
        parts.append(f"(SELECT 'hit', id, position, score FROM ({hits}) h ORDER BY position "
                     f"LIMIT %s OFFSET %s)")
        params += [per_page, (max(query.page, 1) - 1) * per_page]
        return f"WITH {', '.join(ctes)} {' UNION ALL '.join(parts)}", params


_COUNTS = ("newest", "found", "examined", "total")


def _wider(newest_id: int, below: int, found: int, needed: int) -> int | None:
    """The slices to search next: enough ids, at the density of matches found in the slices
    searched, for the matches needed (and a quarter more); None for all of them."""
    if not found:
        return None
    top = newest_id >> SLICE_BITS
    searched = newest_id - ((top - below) << SLICE_BITS) + 1
    lowest = newest_id - searched * needed / found * 1.25
    wider = max(top - (int(lowest) >> SLICE_BITS), below + 1) if lowest > 0 else top
    return wider if wider < top else None

"""PostgreSQL: weighted tsvectors in a table partitioned by id range, ranked by ts_rank.

ts_rank weighs the searched words by their field (headline, teaser, body), how often they
occur and, for words that must all match, how close together. ts_rank_cd (cover density,
which scores how close the words stand) costs four times as much: 3 ms of a search's 2,000
candidates at a million stories. It orders the first page differently (about half of the
top ten in common over bench/search.py's queries); a site that prefers it sets "RANK":
"ts_rank_cd" in its backend's settings.

Queries go through to_tsquery built from the shared parser rather than websearch_to_tsquery:
the syntax is the same (words, "phrases", OR, -word) and prefix search (`infla*`) works too,
which websearch_to_tsquery does not offer.

Matching reads `search_article_match`, partitioned by id into ranges of 65,536 ids, each
with its own GIN index (migration 0003). A GIN index yields matches in no order, and a search
ranks the newest `candidates` matches; so it asks the partitions newest first, each for its
newest matches, and stops as soon as it has enough (SQLite's FTS5 yields matches in id order
itself). Snippets read the body from `search_article_text`. One statement answers the count,
the facets and the page.
"""

from collections.abc import Iterable, Sequence

from django.db import transaction

from dateline.newsroom.models import Article

from ..query import ParsedQuery, Term, parse, without_invisible
from .base import (
    MARK_END,
    MARK_START,
    BaseSearchBackend,
    Hit,
    InvalidSearchBackendError,
    SearchQuery,
    SearchResults,
    _Plan,
    facet_selects,
    highlight,
    plain_text,
)

TABLE = "search_article_match"
# As migration 0003 partitions it: 65,536 ids a partition, named TABLE_p<id >> SLICE_BITS>.
SLICE_BITS = 16
# Partitions named in the first statement: planning costs about 70 µs a partition, and the
# newest 32 hold two million stories. An archive with more, where these held too few
# matches, is asked again with all of them.
FIRST_PARTITIONS = 32
TEXT_TABLE = "search_article_text"
CONFIG = "english"
RANK_FUNCTIONS = ("ts_rank", "ts_rank_cd")
HEADLINE_OPTIONS = (f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15, "
                    "MaxFragments=2, FragmentDelimiter=\" … \"")
# Snippets come from this many characters of the body, starting at a word up to SNIPPET_LEAD
# characters before the first of the searched words.
SNIPPET_WINDOW, SNIPPET_LEAD = 1000, 150


# PostgreSQL's text parser reads "<script>" in plain text as a tag and skips what follows; a
# zero-width space after each "<" keeps the words searchable, and is removed from snippets.
_GUARD = "<\u200b"


def _guarded(text: str) -> str:
    return text.replace("<", _GUARD)


def _term(term: Term) -> str:
    # Words hold only letters and digits, so each quoted lexeme is literal text to tsquery.
    lexemes = [f"'{word}'" for word in term.words]
    if term.prefix:
        lexemes[-1] += ":*"
    return " <-> ".join(lexemes)


def tsquery(parsed: ParsedQuery) -> str:
    """The to_tsquery text for a parsed query: the same syntax as readers type, prefix too."""
    expression = " & ".join(
        "(" + " | ".join(_term(t) for t in group) + ")" for group in parsed.groups
    )
    if parsed.excluded:
        expression += " & !(" + " | ".join(map(_term, parsed.excluded)) + ")"
    return expression


class PostgresSearchBackend(BaseSearchBackend):
    """Headline weight A, teaser B, body C; websearch syntax parsed by us, prefix included."""

    vendor = "postgresql"
    index_table = TABLE

    def __init__(self, params: dict) -> None:
        super().__init__(params)
        self.rank = params.get("RANK", "ts_rank")
        if self.rank not in RANK_FUNCTIONS:
            raise InvalidSearchBackendError(
                f"RANK {self.rank!r} is not one of PostgreSQL's: {', '.join(RANK_FUNCTIONS)}.")

    def add_bulk(self, articles: Iterable[Article]) -> None:
        rows = [(a.pk, _guarded(without_invisible(a.headline)),
                 _guarded(without_invisible(a.teaser)), _guarded(plain_text(a.body)))
                for a in articles]
        if not rows:
            return
        with self.connection.cursor() as cursor:
            # A story in a range of ids not seen before makes its partition first.
            cursor.execute("SELECT search_article_match_cover(%s)",
                           [sorted({row[0] >> SLICE_BITS for row in rows})])
            cursor.executemany(
                f"INSERT INTO {TABLE} (article_id, document) VALUES (%s, "
                f"setweight(to_tsvector('{CONFIG}', %s), 'A') || "
                f"setweight(to_tsvector('{CONFIG}', %s), 'B') || "
                f"setweight(to_tsvector('{CONFIG}', %s), 'C')) "
                f"ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document",
                rows,
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
        score = f"{self.rank}(s.document, q)" if scored else "1.0"
        return (f"SELECT s.article_id AS id, {score} AS score "
                f"FROM {TABLE} s, to_tsquery('{CONFIG}', %s) q WHERE s.document @@ q",
                [tsquery(parsed)])

    def snippets(self, parsed: ParsedQuery, ids: Sequence[int]) -> dict[int, str]:
        """ts_headline over a window of the body from just before its first searched word:
        PostgreSQL's text parser reads about 10 MB/s, and whole bodies took 5 to 7 ms of a
        page of 20 hits. A story whose body lacks the words (matched by its headline) shows
        its opening."""
        if not ids:
            return {}
        words = " ".join(word for group in parsed.groups for term in group for word in term.words)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s.article_id, ts_headline('{CONFIG}', substr(s.body, w.start, "
                f"{SNIPPET_WINDOW}), q, %s) FROM {TEXT_TABLE} s, to_tsquery('{CONFIG}', %s) q, "
                # Lexemes are letters and digits: each stem is literal text to the regex.
                f"(SELECT '\\m(' || array_to_string(tsvector_to_array(to_tsvector('{CONFIG}', "
                f"%s)), '|') || ')' AS pattern) p, LATERAL (SELECT CASE WHEN hit > {SNIPPET_LEAD} "
                f"THEN hit - {SNIPPET_LEAD} + strpos(substr(s.body, hit - {SNIPPET_LEAD}, "
                f"{SNIPPET_LEAD}), ' ') ELSE 1 END AS start FROM (SELECT COALESCE(regexp_instr("
                f"s.body, p.pattern, 1, 1, 0, 'i'), 0) AS hit) h) w WHERE s.article_id = ANY(%s)",
                [HEADLINE_OPTIONS, tsquery(parsed), words, list(ids)],
            )
            return {pk: text.replace(_GUARD, "<") for pk, text in cursor.fetchall()}

    def age_seconds_sql(self, column: str) -> str:
        # In double precision: EXTRACT gives numeric, whose EXP costs ~25 µs a row (2,000
        # candidates ranked: 50 ms on a busy machine).
        return f"EXTRACT(EPOCH FROM (now() - {column}))::float8"

    # The base class's rules in one statement: the newest matches by id are found once,
    # partition by partition, and the counted (the newest max_count + 1), the ranked
    # candidates, the facets and the page are all taken from them. The base class runs up to
    # five statements, each finding the matches again.
    def search(self, query: SearchQuery) -> SearchResults:
        parsed = parse(query.text)
        plan = self._plan(parsed, query) if parsed else None
        if plan is None:
            return SearchResults(hits=[], total=0)
        needed = max(self.candidates, self.max_count + 1)
        with transaction.atomic(using=self.database), self.connection.cursor() as cursor:
            # A parallel plan would read the partitions all at once, in no order.
            cursor.execute(
                "SELECT set_config('max_parallel_workers_per_gather', '0', true), ARRAY("
                "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = %s::regclass)", [TABLE])
            partitions = sorted(cursor.fetchone()[1], key=_slice, reverse=True)
            if not partitions:
                return SearchResults(hits=[], total=0)
            named = partitions[:FIRST_PARTITIONS]
            while True:
                cursor.execute(*self._search_sql(plan, query, named))
                rows = cursor.fetchall()
                values = {kind: number for kind, _, number, _ in rows if kind in _COUNTS}
                if values["found"] >= needed or len(named) == len(partitions):
                    break
                named = partitions
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

    def _search_sql(self, plan: _Plan, query: SearchQuery,
                    partitions: Sequence[str]) -> tuple[str, list]:
        exact = tsquery(plan.parsed)
        table, within = plan.table, plan.within
        needed = max(self.candidates, self.max_count + 1)
        # Each partition's newest matches, newest partition first; the LIMIT above them stops
        # reading partitions once it has enough. PostgreSQL picks per partition: its GIN
        # index then a sort for a rarer word, or ids backwards for one in most stories. Only
        # the matches taken are ranked, each tsvector read again by its row's address (the
        # last partition read holds more matches than are needed; carried through the sort,
        # the tsvectors cost more than reading them twice).
        match = (f"s.document @@ to_tsquery('{CONFIG}', %s) "
                 f"ORDER BY s.article_id DESC LIMIT {needed}")
        if query.newest_first:
            branch = f"(SELECT s.article_id AS id, 0.0::float4 AS rank FROM {{0}} s WHERE {match})"
            params: list = [exact] * len(partitions)
        else:
            branch = (f"(SELECT x.id, (SELECT {self.rank}(d.document, to_tsquery('{CONFIG}', %s)) "
                      f"FROM {{0}} d WHERE d.ctid = x.row) AS rank FROM (SELECT s.article_id "
                      f"AS id, s.ctid AS row FROM {{0}} s WHERE {match}) x)")
            params = [exact, exact] * len(partitions)
        newest = " UNION ALL ".join(branch.format(name) for name in partitions)
        # The counted are the newest max_count + 1, the ranked the newest `candidates`: a
        # rank by id says which (filters, not joins: PostgreSQL cannot estimate these sets).
        ctes = [
            # Append reads its arms in the order written (a parallel plan would not: it is off).
            f"newest AS MATERIALIZED (SELECT id, rank, ROW_NUMBER() OVER () AS n FROM "
            f"(SELECT id, rank FROM ({newest}) u LIMIT {needed}) t)",
            # Each match found joined to its article once, for the counts and the page.
            f"j AS MATERIALIZED (SELECT newest.id, newest.n, newest.rank, "
            f"{table}.section_id, {table}.published_at FROM newest JOIN {table} "
            f"ON {table}.id = newest.id WHERE {within})",
            f"f AS MATERIALIZED (SELECT id, section_id FROM j WHERE n <= {self.max_count + 1})",
        ]
        params += plan.within_params
        parts = ["SELECT 'found', NULL::bigint, COUNT(*), NULL::float8 FROM newest",
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
            score = (f"rank * COALESCE(EXP(-0.6931471805599453 * (CASE WHEN {age} > 0 "
                     f"THEN {age} ELSE 0 END) / {self.half_life_days * 86400.0}), 1)")
            hits = (f"SELECT id, ROW_NUMBER() OVER (ORDER BY score DESC, id DESC) AS position, "
                    f"score FROM (SELECT id, {score} AS score {candidates}) scored")
        per_page = max(1, min(query.per_page, 100))
        parts.append(f"(SELECT 'hit', id, position, score FROM ({hits}) h ORDER BY position "
                     f"LIMIT %s OFFSET %s)")
        params += [per_page, (max(query.page, 1) - 1) * per_page]
        return f"WITH {', '.join(ctes)} {' UNION ALL '.join(parts)}", params


_COUNTS = ("found", "examined", "total")


def _slice(partition: str) -> int:
    return int(partition.rsplit("_p", 1)[1])

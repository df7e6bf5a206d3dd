"""SQLite: an FTS5 table of each article's headline, teaser and body text, ranked by bm25."""

from collections.abc import Iterable, Sequence

from dateline.newsroom.models import Article

from ..query import ParsedQuery, Term, without_invisible
from .base import MARK_END, MARK_START, BaseSearchBackend, plain_text

TABLE = "search_article_fts"
# Pages of index a merge step writes (FTS5 'merge'): a few tens of milliseconds each.
MERGE_PAGES = 2000
# bm25 column weights: a word in the headline counts ten times one in the body.
WEIGHTS = (10.0, 4.0, 1.0)
SNIPPET_TOKENS = 24


def _term(term: Term) -> str:
    # Words hold only letters and digits, so quoting them makes each an FTS5 string literal.
    quoted = '"' + " ".join(term.words).replace('"', '""') + '"'
    return quoted + ("*" if term.prefix else "")


def match_expression(parsed: ParsedQuery) -> str:
    """The FTS5 MATCH expression for a parsed query, built only from quoted strings."""
    groups = ["(" + " OR ".join(_term(t) for t in group) + ")" for group in parsed.groups]
    expression = " AND ".join(groups)
    if parsed.excluded:
        expression = f"({expression}) NOT (" + " OR ".join(map(_term, parsed.excluded)) + ")"
    return expression


class SQLiteSearchBackend(BaseSearchBackend):
    """FTS5 with the porter stemmer; the table keeps its own copy of the plain text."""

    vendor = "sqlite"
    index_table = TABLE

    def counted_rows(self, plan) -> str:
        # Looked up by rowid from the matches' list, not joined to them: with the statistics
        # `dateline import` leaves, SQLite put a Bloom filter on that join, built over the
        # whole articles table (490 ms a search at a million stories, 0.3 s of it in the
        # kernel). NOT INDEXED keeps the filters' columns from choosing another index; the
        # rowid is still looked up.
        return (f"SELECT {plan.table}.id, {plan.table}.section_id FROM {plan.table} "
                f"NOT INDEXED WHERE {plan.table}.id IN (SELECT id FROM m) AND ({plan.within})")

    def add_bulk(self, articles: Iterable[Article]) -> None:
        rows = [(a.pk, without_invisible(a.headline), without_invisible(a.teaser),
                 plain_text(a.body)) for a in articles]
        if not rows:
            return
        with self.connection.cursor() as cursor:
            self._delete(cursor, [row[0] for row in rows])
            cursor.executemany(
                f"INSERT INTO {TABLE} (rowid, headline, teaser, body) VALUES (%s, %s, %s, %s)",
                rows,
            )

    def delete(self, article_ids: Iterable[int]) -> None:
        with self.connection.cursor() as cursor:
            self._delete(cursor, list(article_ids))

    @staticmethod
    def _delete(cursor, ids: list[int]) -> None:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({', '.join(['%s'] * len(chunk))})",
                           chunk)

    def optimize(self) -> int:
        """Merge the FTS5 index's segments into one, a step at a time (each its own write).

        Each batch of writes adds a segment that every search then reads; FTS5 merges some
        as it goes, and a reindex of a million stories left 18. Merged into one, searches at
        a million took 17 ms at p95 instead of 33 (bench/README "Search"). 'optimize' does
        it in one write of 20 s there, which no save could wait for. As SQLite's FTS5
        documents: a first 'merge' with a negative count puts every segment on one level,
        then positive ones carry the merge on until a step changes nothing."""
        steps, pages = 0, -MERGE_PAGES
        with self.connection.cursor() as cursor:
            # One segment already: a merge would still write it all again.
            cursor.execute(f"SELECT COUNT(DISTINCT segid) FROM {TABLE}_idx")
            if cursor.fetchone()[0] <= 1:
                return 0
            raw = self.connection.connection
            while True:
                before = raw.total_changes
                cursor.execute(f"INSERT INTO {TABLE} ({TABLE}, rank) VALUES ('merge', %s)",
                               [pages])
                steps += 1
                if raw.total_changes - before < 2:
                    return steps
                pages = MERGE_PAGES

    def prune(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid NOT IN "
                           f"(SELECT id FROM {Article._meta.db_table})")
            return cursor.rowcount

    def match_sql(self, parsed: ParsedQuery, scored: bool = True) -> tuple[str, list]:
        weights = ", ".join(str(w) for w in WEIGHTS)
        # bm25() is lower for better matches; negated so that every backend sorts descending.
        score = f"-bm25({TABLE}, {weights})" if scored else "1.0"
        return (f"SELECT rowid AS id, {score} AS score FROM {TABLE} WHERE {TABLE} MATCH %s",
                [match_expression(parsed)])

    def snippets(self, parsed: ParsedQuery, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        marks = ", ".join(["%s"] * len(ids))
        # One match over the range the hits lie in, not one per hit: with `rowid IN (…)` FTS5
        # evaluates the whole query again for each id (a prefix's expansion twenty times).
        # The hits are among the newest candidates, so the range holds at most that many.
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, text FROM (SELECT rowid AS id, CASE WHEN rowid IN ({marks}) THEN "
                f"snippet({TABLE}, 2, %s, %s, %s, {SNIPPET_TOKENS}) END AS text FROM {TABLE} "
                f"WHERE {TABLE} MATCH %s AND rowid BETWEEN %s AND %s) WHERE text IS NOT NULL",
                [*ids, MARK_START, MARK_END, "…", match_expression(parsed), min(ids), max(ids)],
            )
            return dict(cursor.fetchall())

    def age_seconds_sql(self, column: str) -> str:
        return f"((julianday('now') - julianday({column})) * 86400.0)"

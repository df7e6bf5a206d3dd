"""PostgreSQL: a side table with a weighted tsvector under a GIN index, ranked by ts_rank_cd.

Queries go through to_tsquery built from the shared parser rather than websearch_to_tsquery:
the syntax is the same (words, "phrases", OR, -word) and prefix search (`infla*`) works too,
which websearch_to_tsquery does not offer.
"""

from collections.abc import Iterable, Sequence

from dateline.newsroom.models import Article

from ..query import ParsedQuery, Term
from .base import MARK_END, MARK_START, BaseSearchBackend, plain_text

TABLE = "search_article_index"
CONFIG = "english"
HEADLINE_OPTIONS = (f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=35, MinWords=15, "
                    "MaxFragments=2, FragmentDelimiter=\" … \"")


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

    def add_bulk(self, articles: Iterable[Article]) -> None:
        rows = [(a.pk, _guarded(a.headline), _guarded(a.teaser), _guarded(plain_text(a.body)))
                for a in articles]
        if not rows:
            return
        with self.connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {TABLE} (article_id, headline, teaser, body, document) "
                f"VALUES (%s, %s, %s, %s, "
                f"setweight(to_tsvector('{CONFIG}', %s), 'A') || "
                f"setweight(to_tsvector('{CONFIG}', %s), 'B') || "
                f"setweight(to_tsvector('{CONFIG}', %s), 'C')) "
                f"ON CONFLICT (article_id) DO UPDATE SET headline = EXCLUDED.headline, "
                f"teaser = EXCLUDED.teaser, body = EXCLUDED.body, document = EXCLUDED.document",
                [(*row, *row[1:]) for row in rows],
            )

    def delete(self, article_ids: Iterable[int]) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE article_id = ANY(%s)", [list(article_ids)])

    def prune(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} s WHERE NOT EXISTS (SELECT 1 FROM "
                           f"{Article._meta.db_table} a WHERE a.id = s.article_id)")
            return cursor.rowcount

    def match_sql(self, parsed: ParsedQuery, scored: bool = True) -> tuple[str, list]:
        score = "ts_rank_cd(s.document, q)" if scored else "1.0"
        return (f"SELECT s.article_id AS id, {score} AS score "
                f"FROM {TABLE} s, to_tsquery('{CONFIG}', %s) q WHERE s.document @@ q",
                [tsquery(parsed)])

    def ranked_candidates_sql(self, parsed: ParsedQuery, limit: int) -> tuple[str, list]:
        # Pick the newest matches first and rank only those: ranked in one step, every match
        # of a common word had its tsvector read and scored before the sort (at 1M stories,
        # 33,000 for "oil prices": 1.2 s against 0.28 s).
        query = tsquery(parsed)
        return (f"SELECT c.id, ts_rank_cd(s.document, to_tsquery('{CONFIG}', %s)) AS score "
                f"FROM (SELECT article_id AS id FROM {TABLE} "
                f"WHERE document @@ to_tsquery('{CONFIG}', %s) ORDER BY article_id DESC "
                f"LIMIT {limit}) c JOIN {TABLE} s ON s.article_id = c.id", [query, query])

    def snippets(self, parsed: ParsedQuery, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s.article_id, ts_headline('{CONFIG}', s.body, q, %s) "
                f"FROM {TABLE} s, to_tsquery('{CONFIG}', %s) q WHERE s.article_id = ANY(%s)",
                [HEADLINE_OPTIONS, tsquery(parsed), list(ids)],
            )
            return {pk: text.replace(_GUARD, "<") for pk, text in cursor.fetchall()}

    def age_seconds_sql(self, column: str) -> str:
        return f"EXTRACT(EPOCH FROM (now() - {column}))"

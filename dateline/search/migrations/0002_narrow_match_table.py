"""PostgreSQL: match on a table of id, slice and tsvector, its GIN index led by the slice.

A GIN index returns matches in no order, and the newest 2,000 by id were picked by reading
the id of every match from the table: 45,000 rows on 27,000 pages for "stock market" at a
million stories. The slice (the id's top bits: 65,536 ids each) is indexed with the tsvector
(btree_gin, a contrib extension that ships with PostgreSQL), so a search asks for the newest
slices first and reads only their matches; it widens the slices until it has enough.
The text for snippets moves to `search_article_text`, without headline, teaser or tsvector.
SQLite's FTS5 table is unchanged (FTS5 returns matches in id order by itself).
"""

from django.db import migrations

# Slices of 2**16 ids: at a million stories, a common word's newest 2,000 lie in one or two.
SLICE_BITS = 16
POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "CREATE TABLE search_article_match (article_id integer PRIMARY KEY, "
    "slice smallint NOT NULL, document tsvector NOT NULL)",
    f"INSERT INTO search_article_match SELECT article_id, article_id >> {SLICE_BITS}, document "
    "FROM search_article_index ORDER BY article_id",
    # A GIN index is built much faster with memory to sort in (for this transaction only).
    "SET LOCAL maintenance_work_mem = '256MB'",
    "CREATE INDEX search_article_match_document ON search_article_match "
    "USING GIN (slice, document)",
    "ALTER TABLE search_article_index RENAME TO search_article_text",
    "ALTER TABLE search_article_text DROP COLUMN headline, DROP COLUMN teaser, "
    "DROP COLUMN document",
]
# Back to one table; headline and teaser come back empty until `dateline search reindex`.
POSTGRES_REVERSE = [
    "ALTER TABLE search_article_text RENAME TO search_article_index",
    "ALTER TABLE search_article_index ADD COLUMN headline text NOT NULL DEFAULT '', "
    "ADD COLUMN teaser text NOT NULL DEFAULT '', ADD COLUMN document tsvector",
    "UPDATE search_article_index i SET document = m.document FROM search_article_match m "
    "WHERE m.article_id = i.article_id",
    "DELETE FROM search_article_index WHERE document IS NULL",
    "ALTER TABLE search_article_index ALTER COLUMN document SET NOT NULL",
    "CREATE INDEX search_article_index_document ON search_article_index USING GIN (document)",
    "DROP TABLE search_article_match",
]


def run(statements: list[str]):
    def apply(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(run(POSTGRES), run(POSTGRES_REVERSE))]

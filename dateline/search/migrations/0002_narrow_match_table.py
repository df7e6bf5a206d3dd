"""PostgreSQL: match on a narrow table (id and tsvector), keep the text for snippets apart.

The index table kept headline, teaser and body beside the tsvector, about 2.4 KB a row in the
heap: finding the newest matches of a common word visited a page for every few matches. Now
`search_article_match` holds only the id and the tsvector, and `toast_tuple_target = 128`
moves every tsvector but the shortest out of line, so a heap page holds ~150 rows and the
matches of a common word lie on few pages; the tsvector is read (detoasted) only to rank the
candidates or to check a phrase. The body for snippets stays in `search_article_text`.
SQLite's FTS5 table is unchanged.
"""

from django.db import migrations

POSTGRES = [
    "CREATE TABLE search_article_match (article_id integer PRIMARY KEY, "
    "document tsvector NOT NULL) WITH (toast_tuple_target = 128)",
    # Out of line uncompressed: ranking reads 2,000 of them, and decompressing costs more
    # than the second chunk of a long one.
    "ALTER TABLE search_article_match ALTER COLUMN document SET STORAGE EXTERNAL",
    "INSERT INTO search_article_match SELECT article_id, document FROM search_article_index "
    "ORDER BY article_id",
    # A GIN index is built much faster with memory to sort in (for this transaction only).
    "SET LOCAL maintenance_work_mem = '256MB'",
    "CREATE INDEX search_article_match_document ON search_article_match USING GIN (document)",
    "ALTER TABLE search_article_index RENAME TO search_article_text",
    "ALTER TABLE search_article_text DROP COLUMN headline, DROP COLUMN teaser, "
    "DROP COLUMN document",
]
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

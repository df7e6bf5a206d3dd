"""PostgreSQL: the match table partitioned by id range, each partition with its own GIN index.

Migration 0002's index on (slice, document) answers "the newest slices' matches" by
intersecting the words' entries with every id of those slices (ten slice keys at a million
stories: 18 ms of a 46 ms search). A partition of 65,536 ids has a GIN index on the document
alone, so a search asks the newest partition first, then the next, and stops when it has the
newest matches it needs (dateline/search/backends/postgres.py).

Partitions are made when the first story of their range is indexed, by
`search_article_match_cover(slices)`, which this migration defines. They keep a tsvector of up
to 8 KB in the row (toast_tuple_target): ranking one stored out of line fetches it from the
TOAST table first, 5 ms of a search's 2,000 candidates.
SQLite's FTS5 table is unchanged.
"""

from django.db import migrations

SLICE_BITS = 16
# A new partition is made as a table of its own, then attached: ATTACH PARTITION locks the
# parent against other DDL only (SHARE UPDATE EXCLUSIVE), where CREATE TABLE ... PARTITION OF
# takes ACCESS EXCLUSIVE until the saving transaction ends, and every search (a long import's
# transaction included) would wait for it.
COVER = f"""
CREATE OR REPLACE FUNCTION search_article_match_cover(slices integer[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    n integer;
    name text;
BEGIN
    FOREACH n IN ARRAY slices LOOP
        name := format('search_article_match_p%s', n);
        IF to_regclass(name) IS NULL THEN
            -- Two saves starting the same range: the second waits, then finds it made (by
            -- CREATE's own look, which sees what committed while it waited; to_regclass
            -- would not).
            PERFORM pg_advisory_xact_lock(hashtext('search_article_match_cover'));
            EXECUTE format('CREATE TABLE IF NOT EXISTS %I (LIKE search_article_match) '
                           'WITH (toast_tuple_target = 8160)', name);
            IF NOT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = name::regclass) THEN
                EXECUTE format('ALTER TABLE search_article_match ATTACH PARTITION %I '
                               'FOR VALUES FROM (%s) TO (%s)', name,
                               n::bigint << {SLICE_BITS}, (n + 1)::bigint << {SLICE_BITS});
            END IF;
        END IF;
    END LOOP;
END $$
"""
POSTGRES = [
    "ALTER TABLE search_article_match RENAME TO search_article_match_0002",
    "ALTER INDEX search_article_match_document RENAME TO search_article_match_0002_document",
    "CREATE TABLE search_article_match (article_id integer NOT NULL, document tsvector NOT NULL) "
    "PARTITION BY RANGE (article_id)",
    COVER,
    "SELECT search_article_match_cover(ARRAY(SELECT DISTINCT slice::integer "
    "FROM search_article_match_0002))",
    "INSERT INTO search_article_match SELECT article_id, document FROM search_article_match_0002 "
    "ORDER BY article_id",
    # A GIN index is built much faster with memory to sort in (for this transaction only).
    "SET LOCAL maintenance_work_mem = '256MB'",
    "CREATE INDEX search_article_match_document ON search_article_match USING GIN (document)",
    # A unique index, not a primary key: pg_restore --clean (dateline restore) drops each
    # partition's constraint first, which PostgreSQL refuses for an inherited one.
    "CREATE UNIQUE INDEX search_article_match_article ON search_article_match (article_id)",
    "DROP TABLE search_article_match_0002",
    "ANALYZE search_article_match",
]
POSTGRES_REVERSE = [
    "ALTER TABLE search_article_match RENAME TO search_article_match_0003",
    "ALTER INDEX search_article_match_document RENAME TO search_article_match_0003_document",
    "CREATE TABLE search_article_match (article_id integer PRIMARY KEY, "
    "slice smallint NOT NULL, document tsvector NOT NULL)",
    f"INSERT INTO search_article_match SELECT article_id, article_id >> {SLICE_BITS}, document "
    "FROM search_article_match_0003 ORDER BY article_id",
    "SET LOCAL maintenance_work_mem = '256MB'",
    "CREATE INDEX search_article_match_document ON search_article_match "
    "USING GIN (slice, document)",
    "DROP TABLE search_article_match_0003",
    "DROP FUNCTION search_article_match_cover(integer[])",
]


def run(statements: list[str]):
    def apply(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                # No parameters: the function's format() placeholders are PostgreSQL's.
                schema_editor.execute(sql, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [("search", "0002_narrow_match_table")]

    operations = [migrations.RunPython(run(POSTGRES), run(POSTGRES_REVERSE))]

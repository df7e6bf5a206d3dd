"""Create the search index for the database in use: FTS5 on SQLite, tsvector on PostgreSQL.

An existing site fills it with `dateline search reindex`; from then on saves keep it.
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE search_article_fts USING fts5("
    "headline, teaser, body, tokenize = 'porter unicode61 remove_diacritics 2')",
]
SQLITE_REVERSE = ["DROP TABLE IF EXISTS search_article_fts"]
POSTGRES = [
    "CREATE TABLE search_article_index (article_id integer PRIMARY KEY, headline text NOT NULL, "
    "teaser text NOT NULL, body text NOT NULL, document tsvector NOT NULL)",
    "CREATE INDEX search_article_index_document ON search_article_index USING GIN (document)",
]
POSTGRES_REVERSE = ["DROP TABLE IF EXISTS search_article_index"]


def run(statements: dict[str, list[str]]):
    def apply(apps, schema_editor) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    initial = True
    dependencies = [("newsroom", "0007_section_medtop")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        ),
    ]

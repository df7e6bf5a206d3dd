"""When each story's latest change reaches partners: the order of the wire's changes feed.

Filled for the stories already here by the rule `Article.reaches_the_wire` follows: a withdrawn
story at its last save; a published one at the latest of its last save, its publication time
and its embargo's end, except a story imported and never saved since (an archive's import is
no news: its own times); drafts and the rest never. One UPDATE, then the index (CONCURRENTLY on
PostgreSQL, so a running site keeps saving).
"""

from django.db import migrations, models
from django.db.models import Case, F, Q, When
from django.db.models.functions import Coalesce, Greatest

INDEX = models.Index(fields=["wire_changed_at", "id"], name="article_wire_changes_idx")


def fill(apps, schema_editor) -> None:
    article = apps.get_model("newsroom", "Article")
    out = Coalesce("published_at", "modified_at")
    # Greatest is NULL on SQLite when any argument is: every argument is coalesced.
    article.objects.filter(status__in=["published", "unpublished"]).update(
        wire_changed_at=Case(
            When(status="unpublished", then=F("modified_at")),
            When(Q(imported_at__isnull=False, modified_at=F("imported_at")),
                 then=Greatest(out, Coalesce("embargo_until", out))),
            default=Greatest("modified_at", out, Coalesce("embargo_until", out)),
        ))


def add_index(apps, schema_editor) -> None:
    article = apps.get_model("newsroom", "Article")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX.name} ON newsroom_article "
            "(wire_changed_at, id)")
    else:
        schema_editor.add_index(article, INDEX)


def remove_index(apps, schema_editor) -> None:
    article = apps.get_model("newsroom", "Article")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX.name}")
    else:
        schema_editor.remove_index(article, INDEX)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction
    dependencies = [("newsroom", "0017_add_page_key")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="wire_changed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="article", index=INDEX)],
            database_operations=[migrations.RunPython(add_index, remove_index)],
        ),
    ]

"""What a test that commits leaves behind: nothing. After each one Django empties every table
(with DELETE on PostgreSQL, tests/backends/postgresql) and post_migrate refills the roles."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection

from dateline.newsroom.actions.save import record_revision
from dateline.newsroom.models import Article, ArticleNote, Revision, Tag

pytestmark = pytest.mark.django_db(transaction=True)

REFILLED = {"django_content_type", "auth_permission", "auth_group", "auth_group_permissions",
            "ingest_watchedterm"}


def test_a_flush_empties_every_table_linked_or_not_and_refills_only_what_migrate_writes(
    make_user, make_article
):
    editor = make_user("Editor")
    story = make_article("Storm", tags=[Tag.objects.create(name="Sofia", slug="sofia")])
    ArticleNote.objects.create(article=story, created_by=editor, kind="correction",
                               text="Fixed.")
    record_revision(story, editor)
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)

    assert not (Article.objects.exists() or Tag.objects.exists() or ArticleNote.objects.exists()
                or Revision.objects.exists())
    with connection.cursor() as cursor:
        left = {}
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if model._meta.managed and table not in REFILLED:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                if count := cursor.fetchone()[0]:
                    left[table] = count
    assert left == {}
    assert Group.objects.count() == 4  # the roles, made again
